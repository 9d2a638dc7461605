import Glibc
import Invigil
import InvigilArchive
import Testing

@Suite("Archive mail")
struct ArchiveMailTests {
    typealias T = ArchiveTest

    static let emlFixtures = [
        "cpython/msg_02.txt", "cpython/msg_07.txt", "cpython/msg_16.txt", "cpython/msg_23.txt",
        "mikel/attachment_pdf.eml", "mikel/attachment_with_encoded_name.eml", "mikel/japanese_shift_jis.eml",
        "mikel/ks_c_5601-1987.eml", "mikel/bad_date_header.eml", "mikel/missing_body.eml", "mikel/basic_email.eml",
        "flanker/quoted-printable.eml", "flanker/from-encoding.eml", "flanker/mailformed-headers.eml", "flanker/iphone.eml",
        "flanker/missing-final-boundary.eml", "flanker/enclosed.eml", "flanker/encoded-header.eml"
    ]

    @Test(arguments: emlFixtures)
    func everyFixtureIsOneEmailEvent(file: String) throws {
        let path = T.fixture("mail/" + file)
        let out = try T.read(path, format: .eml)
        #expect(out.records.count == 1)
        #expect(out.rejected.isEmpty, "\(out.rejected)")
        #expect(out.events.first?.source == path)
        #expect(out.value("type", event: 0) == "email")
    }

    @Test func headerBodyOnlyTextIsRejected() throws {
        // msg_19 is a mailing-list digest body without headers.
        let out = try T.read(T.fixture("mail/cpython/msg_19.txt"), format: .eml)
        #expect(out.rejected.count == 1)
        #expect(out.rejected.first?.reason == "no message headers")
    }

    @Test func fixtureContents() throws {
        func one(_ f: String) throws -> T.Outcome { try T.read(T.fixture("mail/" + f), format: .eml) }
        let iphone = try one("flanker/iphone.eml")
        #expect(iphone.values("attachments.kind", event: 0) == ["image"])
        #expect(iphone.value("author.name", event: 0) == "Danielle")
        #expect(iphone.value("time", event: 0) == "2011-06-17T13:24:10-07:00")
        #expect(iphone.value("recipients.name", event: 0) == "Ewan McGregor")
        let sjis = try one("mikel/japanese_shift_jis.eml")
        #expect(sjis.value("text", event: 0)?.hasPrefix("あいうえお") == true)
        let ks = try one("mikel/ks_c_5601-1987.eml")
        #expect(ks.value("text", event: 0) == "스티해")
        let from = try one("flanker/from-encoding.eml")
        #expect(from.value("author.name", event: 0) == "Ingo Lütkebohle")
        let pdf = try one("mikel/attachment_pdf.eml")
        #expect(pdf.values("attachments.kind", event: 0) == ["document"])
        #expect(pdf.value("subject", event: 0) == "Another PDF with 🎉 Unicode chars in it 🍿")
        #expect(pdf.value("text", event: 0)?.contains("\r") == false)
        let broken = try one("flanker/mailformed-headers.eml")
        #expect(broken.value("author.name", event: 0)?.hasPrefix("Юникод") == true)
        let qp = try one("flanker/quoted-printable.eml")
        #expect(qp.value("text", event: 0)?.contains("=\n") == false)
        let msg02 = try one("cpython/msg_02.txt")
        #expect(msg02.value("text", event: 0) != nil)
    }

