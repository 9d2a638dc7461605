// invigil-fuzz: libFuzzer targets of Invigil (docs/fuzzing.md). Built only with INVIGIL_FUZZ=1 and
// -sanitize=fuzzer,address (scripts/fuzz does both):
//
//   invigil-fuzz TARGET [libFuzzer options] [corpus folders or inputs to replay]
//
// The first argument picks the target; the rest goes to libFuzzer unchanged.

import InvigilFuzzDriver

#if canImport(Glibc)
import Glibc
#endif

let targets: [(name: String, about: String, run: (UnsafeBufferPointer<UInt8>) -> Void)] = [
    ("rules", "rule language: RuleSet.compile(bytes:), then a scan checked against the tree evaluator", FuzzRules.run),
    ("json", "JSON event reader: Scanner.setJSON + scan over the bundled packs", FuzzJSON.run),
    ("mail", "mbox and .eml/MIME readers (MboxSource, EMLSource) + loading into a scanner", FuzzReaders.mail),
    ("whatsapp", "WhatsApp export reader (WhatsAppSource) + loading into a scanner", FuzzReaders.whatsApp),
    ("csv", "CSV and TSV reader (CSVSource) + loading into a scanner", FuzzReaders.csv),
    ("capi", "C API (include/invigil.h): random call sequences on rule sets, scanners and errors", FuzzCAPI.run),
    ("automaton", "differential: Automaton (dense, sparse, lanes, blocks) against a naive matcher", FuzzAutomaton.run),
]

nonisolated(unsafe) var selected: ((UnsafeBufferPointer<UInt8>) -> Void)? = nil

let args = CommandLine.arguments
guard args.count >= 2, let target = targets.first(where: { $0.name == args[1] }) else {
    var err = "usage: invigil-fuzz TARGET [libFuzzer options] [corpus...]\ntargets:\n"
    for t in targets { err += "  \(t.name)\t\(t.about)\n" }
    eprint(err)
    exit(2)
}
selected = target.run

// argv for libFuzzer: the program name, then everything after the target name.
var fuzzArgs: [UnsafeMutablePointer<CChar>?] = [strdup(args[0])] + args.dropFirst(2).map { strdup($0) } + [nil]
var argc = Int32(fuzzArgs.count - 1)
let status = fuzzArgs.withUnsafeMutableBufferPointer { buffer -> Int32 in
    var argv: UnsafeMutablePointer<UnsafeMutablePointer<CChar>?>? = buffer.baseAddress
    return LLVMFuzzerRunDriver(&argc, &argv) { data, size in
        selected!(UnsafeBufferPointer(start: data, count: size))
        return 0
    }
}
exit(status)
