import Glibc
import Invigil
import InvigilArchive
import Testing

@Suite("Archive WhatsApp")
struct ArchiveWhatsAppTests {
    typealias T = ArchiveTest

    /// Every fixture: each message-start line is one event, continuation lines join it, nothing rejected.
    @Test(arguments: [
        ("test_bracketed_mmddyy_24hrs.txt", 9), ("test_dateformat1.txt", 10), ("test_dateformat2.txt", 4),
        ("test_dateformat3.txt", 4), ("test_ddmmyy_24hrs.txt", 9), ("test_mmddyyyy_12hrs.txt", 9),
        ("test_unicode.txt", 3), ("testlog.txt", 23)
    ])
    func fixtures(file: String, messages: Int) throws {
        let out = try T.read(T.fixture("whatsapp/" + file))
        #expect(out.rejected.isEmpty, "\(out.rejected)")
        #expect(out.events.count == messages)
        for i in out.events.indices {
            #expect(out.value("type", event: i) == "chat")
            #expect(out.value("time", event: i) != nil)
        }
    }

    @Test func dayFirstAndMonthFirstFilesGiveTheSameDates() throws {
        let uk = try T.read(T.fixture("whatsapp/test_ddmmyy_24hrs.txt"))
        let us = try T.read(T.fixture("whatsapp/test_bracketed_mmddyy_24hrs.txt"))
        let us12 = try T.read(T.fixture("whatsapp/test_mmddyyyy_12hrs.txt"))
        #expect(uk.value("time", event: 1) == "2019-01-20T11:23:00+00:00")
        #expect(us.value("time", event: 1) == "2019-01-20T11:23:00+00:00")
        #expect(us12.value("time", event: 1) == "2019-01-20T11:23:00+00:00")
        // 01/01/19 is ambiguous alone; the file's other dates decide. Summer time in London: +01:00.
        #expect(uk.value("time", event: 3) == "2020-06-10T15:55:00+01:00")
        #expect(us.value("time", event: 3) == "2020-06-10T15:55:00+01:00")
        // 12-hour clock: 08:49 p. m. is 20:49; 00:08 a. m. is 00:08.
        #expect(us12.value("time", event: 2) == "2019-01-30T20:49:00+00:00")
        #expect(us12.value("time", event: 4) == "2020-06-20T00:08:00+01:00")
        let ymd = try T.read(T.fixture("whatsapp/test_dateformat3.txt"))
        #expect(ymd.value("time", event: 0) == "2022-12-14T13:34:00+00:00")
    }

    @Test func ambiguousDatesDefaultToDayFirstUnlessForced() throws {
        let dir = T.tempDir()
        let path = dir + "/chat.txt"
        T.write(path, "03/04/2024, 09:15 - Ms Smith: Morning all\n05/04/2024, 10:00 - Sam: hi\n")
        let uk = try T.read(path)
        #expect(uk.value("time", event: 0) == "2024-04-03T09:15:00+01:00")
        var options = ArchiveOptions()
        #expect(try options.apply(option: "--date-order", value: "month-first"))
        let us = try T.read(path, options: options)
        #expect(us.value("time", event: 0) == "2024-03-04T09:15:00+00:00")
        #expect(try options.apply(option: "--chat-timezone", value: "UTC"))
        #expect(try T.read(path, options: options).value("time", event: 0) == "2024-03-04T09:15:00+00:00")
    }

    @Test func systemLinesHaveNoAuthorMultiLineMessagesJoin() throws {
        let out = try T.read(T.fixture("whatsapp/test_dateformat1.txt"))
        let enc = try #require(out.event(source: ":13"))
        #expect(out.value("author.name", event: enc) == nil)
        #expect(out.value("text", event: enc)?.hasPrefix("Messages and calls are end-to-end encrypted") == true)
        let created = try #require(out.event(source: ":14"))
        #expect(out.value("author.name", event: created) == nil)
        let multi = try #require(out.event(source: ":7"))
        #expect(out.value("author.name", event: multi) == "Jahn Doe")
        #expect(out.value("text", event: multi)?.split(separator: "\n").count == 6)
        // Other participants are the recipients.
        #expect(out.values("recipients.name", event: multi).contains("John Doe"))
        #expect(!out.values("recipients.name", event: multi).contains("Jahn Doe"))
    }

    @Test func mediaPlaceholdersBecomeAttachments() throws {
        let dir = T.tempDir()
        let path = dir + "/media.txt"
        T.write(
            path,
            """
            \u{200E}[14/02/2024, 18:02:11] Mr Jones: \u{200E}image omitted
            [14/02/2024, 18:03:00] Mr Jones: \u{200E}<attached: 00000012-VIDEO-2024-02-14-18-03-00.mp4>
            14/02/2024, 18:04 - Sam: <Media omitted>
            14/02/2024, 18:05 - Sam: IMG-20240214-WA0001.jpg (file attached)
            look at this
            14/02/2024, 18:06 - Sam: This message was deleted

            """)
        let out = try T.read(path)
        #expect(out.rejected.isEmpty, "\(out.rejected)")
        #expect(out.events.count == 5)
        #expect(out.values("attachments.kind", event: 0) == ["image"])
        #expect(out.value("text", event: 0) == nil)
        #expect(out.values("attachments.kind", event: 1) == ["video"])
        #expect(out.values("attachments.kind", event: 2) == ["image"])
        #expect(out.values("attachments.kind", event: 3) == ["image"])
        #expect(out.value("text", event: 3) == "look at this")
        #expect(out.value("action", event: 4) == "delete")
        #expect(out.value("author.name", event: 0) == "Mr Jones")
    }

