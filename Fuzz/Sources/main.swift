// invigil-fuzz: libFuzzer targets of Invigil (docs/fuzzing.md). Built only with INVIGIL_FUZZ=1 and
// -sanitize=fuzzer,address (scripts/fuzz does both):
//
//   invigil-fuzz TARGET [libFuzzer options] [corpus folders or inputs to replay]
//
// The first argument picks the target (or INVIGIL_FUZZ_TARGET, when it is not a target's name);
// the rest goes to libFuzzer unchanged.

import InvigilFuzzDriver

#if canImport(Glibc)
import Glibc
#endif

let targets: [(name: String, about: String, run: (UnsafeBufferPointer<UInt8>) -> Void)] = [
    ("rules", "rule language: RuleSet.compile(bytes:), then a scan checked against the tree evaluator", FuzzRules.run),
    ("json", "JSON event reader: Scanner.setJSON + scan over the bundled packs", FuzzJSON.run),
    ("mail", "mbox and .eml/MIME readers (MboxSource, EMLSource) + loading into a scanner", FuzzReaders.mail),
    ("whatsapp", "WhatsApp export reader (WhatsAppSource) + loading into a scanner", FuzzReaders.whatsApp),
    ("jsonl", "JSONL reader whole against the scan's chunk path (in place by nextItem, and copied) and the workers' range reader", FuzzReaders.jsonl),
    ("csv", "CSV and TSV reader (CSVSource) + loading into a scanner", FuzzReaders.csv),
    ("zip", "zip container + Inflate (raw DEFLATE when the first byte is odd) + WhatsApp .zip exports", FuzzZip.run),
    ("capi", "C API (include/invigil.h): random call sequences on rule sets, scanners and errors", FuzzCAPI.run),
    ("automaton", "differential: Automaton (dense, sparse, lanes, blocks) against a naive matcher", FuzzAutomaton.run),
    ("compiled", "compiled rule files: RuleSet.load(compiled:) as is and resealed; a loaded set scans and round-trips", FuzzCompiled.run),
    ("report", "findings JSONL reader, redaction and the HTML report (readFindings, Redactor, ReportModel, ReportHTML)", FuzzReport.run),
    ("cache", "the command's cache entries: RuleCacheEntry(decoding:), resealed, the compiled part loaded and scanned", FuzzCache.run),
    ("includes", "C API: rule source from memory with includes (plain, a resolver over a virtual file system, a base folder)", FuzzIncludes.run),
    (
        "shortcuts", "differential: the scanner's fast paths (normalisation, URL prefilter, schemes, digit words) against the code they stand in for",
        FuzzShortcuts.run
    )
]

nonisolated(unsafe) var selected: ((UnsafeBufferPointer<UInt8>) -> Void)? = nil

// The target is the first argument, or INVIGIL_FUZZ_TARGET: libFuzzer re-runs this program for
// -merge=1 and -fork with its own arguments only, so the choice is passed on in the environment.
let args = CommandLine.arguments
let targetFromArguments = args.count >= 2 && targets.contains { $0.name == args[1] }
let targetName = targetFromArguments ? args[1] : getenv("INVIGIL_FUZZ_TARGET").map { String(cString: $0) }
guard let target = targets.first(where: { $0.name == targetName }) else {
    var err = "usage: invigil-fuzz TARGET [libFuzzer options] [corpus...]\ntargets:\n"
    for t in targets { err += "  \(t.name)\t\(t.about)\n" }
    eprint(err)
    exit(2)
}
selected = target.run
setenv("INVIGIL_FUZZ_TARGET", target.name, 1)

// argv for libFuzzer: the program name, then everything after the target name.
var fuzzArgs: [UnsafeMutablePointer<CChar>?] = [strdup(args[0])] + args.dropFirst(targetFromArguments ? 2 : 1).map { strdup($0) } + [nil]
var argc = Int32(fuzzArgs.count - 1)
let status = fuzzArgs.withUnsafeMutableBufferPointer { buffer -> Int32 in
    var argv: UnsafeMutablePointer<UnsafeMutablePointer<CChar>?>? = buffer.baseAddress
    return LLVMFuzzerRunDriver(&argc, &argv) { data, size in
        selected!(UnsafeBufferPointer(start: data, count: size))
        return 0
    }
}
exit(status)
