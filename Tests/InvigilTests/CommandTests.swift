import Foundation
import InvigilArchive
import Testing

/// End-to-end tests of the `invigil` command, run as a separate process.
@Suite("Command end to end", .serialized)
struct CommandTests {
    static let repoRoot: String = {
        var url = URL(fileURLWithPath: #filePath)
        for _ in 0..<3 { url.deleteLastPathComponent() }
        return url.path
    }()

    static var binary: String {
        let candidates = [
            URL(fileURLWithPath: CommandLine.arguments[0]).deletingLastPathComponent().appendingPathComponent("invigil").path,
            URL(fileURLWithPath: CommandLine.arguments[0]).deletingLastPathComponent().deletingLastPathComponent().appendingPathComponent("invigil")
                .path,
            repoRoot + "/.build/debug/invigil"
        ]
        return candidates.first { FileManager.default.isExecutableFile(atPath: $0) } ?? candidates.last!
    }

    struct Run {
        var status: Int32
        var stdout: String
        var stderr: String
    }

    /// The cache of compiled rules the command's scans use in these tests: one folder per test
    /// process, so that the tests neither write to the home folder nor start from entries an
    /// earlier build left (`RuleCacheCommandTests` sets its own).
    static let cacheFolder: String = {
        let dir = FileManager.default.temporaryDirectory.appendingPathComponent("invigil-tests-\(getpid())/rule-cache").path
        try? FileManager.default.createDirectory(atPath: dir, withIntermediateDirectories: true)
        return dir
    }()

    static func run(_ arguments: [String], stdin: String? = nil, environment extra: [String: String] = [:]) throws -> Run {
        let process = Process()
        process.executableURL = URL(fileURLWithPath: binary)
        process.arguments = arguments
        process.currentDirectoryURL = URL(fileURLWithPath: repoRoot)
        var env = ProcessInfo.processInfo.environment
        env["NO_COLOR"] = "1"
        env["INVIGIL_CACHE_DIR"] = cacheFolder
        env.merge(extra) { $1 }
        process.environment = env
        let out = Pipe(), err = Pipe(), input = Pipe()
        process.standardOutput = out
        process.standardError = err
        process.standardInput = input
        try process.run()
        if let stdin { input.fileHandleForWriting.write(Data(stdin.utf8)) }
        try input.fileHandleForWriting.close()
        let outData = out.fileHandleForReading.readDataToEndOfFile()
        let errData = err.fileHandleForReading.readDataToEndOfFile()
        process.waitUntilExit()
        return Run(
            status: process.terminationStatus, stdout: String(decoding: outData, as: UTF8.self),
            stderr: String(decoding: errData, as: UTF8.self))
    }

    static func temporaryFile(_ name: String, _ contents: String) throws -> String {
        let dir = FileManager.default.temporaryDirectory.appendingPathComponent("invigil-tests-\(getpid())")
        try FileManager.default.createDirectory(at: dir, withIntermediateDirectories: true)
        let path = dir.appendingPathComponent(name).path
        try contents.write(toFile: path, atomically: true, encoding: .utf8)
        return path
    }

    static let rules = """
        pack demo { code "DEMO" }
        schema {
            id: string
            school: string
            author.role: enum(staff, pupil)
            text: text
        }
        phrases offer { "text me" }
        rule contact {
            clauses DEMO-01
            severity serious
            action "Tell the head"
            message "Contact offered."
            when author.role == staff and (offer in text or phone in text)
            example flag { "author": {"role": "staff"}, "text": "text me" }
            example pass { "author": {"role": "pupil"}, "text": "text me" }
        }
        """

    @Test func checkReportsEveryError() throws {
        let path = try CommandTests.temporaryFile(
            "bad.rules",
            """
            schema { author.role: enum(staff, pupil)  text: text }
            rule a { severity breach message "m" when author.rol == staff }
            rule b { severity serius message "m" when author.role == staf }
            rule c { severity info message "m" when nothing in text }
            rule d { severity info message "m" when text == 3 }
            """)
        let r = try CommandTests.run(["check", path])
        #expect(r.status == 2)
        let errors = r.stdout.split(separator: "\n").filter { $0.contains(": error: ") }
        #expect(errors.count == 5, "\(r.stdout)")
        #expect(errors.allSatisfy { $0.hasPrefix(Substring(path + ":")) })
        #expect(r.stdout.contains("\(path):2:43: error: unknown field 'author.rol'; did you mean 'author.role'?"))
    }

    @Test func checkAndTestTheBundledPacks() throws {
        let check = try CommandTests.run(["check", "packs/"])
        #expect(check.status == 0, "\(check.stdout)")
        let test = try CommandTests.run(["test", "packs/"])
        #expect(test.status == 0)
        let last = test.stdout.split(separator: "\n").last.map(String.init) ?? ""
        #expect(last.hasSuffix(" passed, 0 failed"), "\(last)")
    }

    @Test func failingExampleIsReportedWithItsLocation() throws {
        let path = try CommandTests.temporaryFile(
            "failing.rules",
            CommandTests.rules.replacingOccurrences(
                of: "example pass { \"author\": {\"role\": \"pupil\"}", with: "example pass { \"author\": {\"role\": \"staff\"}"))
        let r = try CommandTests.run(["test", path])
        #expect(r.status == 1)
        #expect(r.stdout.contains("\(path):16:18: error: example pass of rule 'demo/contact' was flagged"))
        #expect(r.stdout.hasSuffix("1 passed, 1 failed\n"))
    }

    @Test func scanReportsMalformedLinesAndReconciles() throws {
        let rules = try CommandTests.temporaryFile("demo.rules", CommandTests.rules)
        let archive = try CommandTests.temporaryFile(
            "archive.jsonl",
            """
            {"id":"e1","author":{"role":"staff"},"text":"text me on 07700 900123"}
            {"id":"e2","author":{"role":"staff"},"text":"see you tomorrow"}
            this is not json
            {"id":"e4","author":{"role":"teacher"},"text":"text me"}

            {"author":{"role":"staff"},"text":"text me"}
            {"id":"e7","author":{"role":"staff"},"text":"cut off
            """)
        let r = try CommandTests.run(["scan", "--rules", rules, "--format", "jsonl", archive])
        #expect(r.status == 1)
        let findings = r.stdout.split(separator: "\n")
        #expect(findings.count == 2)
        #expect(findings[0].contains("\"event\":\"e1\""))
        #expect(findings[0].contains("\"source\":\"\(archive):1\""))
        #expect(findings[0].contains("\"clauses\":[\"DEMO-01\"]"))
        #expect(findings[0].contains("\"excerpt\":\"07700 900123\""))
        #expect(findings[1].contains("\"event\":\"\(archive):6\""))  // no id: derived from the source
        #expect(r.stderr.contains("\(archive):3: error: "))
        #expect(r.stderr.contains("\(archive):4: error: "))
        #expect(r.stderr.contains("\(archive):7: error: "))
        let last = r.stderr.split(separator: "\n").last.map(String.init)
        #expect(last == "invigil: read 6, scanned 3, rejected 3, findings 2")
        let strict = try CommandTests.run(["scan", "--rules", rules, "--strict", archive])
        #expect(strict.status == 2)
    }

    /// A folder with a link back up the tree and a second link to one file: every record is read
    /// once, the loop ends, and the paths not read again are listed.
    @Test func linkLoopsAndRepeatedFilesAreReadOnce() throws {
        let rules = try CommandTests.temporaryFile("demo.rules", CommandTests.rules)
        let fm = FileManager.default
        let top = fm.temporaryDirectory.appendingPathComponent("invigil-links-\(getpid())").path
        try? fm.removeItem(atPath: top)
        try fm.createDirectory(atPath: top + "/inner", withIntermediateDirectories: true)
        try "{\"id\":\"a\",\"author\":{\"role\":\"staff\"},\"text\":\"text me\"}\n{\"id\":\"b\",\"text\":\"hello\"}\n"
            .write(toFile: top + "/one.jsonl", atomically: true, encoding: .utf8)
        try fm.createSymbolicLink(atPath: top + "/inner/up", withDestinationPath: top)
        try fm.createSymbolicLink(atPath: top + "/inner/same.jsonl", withDestinationPath: top + "/one.jsonl")
        defer { try? fm.removeItem(atPath: top) }
        let r = try CommandTests.run(["scan", "--rules", rules, "--format", "jsonl", "--no-progress", top])
        #expect(r.status == 1)
        #expect(r.stdout.split(separator: "\n").count == 1)
        #expect(r.stderr.contains("2 paths in folders lead to a file or folder already read (a link), not read again"))
        // Sorted, inner/ comes first: its link to the file is read, one.jsonl is then the repeat.
        #expect(r.stderr.contains(top + "/inner/up, " + top + "/one.jsonl"))
        #expect(r.stderr.split(separator: "\n").last == "invigil: read 2, scanned 2, rejected 0, findings 1")
    }

    /// A JSONL file's events are loaded where they lie in their chunk, with their source made
    /// only when needed; standard input's go through records. Both must give the same findings,
    /// errors and totals, on generated lines: events with and without findings, broken JSON,
    /// wrong types, blank and whitespace lines, CRLF endings, a last line without its end.
    @Test func fileChunksAndStandardInputAgree() throws {
        let rules = try CommandTests.temporaryFile("agree.rules", CommandTests.rules)
        var generator = SystemRandomNumberGenerator()
        for round in 0..<4 {
            var text = ""
            for i in 0..<400 {
                let line: String
                switch Int.random(in: 0..<9, using: &generator) {
                case 0: line = "{\"id\":\"e\(i)\",\"author\":{\"role\":\"staff\"},\"text\":\"text me\"}"
                case 1: line = "{\"author\":{\"role\":\"staff\"},\"text\":\"call 07700 900123\"}"
                case 2: line = "{\"id\":\"e\(i)\",\"author\":{\"role\":\"pupil\"},\"text\":\"text me\"}"
                case 3: line = "{\"id\":\"e\(i)\",\"text\":"
                case 4: line = "{\"id\":\"e\(i)\",\"author\":{\"role\":\"teacher\"},\"text\":\"text me\"}"
                case 5: line = ["", "   ", "\t"].randomElement(using: &generator)!
                case 6: line = "{\"id\":3,\"text\":\"hello\"}"
                case 7: line = "not json"
                default: line = "{\"id\":\"e\(i)\",\"author\":{\"role\":\"staff\"},\"text\":\"hello there\"}"
                }
                text += line + (Bool.random(using: &generator) ? "\r\n" : "\n")
            }
            text += "{\"id\":\"last\",\"author\":{\"role\":\"staff\"},\"text\":\"text me\"}"
            let path = try CommandTests.temporaryFile("agree-\(round).jsonl", text)
            let arguments = [
                "scan", "--rules", rules, "--format", "jsonl", "--input-format", "jsonl", "--no-progress", "--jobs", "2", "--chunk-bytes", "997"
            ]
            let fromFile = try CommandTests.run(arguments + [path])
            let fromInput = try CommandTests.run(arguments + ["-"], stdin: text)
            #expect(fromFile.status == fromInput.status)
            #expect(fromFile.stdout.replacingOccurrences(of: path + ":", with: "<stdin>:") == fromInput.stdout)
            let errors = { (r: Run) in r.stderr.split(separator: "\n").filter { $0.contains(": error:") || $0.contains("read ") } }
            #expect(errors(fromFile).map { $0.replacingOccurrences(of: path + ":", with: "<stdin>:") } == errors(fromInput).map(String.init))
            #expect(!fromFile.stdout.isEmpty && fromFile.stderr.contains(": error:"))
        }
    }

    @Test func outputIsIdenticalForEveryJobCount() throws {
        let rules = try CommandTests.temporaryFile("demo2.rules", CommandTests.rules)
        var lines: [String] = []
        for i in 0..<5000 {
            lines.append(
                i % 7 == 0
                    ? "broken \(i)"
                    : "{\"id\":\"e\(i)\",\"author\":{\"role\":\"\(i % 2 == 0 ? "staff" : "pupil")\"},\"text\":\"\(i % 3 == 0 ? "text me" : "hello")\"}"
            )
        }
        let archive = try CommandTests.temporaryFile("many.jsonl", lines.joined(separator: "\n"))
        let one = try CommandTests.run(["scan", "--rules", rules, "--jobs", "1", archive])
        let two = try CommandTests.run(["scan", "--rules", rules, "--jobs", "2", archive])
        let four = try CommandTests.run(["scan", "--rules", rules, "--jobs", "4", archive])
        #expect(one.stdout == two.stdout)
        #expect(one.stdout == four.stdout)
        #expect(
            one.stderr.split(separator: "\n").filter { $0.contains("error") } == two.stderr.split(separator: "\n").filter { $0.contains("error") })
        #expect(one.stdout.split(separator: "\n").count == (0..<5000).filter { $0 % 7 != 0 && $0 % 2 == 0 && $0 % 3 == 0 }.count)
        // The broken lines are named by their own numbers (the workers count the chunks' lines).
        let rejectedLines = one.stderr.split(separator: "\n").filter { $0.contains(": error: ") }.map {
            Int($0.dropFirst(archive.count + 1).prefix { $0 != ":" }) ?? -1
        }
        #expect(rejectedLines == (0..<5000).filter { $0 % 7 == 0 }.map { $0 + 1 })
        // Small chunks: many pieces in flight, put back in order.
        for chunk in ["1", "333"] {
            let small = try CommandTests.run(["scan", "--rules", rules, "--jobs", "3", "--chunk-bytes", chunk, archive])
            #expect(small.stdout == one.stdout, "--chunk-bytes \(chunk)")
            #expect(
                small.stderr.split(separator: "\n").filter { $0.contains("error") }
                    == one.stderr.split(separator: "\n").filter { $0.contains("error") })
        }
    }

    /// A line over the limit in a JSONL file read in ranges by the workers (`--jobs` 2 or more)
    /// is rejected with its number and length, without being held, and the lines around it are
    /// scanned: the same output as one job reading the file, wherever the ranges are cut.
    @Test func overLongLineIsRejectedForEveryJobCount() throws {
        let rules = try CommandTests.temporaryFile("demo-long.rules", CommandTests.rules)
        let event = "{\"id\":\"e\",\"author\":{\"role\":\"staff\"},\"text\":\"text me\"}"
        let long = String(repeating: "a", count: ArchiveLimits.lineBytes + 1)
        let text = [event, event, long, event, "broken", event].joined(separator: "\n")
        let archive = try CommandTests.temporaryFile("long.jsonl", text)
        defer { unlink(archive) }
        let one = try CommandTests.run(["scan", "--rules", rules, "--no-progress", "--jobs", "1", archive])
        let errors = { (r: Run) in r.stderr.split(separator: "\n").filter { $0.contains(": error: ") } }
        #expect(one.stdout.split(separator: "\n").count == 4)
        #expect(errors(one).count == 2)
        #expect(
            errors(one).first == "\(archive):3: error: line of \(long.utf8.count + 1) bytes is longer than the limit of \(ArchiveLimits.lineBytes)")
        #expect(errors(one).last?.hasPrefix("\(archive):5: error:") == true)
        for (jobs, chunk) in [("2", "1048576"), ("3", "65536"), ("2", "1000")] {
            let r = try CommandTests.run(["scan", "--rules", rules, "--no-progress", "--jobs", jobs, "--chunk-bytes", chunk, archive])
            #expect(r.stdout == one.stdout, "jobs \(jobs) chunk \(chunk)")
            #expect(errors(r) == errors(one), "jobs \(jobs) chunk \(chunk)")
        }
    }

    /// A regular file that reports a size of 0 but holds bytes (those under /proc) is read
    /// through at `--jobs` 2 as at 1, not cut into no ranges at all.
    @Test func fileThatReportsNoSizeIsReadThrough() throws {
        let path = "/proc/self/mountinfo"
        guard FileManager.default.fileExists(atPath: path) else { return }
        let totals = { (r: Run) in r.stderr.split(separator: "\n").last { $0.hasPrefix("invigil: read ") }.map(String.init) }
        let one = try CommandTests.run(["scan", "--no-progress", "--input-format", "jsonl", "--jobs", "1", path])
        let two = try CommandTests.run(["scan", "--no-progress", "--input-format", "jsonl", "--jobs", "2", path])
        #expect(totals(one) != nil && totals(one) == totals(two))
        #expect(totals(two)?.hasPrefix("invigil: read 0,") == false)
    }

    /// The same for every archive format the pipeline handles differently: mbox chunks, Maildir
    /// messages as tasks, whole chat files, CSV read by the main thread, folders of .eml files.
    @Test func everyFormatGivesTheSameOutputForEveryJobCount() throws {
        let inputs = [
            "Tests/Fixtures/archive/mbox", "Tests/Fixtures/archive/mail", "Tests/Fixtures/archive/csv",
            "Tests/Fixtures/archive/whatsapp", "Tests/Fixtures/investigation", "examples/sample"
        ]
        let base = try CommandTests.run(["scan", "--format", "jsonl", "--jobs", "1"] + inputs)
        #expect(base.stderr.hasSuffix("\n"))
        let reference = base.stderr.split(separator: "\n").filter { !$0.contains(" in ") }
        for (jobs, chunk) in [("2", "1048576"), ("4", "64"), ("3", "1")] {
            let r = try CommandTests.run(["scan", "--format", "jsonl", "--jobs", jobs, "--chunk-bytes", chunk] + inputs)
            #expect(r.status == base.status)
            #expect(r.stdout == base.stdout, "jobs \(jobs) chunk \(chunk)")
            // Standard error too, but for the line with the elapsed time.
            #expect(r.stderr.split(separator: "\n").filter { !$0.contains(" in ") } == reference, "jobs \(jobs) chunk \(chunk)")
        }
    }

    /// With several jobs, each worker but the first scans with its own copy of the rules
    /// (`RuleReplicaSource`), loaded from the cache's compiled file, from the rules written out
    /// (without the cache), or from a compiled rule file's rules: the same findings as one job.
    @Test func workersCopiesOfTheRulesFindTheSame() throws {
        let compiled = NSTemporaryDirectory() + "invigil-replica-\(getpid()).ivg"
        defer { unlink(compiled) }
        let made = try CommandTests.run(["compile", "-o", compiled])
        #expect(made.status == 0, "\(made.stderr)")
        for rules in [[], ["--no-cache"], ["--rules", compiled]] {
            let one = try CommandTests.run(["scan", "--format", "jsonl", "--no-progress", "--jobs", "1"] + rules + ["examples/sample"])
            let three = try CommandTests.run(
                ["scan", "--format", "jsonl", "--no-progress", "--jobs", "3", "--chunk-bytes", "4096"] + rules + ["examples/sample"])
            #expect(one.status == 1 && three.status == 1)
            #expect(one.stdout.count > 100_000)
            #expect(three.stdout == one.stdout, "\(rules)")
        }
    }

    /// A Maildir's messages go to the workers a few dozen a task: findings, rejections and a
    /// message that cannot be opened (a broken link) come out in the files' order, the same for
    /// every job count.
    @Test func maildirMessagesInBatchesKeepTheirOrder() throws {
        let rules = try CommandTests.temporaryFile("demo-maildir.rules", CommandTests.rules)
        let root = FileManager.default.temporaryDirectory.appendingPathComponent("invigil-maildir-\(getpid())").path
        try? FileManager.default.removeItem(atPath: root)
        for sub in ["cur", "new", "tmp"] { try FileManager.default.createDirectory(atPath: root + "/" + sub, withIntermediateDirectories: true) }
        defer { try? FileManager.default.removeItem(atPath: root) }
        for i in 0..<300 {
            let name = root + "/cur/" + String(format: "%04d", i)
            if i == 137 {
                try FileManager.default.createSymbolicLink(atPath: name, withDestinationPath: root + "/missing")
                continue
            }
            let body = i % 5 == 0 ? "text me tonight \(i)" : "hello \(i)"
            let message = i % 11 == 0 ? "not a mail message at all" : "From: t\(i)@school.example\nTo: p@school.example\nSubject: m\(i)\n\n\(body)\n"
            try message.write(toFile: name, atomically: false, encoding: .utf8)
        }
        let one = try CommandTests.run(["scan", "--rules", rules, "--set", "author.role=staff", "--jobs", "1", "--no-progress", root])
        #expect(one.status == 2)  // the message that cannot be opened
        #expect(one.stderr.contains("0137"))
        for jobs in ["2", "3", "4"] {
            let r = try CommandTests.run(["scan", "--rules", rules, "--set", "author.role=staff", "--jobs", jobs, "--no-progress", root])
            #expect(r.stdout == one.stdout, "--jobs \(jobs)")
            #expect(
                r.stderr.split(separator: "\n").filter { !$0.contains(" in ") } == one.stderr.split(separator: "\n").filter { !$0.contains(" in ") })
        }
        // Findings in file order.
        let sources = one.stdout.split(separator: "\n").compactMap { line -> String? in
            guard let r = line.range(of: "\"source\":\"") else { return nil }
            return String(line[r.upperBound...].prefix { $0 != "\"" })
        }
        #expect(sources == sources.sorted())
        #expect(sources.count == (0..<300).filter { $0 % 5 == 0 && $0 % 11 != 0 }.count)
        // Rejections in file order, the unopened message among them.
        let errorFiles = one.stderr.split(separator: "\n").compactMap { line -> Int? in
            guard let r = line.range(of: root + "/cur/") else { return nil }
            return Int(line[r.upperBound...].prefix(4))
        }
        #expect(errorFiles == ((0..<300).filter { $0 % 11 == 0 && $0 != 137 } + [137]).sorted())
    }

    /// Folders of .eml files go to the workers a few dozen files to a task; an input that
    /// cannot be opened is reported in its place among the others' output, for every job count.
    @Test func emlFoldersAndUnopenedInputsKeepTheirOrder() throws {
        let rules = try CommandTests.temporaryFile("demo-eml.rules", CommandTests.rules)
        let root = FileManager.default.temporaryDirectory.appendingPathComponent("invigil-eml-\(getpid())").path
        try? FileManager.default.removeItem(atPath: root)
        defer { try? FileManager.default.removeItem(atPath: root) }
        for folder in ["a", "b"] {
            try FileManager.default.createDirectory(atPath: root + "/" + folder, withIntermediateDirectories: true)
            for i in 0..<150 {
                let message =
                    i % 13 == 0
                    ? "not a mail message at all"
                    : "From: t\(i)@school.example\nTo: p@school.example\nSubject: m\n\n\(i % 4 == 0 ? "text me" : "hi") \(i)\n"
                try message.write(toFile: root + "/\(folder)/" + String(format: "%03d", i) + ".eml", atomically: false, encoding: .utf8)
            }
        }
        let arguments = ["scan", "--rules", rules, "--set", "author.role=staff", "--no-progress", root + "/a", "/nonexistent/x.eml", root + "/b"]
        let one = try CommandTests.run(arguments + ["--jobs", "1"])
        #expect(one.status == 2)
        // Standard error in input order: a's rejections, the missing input, b's rejections.
        let lines = one.stderr.split(separator: "\n")
        let missing = try #require(lines.firstIndex { $0.contains("/nonexistent/x.eml") })
        #expect(lines[..<missing].allSatisfy { !$0.contains(root + "/b/") })
        #expect(lines[missing...].allSatisfy { !$0.contains(root + "/a/") })
        #expect(lines.filter { $0.contains(": error: ") }.count == 2 * (0..<150).filter { $0 % 13 == 0 }.count)
        for jobs in ["2", "4"] {
            let r = try CommandTests.run(arguments + ["--jobs", jobs])
            #expect(r.stdout == one.stdout, "--jobs \(jobs)")
            #expect(r.stderr.split(separator: "\n").filter { !$0.contains(" in ") } == lines.filter { !$0.contains(" in ") }, "--jobs \(jobs)")
        }
    }

    @Test func csvIsSafeForSpreadsheets() throws {
        let rules = try CommandTests.temporaryFile("demo3.rules", CommandTests.rules)
        let r = try CommandTests.run(
            ["scan", "--rules", rules, "--format", "csv", "-"],
            stdin: "{\"id\":\"=HYPERLINK(1)\",\"author\":{\"role\":\"staff\"},\"text\":\"text me, \\\"now\\\"\"}\n")
        // UTF-8 byte-order mark first, so that spreadsheet programs read the file as UTF-8.
        #expect(r.stdout.utf8.starts(with: [0xEF, 0xBB, 0xBF]))
        let rows = r.stdout.dropFirst().split(separator: "\r\n")
        #expect(
            rows.first
                == "event,source,rule,clauses,severity,action,message,excerpt,author_id,author_name,author_role,time,channel,platform,recipients,window,reviewed,outcome,notes"
        )
        #expect(rows.count == 2)
        #expect(rows[1].hasPrefix("'=HYPERLINK(1),<stdin>:1,demo/contact,DEMO-01,serious,Tell the head,Contact offered.,text me,,,staff,"))
        #expect(rows[1].hasSuffix(",\"text me, \"\"now\"\"\",,,"))
        let plain = try CommandTests.run(["scan", "--rules", rules, "--format", "csv", "--no-bom", "-"], stdin: "{\"text\":\"hello\"}\n")
        #expect(plain.stdout.hasPrefix("event,source,"))
    }

    @Test func unusableInputsExitTwo() throws {
        let missing = try CommandTests.run([
            "scan", "--rules", try CommandTests.temporaryFile("demo4.rules", CommandTests.rules), "/nonexistent/x.jsonl"
        ])
        #expect(missing.status == 2)
        #expect(missing.stderr.contains("/nonexistent/x.jsonl"))
        let badRules = try CommandTests.run(["scan", "--rules", try CommandTests.temporaryFile("bad2.rules", "rule {"), "-"], stdin: "")
        #expect(badRules.status == 2)
        let unknown = try CommandTests.run(["scan", "--frobnicate"])
        #expect(unknown.status == 2)
        #expect(unknown.stderr.contains("unknown option --frobnicate"))
    }

    @Test func explainShowsConditions() throws {
        let rules = try CommandTests.temporaryFile("demo5.rules", CommandTests.rules)
        let event = try CommandTests.temporaryFile("event.json", "{\"author\":{\"role\":\"staff\"},\"text\":\"text me\"}")
        let r = try CommandTests.run(["explain", "--rules", rules, event])
        #expect(r.status == 0)
        #expect(r.stdout.contains("FIRES  demo/contact"))
        #expect(r.stdout.contains("✓ author.role == staff"))
        #expect(r.stdout.contains("✓ offer in text   [1 match: \"text me\"@0]"))
        #expect(r.stdout.contains("✗ phone in text"))
    }

    @Test func sampleArchiveScansWithBundledPacks() throws {
        let r = try CommandTests.run(["scan", "--format", "jsonl", "examples/sample/"])
        #expect(r.status == 1)
        let last = r.stderr.split(separator: "\n").last.map(String.init) ?? ""
        let numbers = last.split(whereSeparator: { !$0.isNumber }).compactMap { Int($0) }
        #expect(numbers.count == 4 && numbers[0] == numbers[1] + numbers[2] && numbers[0] >= 200, "\(last)")
    }
}