    @Test func brokenLinesAffectOnlyTheirOwnRecord() throws {
        let dir = T.tempDir()
        let path = dir + "/broken.txt"
        var bytes = Array("junk before the first message\n".utf8)
        bytes += Array("01/02/2024, 10:00 - A: fine\n".utf8)
        bytes += Array("01/02/2024, 10:01 - B: bad ".utf8) + [0xC3, 0x28] + Array(" utf8\n".utf8)
        bytes += Array("01/02/2024, 10:02 - C: nul ".utf8) + [0] + Array("\n".utf8)
        bytes += Array("31/02/2024, 10:03 - D: no such day\n".utf8)
        bytes += Array("01/02/2024, 10:04 - E: fine again\n".utf8)
        bytes += Array("01/02/2024, 10:05 - F: truncated without newline".utf8)
        T.write(path, bytes)
        let out = try T.read(path, format: .whatsapp)
        #expect(out.records.count == 7)
        #expect(out.rejected.map(\.source) == [path + ":1", path + ":3", path + ":4", path + ":5"])
        #expect(out.rejected[1].reason.contains("UTF-8"))
        #expect(out.rejected[2].reason.contains("NUL"))
        #expect(out.events.indices.map { out.value("author.name", event: $0) } == ["A", "E", "F"])
        let rules = try T.rules(#"rule any-chat { severity info message "m" when type == chat }"#)
        let s = T.scan(out, rules: rules)
        #expect(s.scanned == 3 && s.rejected == 4)
    }

    @Test func hundredMegabyteLineIsOneRejectedRecord() throws {
        let dir = T.tempDir()
        let path = dir + "/long.txt"
        T.writeLarge(
            path, head: "01/02/2024, 10:00 - A: before\n01/02/2024, 10:01 - B: ", fill: 0x61, count: 100 << 20,
            tail: "\n01/02/2024, 10:02 - C: after\n")
        let out = try T.read(path, format: .whatsapp)
        #expect(out.events.count == 2)
        #expect(out.rejected.count == 1)
        #expect(out.rejected.first?.source == path + ":2")
        unlink(path)
    }

    @Test func directoryGivesChatAuthorsRoles() throws {
        let dir = T.tempDir()
        T.write(dir + "/people.csv", "address,name,role,relation\n,Mr Jones,staff\n+44 7700 900123,,pupil\n")
        T.write(dir + "/chat.txt", "14/02/2024, 21:00 - Mr Jones: text me on 07700 900456\n14/02/2024, 21:01 - +44 7700 900123: ok\n")
        var options = ArchiveOptions()
        #expect(try options.apply(option: "--directory", value: dir + "/people.csv"))
        let out = try T.read(dir + "/chat.txt", options: options)
        #expect(out.value("author.role", event: 0) == "staff")
        #expect(out.values("recipients.role", event: 0) == ["pupil"])
        #expect(out.value("author.role", event: 1) == "pupil")
        let rules = try T.rules(
            #"""
            rule staff-contact { severity serious message "m"
                when author.role == staff and recipients.role == pupil and phone in text }
            """#)
        let s = T.scan(out, rules: rules)
        #expect(s.findings[dir + "/chat.txt:1"] == ["archive-test/staff-contact"])
        #expect(s.findings.count == 1)
    }

    /// Some locales write 24-hour hours with a 12-hour marker: four messages read as four, at
    /// the hours written, none folded into the one before.
    @Test func twentyFourHourTimesWithAMarkerAreNotFolded() throws {
        let dir = T.tempDir()
        T.write(
            dir + "/chat.txt",
            """
            [12/10/22 09:15:00 a.m.] Ann: morning
            [12/10/22 13:37:00 p.m.] Ben: afternoon
            [12/10/22 1:40:00 p.m.] Ann: twenty to two
            [12/10/22 23:05:00 p.m.] Ben: night

            """)
        let out = try T.read(dir + "/chat.txt")
        #expect(out.events.count == 4)
        #expect(out.rejected.isEmpty)
        #expect((0..<4).map { out.value("text", event: $0) } == ["morning", "afternoon", "twenty to two", "night"])
        #expect((0..<4).compactMap { out.value("time", event: $0)?.dropFirst(11).prefix(5) } == ["09:15", "13:37", "13:40", "23:05"])
    }

    /// A line that starts with a date and time but is no header is a rejected record with its line
    /// number; it is never added to the message before.
    @Test func brokenHeaderLinesAreRejectedNotFolded() throws {
        let dir = T.tempDir()
        T.write(
            dir + "/chat.txt",
            """
            12/10/2022, 09:15 - Ann: first line
            and its second line
            12/10/2022, 09:16 Ann has no separator
            12/10/2022, 25:16 - Ben: impossible hour
            12/10/22 was the deadline, says this continuation
            12/10/2022, 09:17 - Ben: last

            """)
        let out = try T.read(dir + "/chat.txt")
        #expect(out.records.map(\.source) == [1, 3, 4, 5, 6].map { dir + "/chat.txt:\($0)" })
        #expect(out.value("text", event: 0) == "first line\nand its second line")
        #expect(out.rejected.map(\.source) == [3, 4, 5].map { dir + "/chat.txt:\($0)" })
        #expect(out.rejected.prefix(2).allSatisfy { $0.reason.hasPrefix("the line starts with a date and time but is not a message header") })
        // Text after a rejected header continues no message: it is rejected on its own.
        #expect(out.rejected[2].reason.hasPrefix("not a chat message"))
        #expect(out.value("text", event: 1) == "last")
    }
}
