import Foundation
import Testing

/// The investigation workflow, run as a user runs it: a staff member's mailbox and a WhatsApp
/// export (Tests/Fixtures/investigation, invented people), with and without a people directory.
@Suite("Investigations end to end", .serialized)
struct InvestigationCommandTests {
    static let fixtures = "Tests/Fixtures/investigation"
    static let mailbox = fixtures + "/staff-mailbox.mbox"
    static let chat = fixtures + "/class-chat.txt"
    static let people = fixtures + "/people.csv"

    static func run(_ arguments: [String], stdin: String? = nil) throws -> CommandTests.Run {
        try CommandTests.run(arguments, stdin: stdin)
    }

    /// The numbers of the reconciliation line, which must be last and add up.
    static func totals(_ r: CommandTests.Run) -> (read: Int, scanned: Int, rejected: Int, findings: Int) {
        let last = r.stderr.split(separator: "\n").last.map(String.init) ?? ""
        let n = last.split(whereSeparator: { !$0.isNumber }).compactMap { Int($0) }
        #expect(last.hasPrefix("invigil: read "), "\(last)")
        #expect(n.count == 4 && n[0] == n[1] + n[2], "\(last)")
        return n.count == 4 ? (n[0], n[1], n[2], n[3]) : (-1, -1, -1, -1)
    }

    static func findings(_ r: CommandTests.Run) throws -> [[String: Any]] {
        try r.stdout.split(separator: "\n").map { line in
            try #require(JSONSerialization.jsonObject(with: Data(line.utf8)) as? [String: Any])
        }
    }

    @Test func mailboxWithoutDirectoryWarnsInsteadOfStayingSilent() throws {
        let r = try Self.run(["scan", "--format", "jsonl", Self.mailbox])
        #expect(r.status == 0)
        #expect(Self.totals(r) == (2, 2, 0, 0))
        #expect(r.stderr.contains("warning: 2 of 2 scanned events have no author role"))
        #expect(r.stderr.contains("give --directory people.csv"))
        #expect(r.stderr.contains("warning: 2 events name no school, so all 5 packs judged them"))
        #expect(r.stderr.contains("Jamie Harrow"), "people without a role are listed")
        let strict = try Self.run(["scan", "--strict", "--format", "jsonl", Self.mailbox])
        #expect(strict.status == 2)
    }

