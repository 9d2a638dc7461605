import Glibc
import Testing
import Invigil
@testable import InvigilArchive

/// WhatsApp `.zip` exports: the chat entry read through WhatsAppSource with sources naming the
/// entry, media as attachments, unnamed media as notes, detection by content, and refusals.
@Suite("WhatsApp zip exports")
struct ArchiveWhatsAppZipTests {
    typealias T = ArchiveTest
    static func fixture(_ name: String) -> String { T.fixture("whatsapp-zip/" + name) }

    static func directory() throws -> ArchiveOptions {
        var options = ArchiveOptions()
        _ = try options.apply(option: "--directory", value: fixture("people.csv"))
        return options
    }

    @Test func iosExportIsReadWithMediaAsAttachments() throws {
        let path = Self.fixture("ios-export.zip")
        #expect(detectFormat(path: path) == .whatsapp)
        #expect(recognizedFormat(path: path) == .whatsapp)
        let out = try T.read(path, options: try Self.directory())
        #expect(out.rejected.isEmpty)
        #expect(out.events.map(\.source) == (1...7).map { "\(path)!_chat.txt:\($0)" })
        let secret = try #require(out.event(source: "!_chat.txt:3"))
        #expect(out.value("text", event: secret) == "text me on 07700 900456 any time, it's our secret")
        #expect(out.value("author.role", event: secret) == "staff")
        #expect(out.values("recipients.role", event: secret) == ["pupil"])
        #expect(out.value("time", event: secret) == "2024-03-12T21:40:12+00:00")
        let photo = try #require(out.event(source: "!_chat.txt:5"))
        #expect(out.values("attachments.kind", event: photo) == ["image"])
        #expect(out.values("attachments.name", event: photo) == ["00000005-PHOTO-2024-03-12-21-42-05.jpg"])
        #expect(out.values("attachments.size", event: photo) == ["622"])
        let voice = try #require(out.event(source: "!_chat.txt:6"))
        #expect(out.values("attachments.kind", event: voice) == ["audio"])
        #expect(out.values("attachments.name", event: voice) == ["00000006-AUDIO-2024-03-12-21-43-00.opus"])
        // Continuation lines join their message.
        #expect(out.value("text", event: 6) == "don't tell your parents\nand delete this chat")
        // The PDF no message names is a note.
        let source = try WhatsAppZipSource(path: path)
        while source.next() != nil {}
        #expect(source.notes == ["media file that no message names (not scanned): 00000007-Timetable.pdf (document, 327 bytes)": 1])
        #expect(source.bytesRead == 2092)
    }

