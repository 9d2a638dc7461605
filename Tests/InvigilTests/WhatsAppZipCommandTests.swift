import Foundation
import Testing

/// `invigil scan` on WhatsApp `.zip` exports (Tests/Fixtures/archive/whatsapp-zip, invented
/// people): findings with sources naming the chat entry, media notes in the summary, the
/// reconciliation line, and refusals with exit status 2.
@Suite("WhatsApp zip exports end to end", .serialized)
struct WhatsAppZipCommandTests {
    static let folder = "Tests/Fixtures/archive/whatsapp-zip"

    /// `read R, scanned S, rejected J, findings F` from the last line of the summary, checked to
    /// reconcile (R = S + J).
    static func tally(_ stderr: String) -> [String: Int] {
        let last = stderr.split(separator: "\n").last.map(String.init) ?? ""
        var result: [String: Int] = [:]
        for part in last.replacingOccurrences(of: "invigil: ", with: "").split(separator: ",") {
            let words = part.split(separator: " ")
            if words.count == 2, let n = Int(words[1]) { result[String(words[0])] = n }
        }
        #expect(result["read"] == (result["scanned"] ?? -1) + (result["rejected"] ?? -1), "\(last)")
        return result
    }

    /// The teacher's messages in the iOS export, with the people directory: the phone number and
    /// the secrecy are found in `export.zip!_chat.txt:3`, and the media no message names is noted.
    @Test func iosExportWithDirectoryGivesFindings() throws {
        let zip = Self.folder + "/ios-export.zip"
        let r = try CommandTests.run(["scan", "--format", "jsonl", "--no-progress", "--directory", Self.folder + "/people.csv", zip])
        #expect(r.status == 1)
        let lines = r.stdout.split(separator: "\n").map(String.init)
        let secret = lines.filter { $0.contains("\"source\":\"\(zip)!_chat.txt:3\"") }
        #expect(secret.contains { $0.contains("\"excerpt\":\"07700 900456\"") })
        #expect(secret.contains { $0.contains("\"excerpt\":\"it's our secret\"") })
        #expect(lines.allSatisfy { $0.contains("\"source\":\"\(zip)!_chat.txt:") })
        #expect(r.stderr.contains("\(zip): 1× media file that no message names (not scanned): 00000007-Timetable.pdf (document, 327 bytes)"))
        let t = Self.tally(r.stderr)
        #expect(t["read"] == 7 && t["rejected"] == 0 && t["findings"] == lines.count)
        // Without the directory nobody has a role: the staff-to-pupil rules cannot fire.
        let bare = try CommandTests.run(["scan", "--format", "jsonl", "--no-progress", "--pack", "WOOL", zip])
        #expect(!bare.stdout.contains("woolhampton/staff-contact-details-to-pupil"))
        #expect(Self.tally(bare.stderr)["read"] == 7)
    }

    /// The Android export named with `--input-format whatsapp`, one pack.
    @Test func androidExportAsWhatsApp() throws {
        let zip = Self.folder + "/android-export.zip"
        let r = try CommandTests.run([
            "scan", "--format", "jsonl", "--no-progress", "--input-format", "whatsapp", "--pack", "WOOL",
            "--directory", Self.folder + "/people.csv", zip
        ])
        #expect(r.status == 1)
        let entry = "\(zip)!WhatsApp Chat with Sam Pupil.txt"
        let lines = r.stdout.split(separator: "\n").map(String.init)
        #expect(lines.contains { $0.contains("\"source\":\"\(entry):3\"") && $0.contains("woolhampton/staff-contact-details-to-pupil") })
        #expect(lines.contains { $0.contains("\"source\":\"\(entry):8\"") && $0.contains("woolhampton/staff-secrecy-with-pupil") })
        #expect(r.stderr.contains("media file named by a message but not in the archive: VID-20240312-WA0003.mp4"))
        #expect(Self.tally(r.stderr) == ["read": 8, "scanned": 8, "rejected": 0, "findings": lines.count])
    }

    /// A zip without a chat text, a truncated export and an encrypted one: the input cannot be
    /// opened (exit 2) and the reason is given; inside a folder a zip without a chat is left alone.
    @Test func unreadableZipsExitTwo() throws {
        for format in ["auto", "whatsapp"] {
            let r = try CommandTests.run(["scan", "--no-progress", "--input-format", format, Self.folder + "/no-chat.zip"])
            #expect(r.status == 2, "\(format)")
            #expect(
                r.stderr.contains(
                    "no-chat.zip: zip archive with no WhatsApp chat text (_chat.txt, or WhatsApp Chat with NAME.txt) among its 2 entries"))
        }
        let full = try Data(contentsOf: URL(fileURLWithPath: CommandTests.repoRoot + "/" + Self.folder + "/ios-export.zip"))
        let cut = try CommandTests.temporaryFile("cut.zip", "")
        try full.prefix(full.count - 30).write(to: URL(fileURLWithPath: cut))
        let truncated = try CommandTests.run(["scan", "--no-progress", "--input-format", "whatsapp", cut])
        #expect(truncated.status == 2)
        #expect(truncated.stderr.contains("cut.zip: not a zip archive, or cut short: no end of central directory record"))

        // A folder holding both exports and the zip without a chat.
        let dir = FileManager.default.temporaryDirectory.appendingPathComponent("invigil-zip-\(getpid())").path
        try? FileManager.default.removeItem(atPath: dir)
        try FileManager.default.createDirectory(atPath: dir, withIntermediateDirectories: true)
        for name in ["ios-export.zip", "android-export.zip", "no-chat.zip"] {
            try FileManager.default.copyItem(atPath: CommandTests.repoRoot + "/" + Self.folder + "/" + name, toPath: dir + "/" + name)
        }
        let folder = try CommandTests.run(["scan", "--format", "jsonl", "--no-progress", "--directory", Self.folder + "/people.csv", dir])
        #expect(folder.status == 1)
        #expect(folder.stderr.contains("1 file of unknown format in folders not read"))
        #expect(folder.stderr.contains("no-chat.zip"))
        #expect(Self.tally(folder.stderr)["read"] == 15)
        #expect(folder.stdout.contains("ios-export.zip!_chat.txt:3"))
        #expect(folder.stdout.contains("android-export.zip!WhatsApp Chat with Sam Pupil.txt:3"))
        try? FileManager.default.removeItem(atPath: dir)
    }
}