    @Test func mailboxWithDirectoryFindsTheBreachWithContext() throws {
        // Pack names, codes and severities are case-insensitive.
        let r = try Self.run([
            "scan", "--format", "jsonl", "--pack", "Woolhampton", "--min-severity", "Critical",
            "--directory", Self.people, Self.mailbox
        ])
        #expect(r.status == 1)
        #expect(Self.totals(r).findings >= 1)
        #expect(!r.stderr.contains("warning:"), "\(r.stderr)")
        let all = try Self.findings(r)
        let secrecy = try #require(all.first { ($0["rule"] as? String) == "woolhampton/staff-secrecy-with-pupil" })
        #expect(secrecy["source"] as? String == Self.mailbox + ":#1")
        let author = try #require(secrecy["author"] as? [String: String])
        #expect(author["name"] == "Jamie Harrow" && author["role"] == "staff")
        let recipients = try #require(secrecy["recipients"] as? [[String: String]])
        #expect(recipients.first?["role"] == "pupil")
        #expect(secrecy["time"] as? String == "2024-03-12T21:04:00+00:00")
        let channel = try #require(secrecy["channel"] as? [String: String])
        #expect(channel["type"] == "email")
        // The window: its matches point at the matched words inside its text.
        let window = try #require(secrecy["window"] as? [String: Any])
        let text = Array(try #require(window["text"] as? String).utf8)
        let spans = try #require(window["matches"] as? [[Int]])
        #expect(!spans.isEmpty)
        let matched = spans.map { String(decoding: text[$0[0]..<$0[1]], as: UTF8.self) }
        #expect(matched.contains("it's our secret"), "\(matched)")
        #expect((window["start"] as? Int ?? -1) >= 0 && (window["end"] as? Int ?? 0) > (window["start"] as? Int ?? 0))
    }

    @Test func chatDirectoryMatchesNumbersAndListsUnknownPeople() throws {
        let r = try Self.run(["scan", "--format", "jsonl", "--pack", "WOOL", "--directory", Self.people, Self.chat])
        #expect(r.status == 1)
        // Five lines, the encryption notice included: read = scanned + rejected.
        #expect(Self.totals(r).read == 5)
        let all = try Self.findings(r)
        let rules = Set(all.compactMap { $0["rule"] as? String })
        #expect(rules.contains("woolhampton/staff-contact-details-to-pupil"), "\(rules)")
        // "+44 7700 900222" in the chat is 07700900222 in the directory: a pupil.
        let contact = try #require(all.first { ($0["rule"] as? String) == "woolhampton/staff-contact-details-to-pupil" })
        let recipients = try #require(contact["recipients"] as? [[String: String]])
        #expect(recipients.contains { $0["name"] == "+44 7700 900222" && $0["role"] == "pupil" })
        #expect(r.stderr.contains("1 people not found in the --directory file"))
        #expect(r.stderr.contains("Alex Visitor"))
    }

    @Test func setAppliesToMailAndChat() throws {
        for input in [Self.mailbox, Self.chat] {
            let r = try Self.run(["scan", "--format", "jsonl", "--set", "school=WOOL", "--directory", Self.people, input])
            #expect(r.status == 1, "\(input)")
            #expect(!r.stderr.contains("name no school"), "\(input)")
            for finding in try Self.findings(r) {
                #expect((finding["rule"] as? String)?.hasPrefix("woolhampton/") == true, "\(finding["rule"] ?? "")")
            }
        }
        let bad = try Self.run(["scan", "--set", "shcool=WOOL", Self.chat])
        #expect(bad.status == 2)
        #expect(bad.stderr.contains("did you mean school?"))
    }

    @Test func unknownFormatsNamedOnTheCommandLineAreRefused() throws {
        let dir = FileManager.default.temporaryDirectory.appendingPathComponent("invigil-unknown-\(getpid())")
        try FileManager.default.createDirectory(at: dir, withIntermediateDirectories: true)
        let files: [(String, [UInt8], String)] = [
            ("photo.jpg", [0xFF, 0xD8, 0xFF, 0xE0, 0x2C, 0x2C], "a JPEG image"),
            ("minutes.pdf", Array("%PDF-1.4\nhello, world\n".utf8), "a PDF document")
        ]
        for (name, bytes, kind) in files {
            let path = dir.appendingPathComponent(name).path
            try Data(bytes).write(to: URL(fileURLWithPath: path))
            let r = try Self.run(["scan", path])
            #expect(r.status == 2, "\(name)")
            #expect(r.stderr.contains("\(path): unknown input format: the file is \(kind)"), "\(r.stderr)")
            #expect(Self.totals(r) == (0, 0, 0, 0))
            // Told the format, the command reads it as asked.
            let told = try Self.run(["scan", "--input-format", "csv", path])
            #expect(told.status != 2 || !told.stderr.contains("unknown input format"))
        }
    }

    @Test func standardInputIsRecognisedByContent() throws {
        let mbox = try String(contentsOfFile: CommandTests.repoRoot + "/" + Self.mailbox, encoding: .utf8)
        let r = try Self.run(["scan", "--format", "jsonl", "--pack", "wool", "--directory", Self.people, "-"], stdin: mbox)
        #expect(Self.totals(r) == (2, 2, 0, Self.totals(r).findings))
        #expect(!r.stderr.contains("expected a JSON object"))
        #expect(r.stdout.contains("\"source\":\"<stdin>:#1\""))
        let chat = try String(contentsOfFile: CommandTests.repoRoot + "/" + Self.chat, encoding: .utf8)
        let c = try Self.run(["scan", "--format", "jsonl", "--pack", "wool", "--directory", Self.people, "-"], stdin: chat)
        #expect(Self.totals(c).read == 5)
        let binary = try Self.run(["scan", "-"], stdin: "\u{0}\u{1}\u{2}PK binary")
        #expect(binary.status == 2)
        #expect(binary.stderr.contains("standard input is a binary file"))
    }

    @Test func nothingScannedIsAWarning() throws {
        let path = try CommandTests.temporaryFile("all-bad.jsonl", "not json\n{\"text\": 5\n")
        let r = try Self.run(["scan", path])
        #expect(Self.totals(r) == (2, 0, 2, 0))
        #expect(r.stderr.contains("warning: nothing was scanned: all 2 records were rejected"))
        #expect(r.status == 0)
        #expect(try Self.run(["scan", "--strict", path]).status == 2)
    }

    @Test func explainTakesTheSourceThatScanPrints() throws {
        let mail = try Self.run(["explain", "--pack", "WOOL", "--directory", Self.people, Self.mailbox + ":#1"])
        #expect(mail.status == 0)
        #expect(mail.stdout.hasPrefix("event inv-0001@woolhampton.example.sch.uk:"))
        #expect(mail.stdout.contains("FIRES  woolhampton/staff-secrecy-with-pupil"))
        let chat = try Self.run(["explain", "--pack", "WOOL", "--directory", Self.people, Self.chat + ":4"])
        #expect(chat.stdout.contains("FIRES  woolhampton/staff-contact-details-to-pupil"))
        let zipped = try Self.run([
            "explain", "--pack", "WOOL", "--directory", "Tests/Fixtures/archive/whatsapp-zip/people.csv",
            "Tests/Fixtures/archive/whatsapp-zip/ios-export.zip!_chat.txt:3"
        ])
        #expect(zipped.stdout.contains("FIRES  woolhampton/staff-contact-details-to-pupil"), "\(zipped.stderr)")
        let jsonl = try Self.run(["explain", "examples/sample/bratton.jsonl:6"])
        #expect(jsonl.stdout.hasPrefix("event brat-0006:"))
        let missing = try Self.run(["explain", Self.chat + ":99"])
        #expect(missing.status == 2)
        #expect(missing.stderr.contains("has no record \(Self.chat):99 (5 records read)"))
        let several = try Self.run(["explain", Self.mailbox])
        #expect(several.status == 2)
        #expect(several.stderr.contains("holds several records; name one"))
    }

    @Test func everyCommandHasHelp() throws {
        for command in ["check", "test", "scan", "explain", "bench", "compile", "inspect", "coverage"] {
            let r = try Self.run([command, "--help"])
            #expect(r.status == 0, "\(command)")
            #expect(r.stdout.hasPrefix("usage: invigil \(command)"), "\(command): \(r.stdout.prefix(80))")
            let viaHelp = try Self.run(["help", command])
            #expect(viaHelp.stdout == r.stdout, "\(command)")
        }
        let unknown = try Self.run(["help", "sacn"])
        #expect(unknown.status == 2)
        #expect(unknown.stderr.contains("did you mean 'scan'?"))
    }

    /// On a terminal the progress line is cleared before findings are printed to the same terminal.
    @Test func progressLineIsClearedBeforeFindings() throws {
        guard FileManager.default.isExecutableFile(atPath: "/usr/bin/script") else {
            Issue.record("util-linux `script` is needed to run the command on a terminal")
            return
        }
        // Two inputs: the progress line drawn after the first comes before the second's findings.
        let command = "\(CommandTests.binary) scan --format text --pack WOOL --directory \(Self.people) \(Self.chat) \(Self.mailbox)"
        let process = Process()
        process.executableURL = URL(fileURLWithPath: "/usr/bin/script")
        process.arguments = ["-qec", command, "/dev/null"]
        process.currentDirectoryURL = URL(fileURLWithPath: CommandTests.repoRoot)
        var env = ProcessInfo.processInfo.environment
        env["NO_COLOR"] = "1"
        env["TERM"] = "xterm"
        process.environment = env
        let out = Pipe()
        process.standardOutput = out
        process.standardInput = FileHandle.nullDevice
        try process.run()
        let data = out.fileHandleForReading.readDataToEndOfFile()
        process.waitUntilExit()
        let screen = String(decoding: data, as: UTF8.self)
        #expect(screen.contains("CRITICAL"), "no finding on the terminal: \(screen)")
        #expect(screen.contains(" events  "), "no progress line on the terminal: \(screen)")
        // Each progress line starts with a clear; findings printed after one must follow another
        // clear, so no piece between clears holds both a progress line and a finding.
        for piece in screen.components(separatedBy: "\r\u{1B}[K") where piece.contains(" events  ") {
            #expect(!piece.contains("CRITICAL"), "a finding was printed over the progress line: \(piece.debugDescription)")
        }
    }
}