    @Test func androidExportNamesItsEntryAndMissingMedia() throws {
        let path = Self.fixture("android-export.zip")
        var options = try Self.directory()
        options.whatsApp.dateOrder = .dayFirst
        let out = try T.read(path, format: .whatsapp, options: options)
        let entry = "\(path)!WhatsApp Chat with Sam Pupil.txt"
        #expect(out.events.count == 8)
        #expect(out.events.allSatisfy { $0.source.hasPrefix(entry + ":") })
        let image = try #require(out.event(source: ".txt:5"))
        #expect(out.values("attachments.name", event: image) == ["IMG-20240312-WA0001.jpg"])
        // The video is named but not in the archive: kind from its name, no size.
        let video = try #require(out.event(source: ".txt:7"))
        #expect(out.values("attachments.kind", event: video) == ["video"])
        #expect(out.values("attachments.size", event: video).isEmpty)
        let source = try WhatsAppZipSource(path: path)
        while source.next() != nil {}
        #expect(
            source.notes == [
                "media file named by a message but not in the archive: VID-20240312-WA0003.mp4": 1,
                "media file that no message names (not scanned): IMG-20240311-WA0009.jpg (image, 200 bytes)": 1
            ])
    }

    /// Android writes zips with data descriptors (sizes and CRC after the data, flag bit 3): the
    /// central directory's sizes are used, and the records are those of the ordinary zip.
    @Test func dataDescriptorsAreRead() throws {
        let streamed = Self.fixture("android-export-streamed.zip")
        let archive = try ZipArchive(path: streamed)
        #expect(archive.entries.allSatisfy { $0.flags & 8 != 0 })
        let a = try T.read(Self.fixture("android-export.zip"))
        let b = try T.read(streamed)
        #expect(a.records.count == b.records.count)
        for (x, y) in zip(a.records, b.records) {
            #expect(describe(x) == describe(y))
            #expect(y.source == streamed + x.source.dropFirst(Self.fixture("android-export.zip").count))
        }
        let image = try #require(b.event(source: ".txt:5"))
        #expect(b.values("attachments.size", event: image) == ["622"])
    }

    /// The same export through the file path and from memory gives the same records.
    @Test func memoryAndFileAgree() throws {
        let path = Self.fixture("ios-export.zip")
        let bytes = try ZipArchiveTests.bytes("ios-export.zip")
        let fromFile = try WhatsAppZipSource(path: path)
        let fromMemory = try WhatsAppZipSource(bytes: bytes, name: path)
        while let a = fromFile.next() {
            let b = try #require(fromMemory.next())
            #expect(a.source == b.source)
            #expect(describe(a) == describe(b))
        }
        #expect(fromMemory.next() == nil)
    }

    func describe(_ r: ArchiveRecord) -> String {
        guard case .fields(let fields) = r.payload else { return "\(r.payload)" }
        return fields.map { "\($0.name)=\($0.value)" }.joined(separator: "|")
    }

    /// Rules see the attachment's name and size (packs/common/schema.rules declares them).
    @Test func attachmentFieldsReachRules() throws {
        let rules = try RuleSet.compile(
            source: """
                schema { text: text  attachments.kind: list enum(image, video, audio, document)  attachments.name: list string  attachments.size: list int }
                rule big-photo { severity info message "m" when attachments.kind == image and attachments.size > 600 }
                rule voice { severity info message "m" when attachments.name == "00000006-AUDIO-2024-03-12-21-43-00.opus" }
                """, name: "zip.rules")
        let out = try T.read(Self.fixture("ios-export.zip"))
        let s = T.scan(out, rules: rules)
        #expect(s.rejected == 0)
        let path = Self.fixture("ios-export.zip")
        let expected: [String: [String]] = [path + "!_chat.txt:5": ["zip/big-photo"], path + "!_chat.txt:6": ["zip/voice"]]
        #expect(s.findings == expected)
        // The bundled packs declare the fields too.
        let packs = try RuleSet.load(path: FuzzRegressionTests.root + "/packs")
        #expect(packs.fields.contains { $0.name == "attachments.size" })
        #expect(T.scan(out, rules: packs).rejected == 0)
    }

    @Test func zipWithoutChatIsAnOpenErrorThatSaysWhy() throws {
        let path = Self.fixture("no-chat.zip")
        #expect(recognizedFormat(path: path) == nil, "left alone inside folders")
        for format in [ArchiveFormat.auto, .whatsapp] {
            do {
                _ = try openArchive(path: path, format: format, options: ArchiveOptions())
                Issue.record("opened")
            } catch {
                #expect(error.reason == "zip archive with no WhatsApp chat text (_chat.txt, or WhatsApp Chat with NAME.txt) among its 2 entries")
            }
        }
    }

    /// A chat named neither _chat.txt nor WhatsApp...: recognised by its content.
    @Test func chatRecognisedByContent() throws {
        let chat = Array("12/03/2024, 21:39 - Tom Teacher: hello\n12/03/2024, 21:40 - Sam Pupil: hi\n".utf8)
        let zip = TestZip.make([.stored("notes.txt", Array("not a chat\n".utf8)), .deflated("Chat.txt", chat), .stored("a.jpg", [1, 2, 3])])
        // Recognising decompresses only the start of each candidate, and counts nothing.
        let archive = try ZipArchive(bytes: zip)
        #expect(WhatsAppChatEntries.find(in: archive).entries.map(\.name) == ["Chat.txt"])
        #expect(archive.bytesExtracted == 0)
        let source = try WhatsAppZipSource(bytes: zip, name: "x.zip")
        var sources: [String] = []
        while let r = source.next() { sources.append(r.source) }
        #expect(sources == ["x.zip!Chat.txt:1", "x.zip!Chat.txt:2"])
        #expect(source.notes.count == 2, "notes.txt and a.jpg are named by no message")
    }

    /// Unreadable chat entries are open errors that give the zip reader's reason; a second chat
    /// that fails is a rejected record, and the first is still read.
    @Test func unreadableChatsAreReported() throws {
        let chat = Array("12/03/2024, 21:39 - Tom Teacher: hello\n".utf8)
        var encrypted = TestZip.Entry.stored("_chat.txt", chat)
        encrypted.flags = 1
        #expect(throws: ArchiveOpenError.self) { try WhatsAppZipSource(bytes: TestZip.make([encrypted]), name: "e.zip") }
        do {
            _ = try WhatsAppZipSource(bytes: TestZip.make([encrypted]), name: "e.zip")
        } catch {
            #expect(error.description == "e.zip: entry '_chat.txt' is encrypted")
        }
        var broken = TestZip.Entry.deflated("WhatsApp Chat with B.txt", chat)
        broken.crc = 1
        let source = try WhatsAppZipSource(bytes: TestZip.make([.deflated("WhatsApp Chat with A.txt", chat), broken]), name: "two.zip")
        var records: [ArchiveRecord] = []
        while let r = source.next() { records.append(r) }
        #expect(records.count == 2)
        #expect(records[0].source == "two.zip!WhatsApp Chat with A.txt:1")
        #expect(records[1].source == "two.zip!WhatsApp Chat with B.txt")
        if case .rejected(let reason) = records[1].payload {
            #expect(reason.hasPrefix("chat text not read: entry 'WhatsApp Chat with B.txt': CRC-32"))
        } else {
            Issue.record("not rejected")
        }
        // Not a zip at all, through the WhatsApp zip reader.
        #expect(throws: ArchiveOpenError.self) { try WhatsAppZipSource(bytes: chat, name: "chat.txt") }
    }

    /// A zip bomb posing as a chat: refused by the limits before it is expanded.
    @Test func chatOverTheLimitsIsRefused() throws {
        let zeros = [UInt8](repeating: 0x41, count: 3 << 20)
        let bomb = TestZip.Entry(name: "_chat.txt", data: zeros, packed: DeflateReference.compressed(zeros), method: 8)
        var limits = ZipLimits()
        limits.entryBytes = 1 << 20
        do {
            _ = try WhatsAppZipSource(bytes: TestZip.make([bomb]), name: "bomb.zip", limits: limits)
            Issue.record("opened")
        } catch {
            #expect(error.reason == "entry '_chat.txt' of 3145728 bytes is larger than the limit of 1048576")
        }
    }
}