    @Test func mboxFixtures() throws {
        let files = [
            ("mbox__mbox_complex.mbox", 2), ("mbox__mbox_iso8859_encoding.mbox", 1), ("mbox__mbox_multipart.mbox", 2),
            ("mbox__mbox_no_fields.mbox", 6), ("mbox__mbox_single.mbox", 1), ("mbox__mbox_unixfrom_encoding.mbox", 1),
            ("mbox__mbox_unknown_encoding.mbox", 1), ("pipermail__pipermail_2015_november.mbox", 4)
        ]
        for (file, count) in files {
            let path = T.fixture("mbox/" + file)
            let out = try T.read(path)
            #expect(out.records.count == count, "\(file)")
            #expect(out.rejected.isEmpty, "\(file): \(out.rejected)")
            #expect(out.records.first?.source == path + ":#1")
        }
        let iso = try T.read(T.fixture("mbox/mbox__mbox_iso8859_encoding.mbox"))
        #expect(iso.value("author.name", event: 0) == "Lucía Charlie")
        #expect(iso.value("account.email", event: 0) == "lucíacharlie@wellsfargo.com")
        let pipermail = try T.read(T.fixture("mbox/mbox__mbox_unixfrom_encoding.mbox"))
        #expect(pipermail.value("account.email", event: 0) == "christian@example.org")
        #expect(pipermail.value("author.name", event: 0) == "Christian Aistleitner")
        #expect(pipermail.value("time", event: 0) == "2015-01-15T14:22:25+01:00")
    }

    static func message(_ n: Int, body: String = "hello", extraHeaders: String = "") -> String {
        "From sender@example.com Mon Jan  1 00:00:00 2024\nFrom: Sender \(n) <s\(n)@example.com>\nTo: r@example.com\nSubject: m\(n)\nDate: Mon, 1 Jan 2024 10:00:00 +0000\n\(extraHeaders)\n\(body)\n\n"
    }

    @Test func generatedMboxDecodingAndUnquoting() throws {
        let dir = T.tempDir()
        let path = dir + "/gen.mbox"
        var text = ""
        text += Self.message(1, body: "line\n>From the start\n>>From deeper\nFrom inside a paragraph is not a separator")
        text += "From x Mon Jan  1 00:00:00 2024\n"
        text += "From: =?ISO-8859-1?Q?Andr=E9?= <a@example.com>\nTo: \"Lee, Sam\" <sam@example.com>, undisclosed:;\n"
        text += "Cc: =?UTF-8?B?w4lsb2TDrWU=?= <e@example.com>\nSubject: =?utf-8?q?caf=C3=A9?= =?utf-8?q?_time?=\n"
        text += "Date: 5 Mar 24 12:40 GMT\nMessage-ID: <abc@example.com>\nMIME-Version: 1.0\n"
        text += "Content-Type: multipart/mixed; boundary=\"outer\"\n\npreamble\n--outer\n"
        text += "Content-Type: multipart/alternative; boundary=inner\n\n--inner\nContent-Type: text/plain; charset=iso-8859-15\n"
        text += "Content-Transfer-Encoding: quoted-printable\n\nPrice =A4 5, caf=E9 soft=\nbreak\n--inner\n"
        text += "Content-Type: text/html\n\n<p>ignored html</p>\n--inner--\n--outer\n"
        text += "Content-Type: application/octet-stream; name=\"photo.JPG\"\nContent-Disposition: attachment; filename=\"photo.JPG\"\n"
        text += "Content-Transfer-Encoding: base64\n\n/9j/4AAQ\n--outer\nContent-Type: text/plain; charset=windows-1252\n"
        text += "Content-Transfer-Encoding: base64\n\nk1F1b3RlZJQ=\n--outer\nContent-Type: video/mp4\n\nxx\n--outer--\n\n"
        text += "From y Mon Jan  1 00:00:00 2024\nFrom: h@example.com\nContent-Type: text/html; charset=utf-8\n\n"
        text += "<html><style>p{}</style><body><p>Hello &amp; <b>bye</b></p><br>call 07700&nbsp;900123</body></html>\n"
        T.write(path, text)
        let out = try T.read(path)
        #expect(out.rejected.isEmpty, "\(out.rejected)")
        #expect(out.events.count == 3)
        #expect(out.value("text", event: 0) == "line\nFrom the start\n>From deeper\nFrom inside a paragraph is not a separator")
        #expect(out.value("author.name", event: 1) == "André")
        #expect(out.values("recipients.name", event: 1) == ["Lee, Sam", "Élodíe"])
        #expect(out.values("recipients.address", event: 1) == ["sam@example.com", "e@example.com"])
        #expect(out.value("subject", event: 1) == "café time")
        #expect(out.value("time", event: 1) == "2024-03-05T12:40:00+00:00")
        #expect(out.value("id", event: 1) == "abc@example.com")
        #expect(out.value("text", event: 1) == "Price € 5, café softbreak\n\n“Quoted”")
        #expect(out.values("attachments.kind", event: 1) == ["image", "video"])
        #expect(out.value("text", event: 2) == "Hello & bye\ncall 07700 900123")
        #expect(out.records.map(\.source) == [path + ":#1", path + ":#2", path + ":#3"])
    }

