import Invigil
#if canImport(Glibc)
import Glibc
#endif

/// `invigil-bench --compiled`: loading a compiled rule file against compiling its sources, in
/// the same run, for the bundled packs and for generated phrase sets (by default 100,000); and
/// the file's size against the rule set's tables in memory. Loading is timed from memory
/// (`RuleSet.load(compiled:)`) and from a file in the page cache (`load(compiledPath:)`); the
/// CRC-32C of the file alone is timed too, since every load pays it. A loaded rule set fills its
/// automata's transition rows on their first scan; "+ fill rows" is a load from the file followed
/// by `prepareForScanning()`, which is what loading costs a program by the end of its first scan.
func runCompiledBenchmark(_ o: Options) {
    let scratch = access("/dev/shm", W_OK) == 0 ? "/dev/shm" : "/tmp"
    print("invigil-bench --compiled: median of \(o.runs) compiles and of \(o.runs * 5) loads; files in \(scratch)")
    print("")
    print(
        "rule set                 | compile ms | load ms (memory) | load ms (file) | compile / load | + fill rows ms | compile / (load + fill) | CRC ms | file MB | read MB | tables MB | file / tables"
    )
    // The packs are the one input that can be missing (`--packs`, relative to the current
    // folder): say so and stop, as the end-to-end figures do, rather than trap on it below.
    do {
        _ = try RuleSet.load(paths: [o.packs])
    } catch {
        printErr("invigil-bench --compiled: cannot load \(o.packs): \(error) (run from the repository, or give --packs DIR)")
        exit(2)
    }
    var cases: [(String, () -> RuleSet)] = [
        ("five packs (\(o.packs))", { try! RuleSet.load(paths: [o.packs]) })
    ]
    let vocab = Vocabulary()
    for n in o.compiledSets {
        let source = phraseRuleSource(makePhraseSet(count: n, vocab: vocab))
        cases.append(("\(n) phrases", { try! RuleSet.compile(source: source, name: "phrases.rules") }))
    }
    for (name, compile) in cases {
        var rules = compile()
        let compileSeconds = timeMedian(runs: o.runs) { rules = compile() }
        let bytes = try! rules.compiledBytes()
        let path = "\(scratch)/invigil-bench-\(getpid()).ivg"
        _ = writeWholeFile(path, bytes)
        defer { unlink(path) }
        var loaded: RuleSet? = nil
        let memorySeconds = timeMedian(runs: o.runs * 5) { loaded = try! RuleSet.load(compiled: bytes) }
        let fileSeconds = timeMedian(runs: o.runs * 5) { loaded = try! RuleSet.load(compiledPath: path) }
        // The rows the automata fill on their first scan: load and fill, as a first scan pays.
        let readySeconds = timeMedian(runs: o.runs * 5) {
            loaded = try! RuleSet.load(compiledPath: path)
            loaded!.prepareForScanning()
        }
        let crcSeconds = bytes.withUnsafeBytes { b in timeMedian(runs: o.runs * 5) { _ = CRC32C.checksum(b) } }
        // A wrong load would make the figures meaningless: the reloaded set (from the file: its
        // cold part read again from the file) writes the same bytes.
        if (try? loaded?.compiledBytes()) != bytes { printErr("invigil-bench: \(name): the loaded rule set differs"); exit(1) }
        let tables = rules.compiledSummary.automata.reduce(0) { $0 + $1.tableBytes } + rules.instructionCount * 16
        print(
            pad(name, 24, right: false) + " | " + pad(fmt(compileSeconds * 1000, 1), 10)
                + " | " + pad(fmt(memorySeconds * 1000, 2), 16)
                + " | " + pad(fmt(fileSeconds * 1000, 2), 14)
                + " | " + pad(fmt(compileSeconds / fileSeconds, 0) + "×", 14)
                + " | " + pad(fmt(readySeconds * 1000, 2), 14)
                + " | " + pad(fmt(compileSeconds / readySeconds, 0) + "×", 23)
                + " | " + pad(fmt(crcSeconds * 1000, 2), 6)
                + " | " + pad(fmt(Double(bytes.count) / 1_048_576, 2), 7)
                + " | " + pad(fmt(Double(loadedBytes(bytes)) / 1_048_576, 2), 7)
                + " | " + pad(fmt(Double(tables) / 1_048_576, 2), 9)
                + " | " + pad(fmt(Double(bytes.count) / Double(tables), 2), 13))
    }
}

/// The bytes a load from the file reads: the header and the payload, not the cold part.
func loadedBytes(_ file: [UInt8]) -> Int {
    guard let header = try? file.withUnsafeBytes({ b in Result { () throws(CompiledRulesError) in try CompiledRulesHeader(b) } }).get() else {
        return file.count
    }
    return header.coldOffset
}

/// One phrase list of `phrases` and one rule that tests it: the rule set of the phrase-set rows.
func phraseRuleSource(_ phrases: [[UInt8]]) -> String {
    var out: [UInt8] = Array("schema { text: text }\nphrases big {\n".utf8)
    for p in phrases {
        out.append(0x22)
        for b in p {
            if b == 0x22 || b == 0x5C { out.append(0x5C) }
            out.append(b)
        }
        out += [0x22, 0x0A]
    }
    out += Array("}\nrule r { severity info message \"m\" when big in text }\n".utf8)
    return String(decoding: out, as: UTF8.self)
}
