import Glibc
import Invigil
import InvigilArchive
import Testing

@Suite("Archive CSV")
struct ArchiveCSVTests {
    typealias T = ArchiveTest

    @Test func enronMessageColumnIsParsedAsMail() throws {
        let path = T.fixture("csv/enron_emails_first5.csv")
        let out = try T.read(path)
        #expect(out.rejected.isEmpty)
        #expect(out.events.count == 5)
        #expect(out.events[0].source == path + ":2")
        #expect(out.value("type", event: 0) == "email")
        #expect(out.value("subject", event: 0) == "VC dinner update - delete if not attending")
        #expect(out.value("account.email", event: 0) == "owner-evmba_social@haas.berkeley.edu")
        #expect(out.value("time", event: 0) == "2000-10-30T18:21:00-08:00")
        #expect(out.values("recipients.address", event: 0).count == 7)  // To, Cc, Bcc
        #expect(out.value("text", event: 0)?.hasPrefix("I have attached a list") == true)
        // Multi-line cells: each record's source is its first line.
        #expect(out.events[1].source != path + ":3")
    }

    @Test func smsTSVWithoutHeaderUsingOptions() throws {
        var options = ArchiveOptions()
        #expect(try options.apply(option: "--csv-delimiter", value: "tab"))
        #expect(try options.apply(option: "--csv-columns", value: "label,text"))
        #expect(try options.apply(option: "--set", value: "type=sms"))
        let out = try T.read(T.fixture("csv/SMSSpamCollection_first100"), format: .csv, options: options)
        #expect(out.rejected.isEmpty, "\(out.rejected.prefix(3))")
        #expect(out.events.count == 100)
        #expect(out.value("type", event: 0) == "sms")
        #expect(out.value("text", event: 0)?.hasPrefix("Go until jurong point") == true)
        let rules = try T.rules(#"rule phone { severity info message "m" when phone in text }"#)
        let s = T.scan(out, rules: rules)
        #expect(s.scanned == 100)
        #expect(s.findings.count > 0)
    }

    @Test func aliasesQuotingListsAndMap() throws {
        let dir = T.tempDir()
        let path = dir + "/posts.csv"
        T.write(
            path,
            """
            From,To,Date,Body,Subject,Staff Role,attachments.kind,Notes\r
            "Jo Smith <JO@school.example>","pupil1@example.com; ""Lee, Sam"" <sam@example.com>",2024-03-05 12:40,"line one\r
            line ""two"", with comma",Hello,staff,image;video,ignored\r
            Mr Brown,,05/03/2024 16:10,plain,,governor,,\r

            """)
        var options = ArchiveOptions()
        #expect(try options.apply(option: "--map", value: "Staff Role=author.role"))
        let out = try T.read(path, options: options)
        #expect(out.rejected.isEmpty, "\(out.rejected)")
        #expect(out.events.count == 2)
        #expect(out.events[0].source == path + ":2")
        #expect(out.events[1].source == path + ":4")
        #expect(out.value("account.email", event: 0) == "JO@school.example")
        #expect(out.value("author.name", event: 0) == "Jo Smith")
        #expect(out.values("recipients.address", event: 0) == ["pupil1@example.com", "sam@example.com"])
        #expect(out.values("recipients.name", event: 0) == ["Lee, Sam"])
        #expect(out.value("time", event: 0) == "2024-03-05T12:40")
        #expect(out.value("text", event: 0) == "line one\nline \"two\", with comma")
        #expect(out.value("subject", event: 0) == "Hello")
        #expect(out.value("author.role", event: 0) == "staff")
        #expect(out.values("attachments.kind", event: 0) == ["image", "video"])
        #expect(out.value("author.name", event: 1) == "Mr Brown")
        #expect(out.value("time", event: 1) == "2024-03-05T16:10:00+00:00")
        let rules = try T.rules(#"rule r { severity info message "m" when author.role == staff and attachments.kind == image }"#)
        let s = T.scan(out, rules: rules)
        #expect(s.scanned == 2)
        #expect(s.findings[path + ":2"] == ["archive-test/r"])
    }

    @Test func brokenRecordsAreRejectedWithTheirLine() throws {
        let dir = T.tempDir()
        let path = dir + "/broken.csv"
        var b = Array("id,text,date\n".utf8)
        b += Array("1,fine,2024-01-01T10:00:00Z\n".utf8)  // 2
        b += Array("2,too,many,cells\n".utf8)  // 3
        b += Array("3,bad ".utf8) + [0xFF, 0xFE] + Array(",2024-01-01\n".utf8)  // 4
        b += Array("4,nul ".utf8) + [0] + Array(",2024-01-01\n".utf8)  // 5
        b += Array("5,bad date,yesterday-ish\n".utf8)  // 6
        b += Array("6,\"stray quote,2024-01-01\n".utf8)  // 7: never closed
        b += Array("7,fine again,2024-01-02\n".utf8)  // 8
        b += Array("8,\"truncated".utf8)  // 9
        T.write(path, b)
        let out = try T.read(path)
        #expect(out.events.map(\.source) == [path + ":2", path + ":8"])
        #expect(out.rejected.map(\.source) == [path + ":3", path + ":4", path + ":5", path + ":6", path + ":7", path + ":9"])
        #expect(out.rejected[0].reason == "expected 3 cells, found 4")
        #expect(out.rejected[3].reason.contains("unreadable time"))
        #expect(out.rejected[4].reason.contains("stray quote"))
        #expect(out.rejected[5].reason.contains("not closed"))
        let s = T.scan(out, rules: try T.rules(#"rule r { severity info message "m" when exists(text) }"#))
        #expect(s.scanned == 2 && s.rejected == 6)
    }

    @Test func hundredMegabyteLineIsOneRejectedRecord() throws {
        let dir = T.tempDir()
        let path = dir + "/long.csv"
        T.writeLarge(path, head: "id,text\n1,before\n2,", fill: 0x62, count: 100 << 20, tail: "\n3,after\n")
        let out = try T.read(path)
        #expect(out.events.count == 2)
        #expect(out.rejected.map(\.source) == [path + ":3"])
        unlink(path)
    }

    @Test func formatDetection() throws {
        let dir = T.tempDir()
        T.write(dir + "/a.txt", "12/24/19, 11:23 - John: hi\n")
        T.write(dir + "/b", "From someone@example.com Mon Jan  1 00:00:00 2024\nSubject: x\n\nbody\n")
        T.write(dir + "/c.txt", "Subject: hi\nFrom: a@b.c\n\nbody\n")
        T.write(dir + "/d", "{\"type\":\"post\"}\n")
        T.write(dir + "/e.tsv", "text\tdate\n")
        mkdir(dir + "/maildir", 0o755)
        #expect(detectFormat(path: dir + "/a.txt") == .whatsapp)
        #expect(detectFormat(path: dir + "/b") == .mbox)
        #expect(detectFormat(path: dir + "/c.txt") == .eml)
        #expect(detectFormat(path: dir + "/d") == .jsonl)
        #expect(detectFormat(path: dir + "/e.tsv") == .csv)
        #expect(detectFormat(path: dir + "/maildir") == .maildir)
        #expect(detectFormat(path: T.fixture("mail/cpython/msg_02.txt")) == .eml)
    }
}
