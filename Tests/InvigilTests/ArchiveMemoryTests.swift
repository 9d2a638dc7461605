import Glibc
import Invigil
import InvigilArchive
import Testing

/// The readers' in-memory entry points (`init(bytes:name:)`) against the same readers on paths:
/// every fixture gives the same records, sources included, either way.
@Suite("Archive readers in memory")
struct ArchiveMemoryTests {
    typealias T = ArchiveTest

    static func contents(_ path: String) -> [UInt8] {
        let fd = open(path, O_RDONLY)
        precondition(fd >= 0, "cannot read \(path)")
        defer { close(fd) }
        var out: [UInt8] = []
        var chunk = [UInt8](repeating: 0, count: 1 << 16)
        while true {
            let n = chunk.withUnsafeMutableBytes { read(fd, $0.baseAddress!, $0.count) }
            if n <= 0 { break }
            out += chunk[0..<n]
        }
        return out
    }

    /// Every record as one line of text: source, then the payload in full.
    static func describe(_ source: inout some ArchiveSource) -> [String] {
        var lines: [String] = []
        while let r = source.next() {
            switch r.payload {
            case .json(let bytes): lines.append("\(r.source) json \(bytes)")
            case .rejected(let reason): lines.append("\(r.source) rejected \(reason)")
            case .fields(let fields):
                let text = fields.map { f -> String in
                    let v: String
                    switch f.value {
                    case .string(let s): v = "s:" + s
                    case .bool(let b): v = "b:\(b)"
                    case .int(let i): v = "i:\(i)"
                    }
                    return "\(f.name)[\(f.element.map(String.init) ?? "-")\(f.isListValue ? ",list" : "")]=\(v)"
                }
                lines.append("\(r.source) fields \(text.joined(separator: "|"))")
            }
        }
        return lines
    }

    static func files(_ folder: String, suffixes: [String]) -> [String] {
        var names: [String] = []
        guard let dir = opendir(T.fixture(folder)) else { return [] }
        while let entry = readdir(dir) {
            let name = withUnsafePointer(to: entry.pointee.d_name) {
                $0.withMemoryRebound(to: CChar.self, capacity: 256) { String(cString: $0) }
            }
            if suffixes.contains(where: { name.hasSuffix($0) }) { names.append(folder + "/" + name) }
        }
        closedir(dir)
        return names.sorted()
    }

    @Test func fixturesAreFound() {
        #expect(Self.files("mbox", suffixes: [".mbox"]).count == 8)
        #expect(Self.files("whatsapp", suffixes: [".txt"]).count == 8)
        #expect(Self.files("mail/flanker", suffixes: [".eml"]).count >= 7)
    }

    @Test(arguments: files("mbox", suffixes: [".mbox"]))
    func mbox(file: String) throws {
        let path = T.fixture(file)
        var fromPath = try MboxSource(path: path)
        var fromBytes = MboxSource(bytes: Self.contents(path), name: path)
        let expected = Self.describe(&fromPath)
        #expect(!expected.isEmpty)
        #expect(Self.describe(&fromBytes) == expected)
        #expect(fromBytes.bytesRead == fromPath.bytesRead)
    }

    @Test(arguments: files("mail/cpython", suffixes: [".txt"]) + files("mail/flanker", suffixes: [".eml"]) + files("mail/mikel", suffixes: [".eml"]))
    func eml(file: String) throws {
        let path = T.fixture(file)
        var fromPath = try EMLSource(path: path)
        var fromBytes = EMLSource(bytes: Self.contents(path), name: path)
        let expected = Self.describe(&fromPath)
        #expect(expected.count == 1)
        #expect(Self.describe(&fromBytes) == expected)
        #expect(fromBytes.bytesRead == fromPath.bytesRead)
    }

    @Test(arguments: files("whatsapp", suffixes: [".txt"]))
    func whatsApp(file: String) throws {
        let path = T.fixture(file)
        for order in [WhatsAppOptions.DateOrder.auto, .dayFirst, .monthFirst] {
            var options = WhatsAppOptions()
            options.dateOrder = order
            var fromPath = try WhatsAppSource(path: path, options: options)
            var fromBytes = WhatsAppSource(bytes: Self.contents(path), name: path, options: options)
            let expected = Self.describe(&fromPath)
            #expect(!expected.isEmpty)
            #expect(Self.describe(&fromBytes) == expected, "date order \(order)")
        }
    }

    @Test(arguments: ["csv/enron_emails_first5.csv", "csv/SMSSpamCollection_first100"])
    func csv(file: String) throws {
        let path = T.fixture(file)
        var options = CSVOptions()
        if file.hasSuffix("first100") {
            options.header = false
            options.delimiter = 0x09
            options.quoting = false
            options.columns = ["label", "text"]
            options.constants = ["type": "sms"]
        }
        var fromPath = try CSVSource(path: path, options: options)
        var fromBytes = CSVSource(bytes: Self.contents(path), name: path, options: options)
        let expected = Self.describe(&fromPath)
        #expect(expected.count >= 5)
        #expect(Self.describe(&fromBytes) == expected)
        #expect(fromBytes.bytesRead == fromPath.bytesRead)
    }

    @Test func tsvByName() {
        var table = CSVSource(bytes: Array("author.name\ttext\nAnn\thello, world\n".utf8), name: "chat.tsv")
        let lines = Self.describe(&table)
        #expect(lines == ["chat.tsv:2 fields author.name[-]=s:Ann|text[-]=s:hello, world"])
    }

    @Test func jsonlFromMemory() {
        let bytes = Array("{\"type\":\"post\"}\n\n  \n{\"type\":\"sms\"}".utf8)
        var source = JSONLSource(bytes: bytes, name: "upload")
        let lines = Self.describe(&source)
        #expect(lines.count == 2)
        #expect(lines.first?.hasPrefix("upload:1 json") == true)
        #expect(lines.last?.hasPrefix("upload:4 json") == true)
        #expect(source.bytesRead == bytes.count)
    }

    /// A line over the limit is rejected in memory as it is from a file, the lines around it kept,
    /// terminated or not.
    @Test func overlongLinesInMemory() {
        let long = [UInt8](repeating: 0x61, count: ArchiveLimits.lineBytes + 1)
        for terminated in [true, false] {
            var bytes = Array("{\"type\":\"post\"}\n".utf8) + long + Array("\n{\"type\":\"sms\"}\n".utf8)
            if !terminated { bytes = Array("{\"type\":\"post\"}\n".utf8) + long }
            var source = JSONLSource(bytes: bytes, name: "m")
            let lines = Self.describe(&source)
            #expect(lines.count == (terminated ? 3 : 2))
            #expect(
                lines[1] == "m:2 rejected line of \(long.count + (terminated ? 1 : 0)) bytes is longer than the limit of \(ArchiveLimits.lineBytes)")
            #expect(source.bytesRead == bytes.count)
        }
    }

    @Test func emptyInputs() {
        var jsonl = JSONLSource(bytes: [], name: "e")
        #expect(Self.describe(&jsonl).isEmpty)
        var mbox = MboxSource(bytes: [], name: "e")
        #expect(Self.describe(&mbox).isEmpty)
        var chat = WhatsAppSource(bytes: [], name: "e")
        #expect(Self.describe(&chat).isEmpty)
        var table = CSVSource(bytes: [], name: "e.csv")
        #expect(Self.describe(&table).isEmpty)
        var eml = EMLSource(bytes: [], name: "e")
        let one = Self.describe(&eml)
        #expect(one.count == 1 && one[0].hasPrefix("e rejected"))
    }
}
