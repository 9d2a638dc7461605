import Foundation
import Testing

/// `invigil compile` and `inspect`, and compiled files given to scan, test, explain and bench.
@Suite("Compiled rule files from the command", .serialized)
struct CompiledCommandTests {
    /// The bundled packs' counts as `invigil check` reports them from the sources, which the
    /// compiled file must match: rules, phrases (plain automaton) and examples.
    static func sourceCounts() throws -> (rules: Int, phrases: Int, examples: Int) {
        let r = try CommandTests.run(["check", "packs/"])
        let words = r.stdout.split(whereSeparator: { $0 == " " || $0 == "," })
        func number(before word: String) -> Int {
            guard let i = words.firstIndex(where: { $0 == word }), i > 0 else { return -1 }
            return Int(words[i - 1]) ?? -1
        }
        return (number(before: "rules"), number(before: "phrases"), number(before: "examples;"))
    }

    static func compiledPacks() throws -> String {
        let path = try CommandTests.temporaryFile("packs.ivg", "")
        let r = try CommandTests.run(["compile", "-o", path])
        #expect(r.status == 0, "\(r.stderr)")
        let rules = try sourceCounts().rules
        #expect(r.stdout.isEmpty && r.stderr.contains("\(rules) rules in 5 packs"), "\(r.stderr)")
        return path
    }

    @Test func scanOutputIsIdenticalInEveryFormat() throws {
        let compiled = try Self.compiledPacks()
        for format in ["jsonl", "csv", "text"] {
            let fromSources = try CommandTests.run(["scan", "--format", format, "--jobs", "1", "examples/sample/"])
            let fromFile = try CommandTests.run(["scan", "--format", format, "--jobs", "1", "--rules", compiled, "examples/sample/"])
            #expect(fromSources.status == 1 && fromFile.status == 1)
            #expect(fromSources.stdout.count > 1000)
            #expect(fromFile.stdout == fromSources.stdout, "format \(format)")
        }
        // --pack selects packs of a compiled file as of the sources.
        let one = try CommandTests.run(["scan", "--format", "jsonl", "--pack", "dsat", "--rules", compiled, "examples/sample/"])
        let oneSources = try CommandTests.run(["scan", "--format", "jsonl", "--pack", "dsat", "examples/sample/"])
        #expect(one.stdout == oneSources.stdout && !one.stdout.isEmpty)
    }

    @Test func testExplainAndBenchAcceptACompiledFile() throws {
        let compiled = try Self.compiledPacks()
        let test = try CommandTests.run(["test", compiled])
        #expect(test.status == 0)
        let examples = try Self.sourceCounts().examples
        #expect(test.stdout.contains("\(examples) passed, 0 failed"))
        let event = try CommandTests.temporaryFile(
            "compiled-event.json",
            #"{"school":"DSAT","type":"direct_message","author":{"role":"staff"},"recipients":[{"role":"pupil"}],"text":"text me"}"#)
        let a = try CommandTests.run(["explain", "--rules", compiled, event])
        let b = try CommandTests.run(["explain", event])
        #expect(a.status == b.status && a.stdout == b.stdout && !a.stdout.isEmpty)
        let bench = try CommandTests.run(["bench", "--rules", compiled, "--repeat", "1", "examples/sample/dsat.jsonl"])
        #expect(bench.status == 0)
        #expect(bench.stdout.contains("load:"))
    }

    /// `--pack` compiles some bundled packs (their files and configuration folders): the same
    /// findings as those sources.
    @Test func compileSelectedPacks() throws {
        let path = try CommandTests.temporaryFile("two.ivg", "")
        let r = try CommandTests.run(["compile", "--pack", "dsat", "--pack", "prudhoe", "-o", path])
        #expect(r.status == 0 && r.stderr.contains("in 2 packs"), "\(r.stderr)")
        let fromFile = try CommandTests.run(["scan", "--format", "jsonl", "--rules", path, "examples/sample/"])
        let fromSources = try CommandTests.run([
            "scan", "--format", "jsonl", "--rules", "packs/dsat.rules", "--rules", "packs/dsat",
            "--rules", "packs/prudhoe.rules", "--rules", "packs/prudhoe", "examples/sample/"
        ])
        #expect(fromFile.stdout == fromSources.stdout && !fromFile.stdout.isEmpty)
        let unknown = try CommandTests.run(["compile", "--pack", "dsatt", "-o", path])
        #expect(unknown.status == 2 && unknown.stderr.contains("did you mean dsat"))
    }

    @Test func inspectShowsTheHeader() throws {
        let compiled = try Self.compiledPacks()
        let r = try CommandTests.run(["inspect", compiled])
        #expect(r.status == 0)
        let counts = try Self.sourceCounts()
        for line in [
            "format version:   4", "cold part:", "engine version:   0.1.0", "(valid)", "packs:            5:", "rules:            \(counts.rules)",
            "automaton:        plain: \(counts.phrases) patterns"
        ] {
            #expect(r.stdout.contains(line), "\(line)")
        }
    }

    /// A damaged file: exit status 2 and one message on standard error, for every command.
    @Test func damagedFilesAreRefusedWithOneMessage() throws {
        let compiled = try Self.compiledPacks()
        let bytes = try Data(contentsOf: URL(fileURLWithPath: compiled))
        let truncated = try CommandTests.temporaryFile("truncated.ivg", "")
        try bytes.prefix(bytes.count / 2).write(to: URL(fileURLWithPath: truncated))
        var flipped = bytes
        flipped[1000] ^= 0x10
        let corrupted = try CommandTests.temporaryFile("corrupted.ivg", "")
        try flipped.write(to: URL(fileURLWithPath: corrupted))
        var versioned = bytes
        versioned[8] = 2  // the previous format version, which stored no program (the loader compiled it)
        let other = try CommandTests.temporaryFile("other.ivg", "")
        try versioned.write(to: URL(fileURLWithPath: other))
        let cases: [(String, String)] = [(truncated, "truncated"), (corrupted, "payload checksum"), (other, "format version 2")]
        for (path, words) in cases {
            for command in [["scan", "--rules", path, "examples/sample/"], ["test", path], ["inspect", path], ["bench", "--rules", path]] {
                let r = try CommandTests.run(command)
                #expect(r.status == 2, "\(command)")
                let lines = r.stderr.split(separator: "\n")
                #expect(lines.count == 1 && r.stderr.contains(words) && r.stderr.contains(path), "\(command): \(r.stderr)")
            }
        }
        // A compiled file cannot be mixed with sources.
        let mixed = try CommandTests.run(["test", compiled, "packs/bratton.rules"])
        #expect(mixed.status == 2 && mixed.stderr.contains("give it alone"))
        // inspect on rule sources: not a compiled file.
        let notCompiled = try CommandTests.run(["inspect", "packs/bratton.rules"])
        #expect(notCompiled.status == 2 && notCompiled.stderr.contains("not a compiled rule file"))
        // An unwritable output: exit 2.
        let unwritable = try CommandTests.run(["compile", "-o", "/nonexistent-folder/x.ivg"])
        #expect(unwritable.status == 2 && unwritable.stderr.contains("cannot write"))
    }
}
