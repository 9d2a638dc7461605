import Foundation
import Testing

/// `invigil scan` (text, JSONL, CSV) and `invigil explain` on the sample archive, against
/// Tests/Fixtures/cli/NAME.stdout, NAME.stderr and NAME.status.
///
/// Deterministic by construction: one job (`--jobs 1`), no progress line, the packs named by a
/// relative path (`--rules packs`, so locations print as `packs/…` wherever the checkout is), and
/// `NO_COLOR`. The one timing in the output, the summary's `in 11 ms (17.9 MB/s)`, is replaced
/// by `in <elapsed>` before comparing (`normalized(stderr:)`); nothing else is rewritten.
@Suite("Golden command output", .serialized)
struct CommandGoldenTests {
    static let folder = Golden.fixtures + "/cli"

    static let cases: [(name: String, arguments: [String])] = [
        ("scan-text", ["scan", "--rules", "packs", "--no-progress", "--jobs", "1", "--format", "text", "examples/sample/"]),
        ("scan-jsonl", ["scan", "--rules", "packs", "--no-progress", "--jobs", "1", "--format", "jsonl", "examples/sample/"]),
        ("scan-csv", ["scan", "--rules", "packs", "--no-progress", "--jobs", "1", "--format", "csv", "examples/sample/"]),
        (
            "scan-serious-one-pack",
            [
                "scan", "--rules", "packs", "--no-progress", "--jobs", "1", "--format", "text",
                "--pack", "WOOL", "--min-severity", "serious", "examples/sample/woolhampton.jsonl"
            ]
        ),
        ("explain-record", ["explain", "--rules", "packs", "examples/sample/bratton.jsonl:21"]),
        ("explain-all-one-pack", ["explain", "--rules", "packs", "--pack", "cherry-trees", "--all", "examples/sample/cherry-trees.jsonl:1"])
    ]

    @Test(arguments: CommandGoldenTests.cases.map(\.name))
    func output(_ name: String) throws {
        let arguments = try #require(Self.cases.first { $0.name == name }).arguments
        let run = try CommandTests.run(arguments)
        let base = Self.folder + "/" + name
        Golden.check(run.stdout, against: base + ".stdout")
        Golden.check(Self.normalized(stderr: run.stderr), against: base + ".stderr")
        Golden.check("\(run.status)\n", against: base + ".status")
    }

    /// The summary line's elapsed time and rate (`invigil: 5 inputs, 207.6 KB in 11 ms (17.9
    /// MB/s)`) become `in <elapsed>`: they are the only part of the output that changes from run
    /// to run.
    static func normalized(stderr: String) -> String {
        let pattern = #" in ([0-9]+ ms|[0-9]+\.[0-9] s|[0-9]+m[0-9]{2}s)( \([0-9.]+ [KMGT]?B/s\))?$"#
        let regex = try! NSRegularExpression(pattern: pattern)
        return stderr.split(separator: "\n", omittingEmptySubsequences: false).map { line -> String in
            let text = String(line)
            guard text.hasPrefix("invigil: ") else { return text }
            let range = NSRange(text.startIndex..., in: text)
            return regex.stringByReplacingMatches(in: text, range: range, withTemplate: " in <elapsed>")
        }.joined(separator: "\n")
    }

    @Test func normalisationTouchesOnlyTheTiming() {
        #expect(
            Self.normalized(stderr: "invigil: 5 inputs, 207.6 KB in 11 ms (17.9 MB/s)\nx in 3 ms\n")
                == "invigil: 5 inputs, 207.6 KB in <elapsed>\nx in 3 ms\n")
        #expect(Self.normalized(stderr: "invigil: 1 input, 0 B in 0 ms\n") == "invigil: 1 input, 0 B in <elapsed>\n")
        #expect(Self.normalized(stderr: "invigil: 2 inputs, 1.2 GB in 2m05s (9.6 MB/s)") == "invigil: 2 inputs, 1.2 GB in <elapsed>")
        #expect(Self.normalized(stderr: "invigil: read 617, scanned 617") == "invigil: read 617, scanned 617")
    }
}