    @Test func brokenMessagesAffectOnlyThemselves() throws {
        let dir = T.tempDir()
        let path = dir + "/broken.mbox"
        var deep = "Content-Type: multipart/mixed; boundary=b0\n\n"
        for d in 0..<20 { deep += "--b\(d)\nContent-Type: multipart/mixed; boundary=b\(d + 1)\n\n" }
        deep += "--b20\nContent-Type: text/plain\n\ndeep\n"
        var many = "Content-Type: multipart/mixed; boundary=m\n\n"
        for _ in 0..<1001 { many += "--m\nContent-Type: text/plain\n\nx\n" }
        many += "--m--\n"
        var bytes = Array(Self.message(1).utf8)
        bytes += Array(("From a Mon Jan  1 00:00:00 2024\nFrom: d@example.com\n" + deep + "\n").utf8)
        bytes += Array(Self.message(3).utf8)
        bytes += Array(("From a Mon Jan  1 00:00:00 2024\nFrom: m@example.com\n" + many + "\n").utf8)
        bytes += Array("From a Mon Jan  1 00:00:00 2024\nFrom: n@example.com\nSubject: nul".utf8) + [0] + Array("\n\nbody\n\n".utf8)
        bytes += Array("From a Mon Jan  1 00:00:00 2024\nno headers here, just text\n\n".utf8)
        bytes += Array(Self.message(7, body: "bad utf8 \u{FFFD}").utf8)
        bytes += Array(
            "From a Mon Jan  1 00:00:00 2024\nFrom: t@example.com\nContent-Type: multipart/mixed; boundary=t\n\n--t\nContent-Type: text/plain\n\ntrunc"
                .utf8)
        T.write(path, bytes)
        let out = try T.read(path)
        #expect(out.records.count == 8)
        #expect(out.events.map(\.source) == [path + ":#1", path + ":#3", path + ":#7"])
        #expect(out.rejected.map(\.source) == [path + ":#2", path + ":#4", path + ":#5", path + ":#6", path + ":#8"])
        #expect(out.rejected[0].reason.contains("nesting deeper"))
        #expect(out.rejected[1].reason.contains("MIME parts"))
        #expect(out.rejected[2].reason.contains("NUL"))
        #expect(out.rejected[3].reason == "no message headers")
        #expect(out.rejected[4].reason.contains("truncated"))
        let s = T.scan(out, rules: try T.rules(#"rule r { severity info message "m" when type == email }"#))
        #expect(s.scanned == 3 && s.rejected == 5)
    }

    @Test func oversizedMessageIsSkippedNotHeld() throws {
        let dir = T.tempDir()
        let path = dir + "/big.mbox"
        T.writeLarge(
            path, head: Self.message(1) + "From a Mon Jan  1 00:00:00 2024\nFrom: big@example.com\n\n",
            fill: 0x41, count: 100 << 20, tail: "\n\n" + Self.message(3))
        let out = try T.read(path)
        #expect(out.events.map(\.source) == [path + ":#1", path + ":#3"])
        #expect(out.rejected.map(\.source) == [path + ":#2"])
        #expect(out.rejected.first?.reason.contains("larger than") == true)
        unlink(path)
    }

    @Test func maildirReadsCurNewTmpAndSubfolders() throws {
        let dir = T.tempDir()
        let md = dir + "/Mail"
        for sub in ["", "/cur", "/new", "/tmp", "/.Sent", "/.Sent/cur", "/.Sent/new", "/.Sent/tmp"] { mkdir(md + sub, 0o755) }
        T.write(md + "/cur/2.host:2,S", "From: a@example.com\nSubject: two\n\nbody two\n")
        T.write(md + "/cur/1.host:2,S", "From: a@example.com\nSubject: one\n\nbody one\n")
        T.write(md + "/new/3.host", Array("From: b@example.com\nSubject: nul".utf8) + [0] + Array("\n\nx\n".utf8))
        T.write(md + "/tmp/4.host", "From: c@example.com\n\nfour\n")
        T.write(md + "/.Sent/cur/5.host", "From: me@example.com\nTo: pupil@example.com\n\nsent\n")
        T.write(md + "/cur/.hidden", "not mail")
        let out = try T.read(md)
        #expect(
            out.records.map(\.source) == [
                md + "/cur/1.host:2,S", md + "/cur/2.host:2,S", md + "/new/3.host", md + "/tmp/4.host", md + "/.Sent/cur/5.host"
            ])
        #expect(out.rejected.map(\.source) == [md + "/new/3.host"])
        #expect(out.value("subject", event: 0) == "one")
        #expect(throws: ArchiveOpenError.self) { _ = try openArchive(path: dir + "/missing", format: .maildir) }
    }

    @Test func directoryGivesRolesAndFamily() throws {
        let dir = T.tempDir()
        T.write(
            dir + "/people.csv",
            "address,name,role,relation\nJ.Smith@School.example,Jo Smith,staff\nkid@example.com,Kid,pupil,family\nparent@example.com,Pat,parent\n")
        T.write(
            dir + "/m.eml",
            "From: Jo Smith <j.smith@school.example>\nTo: KID@example.com, Someone <x@example.com>\nCc: Pat <parent@example.com>\nSubject: hi\n\ntext me on 07700 900123\n"
        )
        var options = ArchiveOptions()
        _ = try options.apply(option: "--directory", value: dir + "/people.csv")
        let out = try T.read(dir + "/m.eml", options: options)
        #expect(out.value("author.role", event: 0) == "staff")
        let roles = out.events[0].fields.filter { $0.name == "recipients.role" }.map { ($0.element ?? -1, "\($0.value)") }
        #expect(roles.map(\.0) == [0, 2])
        let family = out.events[0].fields.filter { $0.name == "recipients.family" }.map { $0.element ?? -1 }
        #expect(family == [0])
        let rules = try T.rules(
            #"""
            rule family-exempt { severity serious message "m"
                when author.role == staff and any recipients (role == pupil and family != true) and phone in text }
            rule to-parent { severity info message "m" when any recipients (role == parent) }
            """#)
        let s = T.scan(out, rules: rules)
        #expect(s.findings[dir + "/m.eml"] == ["archive-test/to-parent"])
        // Bad rows are reported with their line.
        T.write(dir + "/bad.csv", "a@b.c,A,teacher\nc@d.e,C\n")
        #expect(throws: ArchiveOpenError.self) { _ = try PeopleDirectory(path: dir + "/bad.csv") }
        do {
            _ = try PeopleDirectory(path: dir + "/bad.csv")
        } catch {
            #expect(error.reason.contains("line 1: unknown role 'teacher'"))
            #expect(error.reason.contains("line 2:"))
        }
    }

    @Test func charsetsTheReaderDoesNotKnowAreCountedNotRejected() throws {
        let dir = T.tempDir()
        let path = dir + "/c.eml"
        T.write(path, Array("From: a@example.com\nContent-Type: text/plain; charset=x-unknown\n\nabc ".utf8) + [0xE9, 0xFF] + Array("\n".utf8))
        var source = try openArchive(path: path, format: .eml)
        let first = source.next()
        let r = try #require(first)
        #expect(!r.isRejected)
        let notes = try #require(source as? any ArchiveNotes).notes
        #expect(notes.keys.contains { $0.contains("x-unknown") })
        // windows-1251 through iconv.
        T.write(
            path,
            Array("From: a@example.com\nContent-Type: text/plain; charset=windows-1251\n\n".utf8) + [0xCF, 0xF0, 0xE8, 0xE2, 0xE5, 0xF2] + [0x0A])
        let out = try T.read(path, format: .eml)
        #expect(out.value("text", event: 0) == "Привет")
    }

    @Test func truncatedEmlIsRejected() throws {
        let dir = T.tempDir()
        let path = dir + "/t.eml"
        T.write(path, "From: a@example.com\nContent-Type: multipart/mixed; boundary=x\n\n--x\nContent-Type: text/plain\n\nhalf a mess")
        let out = try T.read(path, format: .eml)
        #expect(out.rejected.first?.reason.contains("truncated") == true)
        // The same message with its closing boundary is read.
        T.write(path, "From: a@example.com\nContent-Type: multipart/mixed; boundary=x\n\n--x\nContent-Type: text/plain\n\nwhole\n--x--\n")
        #expect(try T.read(path, format: .eml).value("text", event: 0) == "whole")
    }
}

/// The Maildir walk takes entry types from the folder listing: what it reads must be what a stat
/// of every entry would choose (files and links to files, not folders or links to folders, not
/// names starting with `.`), in name order.
@Suite struct MaildirListingTests {
    @Test func entriesAreChosenAsStatWouldChooseThem() throws {
        let root = ArchiveTest.tempDir()
        for sub in ["cur", "new", "tmp"] { mkdir(root + "/" + sub, 0o755) }
        let message = "From: a@school.example\nTo: b@school.example\nSubject: s\n\nhello\n"
        ArchiveTest.write(root + "/cur/2", message)
        ArchiveTest.write(root + "/cur/1", message)
        ArchiveTest.write(root + "/cur/.hidden", message)
        mkdir(root + "/cur/folder", 0o755)
        symlink(root + "/cur/1", root + "/cur/3-link-to-file")
        symlink(root + "/cur/folder", root + "/cur/4-link-to-folder")
        symlink(root + "/cur/missing", root + "/cur/5-broken-link")
        ArchiveTest.write(root + "/new/a", message)
        let source = try MaildirSource(path: root)
        var read: [(String, Bool)] = []
        while let r = source.next() {
            if case .rejected = r.payload { read.append((r.source, false)) } else { read.append((r.source, true)) }
        }
        let expected = [
            (root + "/cur/1", true), (root + "/cur/2", true), (root + "/cur/3-link-to-file", true), (root + "/cur/5-broken-link", false),
            (root + "/new/a", true)
        ]
        #expect(read.map(\.0) == expected.map(\.0))
        #expect(read.map(\.1) == expected.map(\.1))
        // The same choice for the scan, which hands the files to its workers.
        #expect(try MaildirSource(path: root).messageFiles() == expected.map(\.0))
    }
}

/// NUL bytes: a message whose text or a header line holds one is rejected with its reason, as is
/// a chat message; the same bytes without it are read. (The checks search with memchr.)
@Suite struct NULByteTests {
    static func rejection(_ source: inout some ArchiveSource) -> String? {
        guard let r = source.next() else { return "no record" }
        if case .rejected(let why) = r.payload { return why }
        return nil
    }

    @Test func nulBytesInTextHeadersAndChatsAreRejected() {
        for (padding, nul) in [(0, true), (17, true), (300, true), (17, false)] {
            let filler = String(repeating: "a", count: padding)
            let text = "From: a@school.example\nSubject: s\n\nbody " + filler + (nul ? "\u{0}" : "") + " end\n"
            var body = EMLSource(bytes: Array(text.utf8), name: "m.eml")
            #expect(Self.rejection(&body) == (nul ? "NUL byte in the message text" : nil))
            let header = "From: a@school.example\nSubject: s" + filler + (nul ? "\u{0}" : "") + "\n\nbody\n"
            var head = EMLSource(bytes: Array(header.utf8), name: "h.eml")
            #expect(Self.rejection(&head) == (nul ? "NUL byte in the headers" : nil))
            let chat = "01/02/2024, 10:00 - Ann: hello " + filler + (nul ? "\u{0}" : "") + "\n"
            var whatsApp = WhatsAppSource(bytes: Array(chat.utf8), name: "c.txt")
            #expect(Self.rejection(&whatsApp) == (nul ? "NUL byte in the message" : nil))
        }
    }
}
