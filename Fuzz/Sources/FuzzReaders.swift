import Invigil
import InvigilArchive

/// `mail`, `whatsapp`, `csv`: the input is a file in that format, written to a scratch file
/// (the readers take paths). Every record must be an event or a rejection with a reason; events
/// are loaded into a scanner over the bundled packs (fields the readers produce must be accepted
/// or refused with a FieldError, not trap) and scanned. A reader must end (a hang is a failure).
enum FuzzReaders {
    nonisolated(unsafe) static let scanner = Scanner(rules: packRules)
    static let directory: PeopleDirectory = {
        let csv = "address,name,role,relation\nhead@school.example,Ann Head,staff\npupil@example.com,Pip Pupil,pupil\nmum@example.com,Mum,parent,family\n"
        let path = Array(csv.utf8).withUnsafeBufferPointer { ScratchFile.write($0, suffix: ".people.csv") }
        do { return try PeopleDirectory(path: path) } catch { fuzzFail("people directory: \(error)") }
    }()

    /// Reads every record of a source, with a bound on records per input byte (progress).
    static func drain(_ source: inout some ArchiveSource, _ size: Int, _ what: String) {
        var records = 0
        while let record = source.next() {
            records += 1
            if records > 2 * size + 8 { fuzzFail("\(what): \(records) records from \(size) bytes: no progress") }
            if record.source.isEmpty { fuzzFail("\(what): record without a source") }
            switch record.payload {
            case .rejected(let reason):
                if reason.isEmpty { fuzzFail("\(what): rejection without a reason") }
            default:
                if let reason = record.load(into: scanner) {
                    _ = reason
                    continue
                }
                scanner.scan()
                checkFindings(scanner)
            }
        }
        if source.bytesRead < 0 { fuzzFail("\(what): negative bytesRead") }
    }

    static func mail(_ data: UnsafeBufferPointer<UInt8>) {
        let path = ScratchFile.write(data, suffix: ".mail")
        do {
            var mbox = try MboxSource(path: path, directory: directory)
            drain(&mbox, data.count, "mbox")
            var eml = try EMLSource(path: path, directory: directory)
            drain(&eml, data.count, "eml")
        } catch {
            fuzzFail("cannot open the scratch file: \(error)")
        }
    }

    static func whatsApp(_ data: UnsafeBufferPointer<UInt8>) {
        let path = ScratchFile.write(data, suffix: ".txt")
        var options = WhatsAppOptions()
        // The date order and time zone rule come from the input's length, so that all are reached.
        switch data.count % 3 {
        case 0: options.dateOrder = .auto
        case 1: options.dateOrder = .dayFirst
        default: options.dateOrder = .monthFirst
        }
        do {
            var chat = try WhatsAppSource(path: path, options: options, directory: directory)
            drain(&chat, data.count, "whatsapp")
        } catch {
            fuzzFail("cannot open the scratch file: \(error)")
        }
    }

    static func csv(_ data: UnsafeBufferPointer<UInt8>) {
        // The same bytes as CSV (RFC 4180 quoting, header row) and as TSV (tabs, no quoting).
        for suffix in [".csv", ".tsv"] {
            let path = ScratchFile.write(data, suffix: suffix)
            do {
                var table = try CSVSource(path: path, options: CSVOptions(), directory: directory)
                drain(&table, data.count, suffix)
            } catch {
                fuzzFail("cannot open the scratch file: \(error)")
            }
        }
        // Without a header, columns named by the caller (one of them a whole RFC 822 message).
        var options = CSVOptions(map: ["raw": "message", "who": "author", "to": "recipients"])
        options.header = false
        options.columns = ["time", "who", "to", "text", "raw"]
        options.dayFirst = data.count & 1 == 0
        let path = ScratchFile.write(data, suffix: ".csv")
        do {
            var table = try CSVSource(path: path, options: options, directory: directory)
            drain(&table, data.count, "csv without header")
        } catch {
            fuzzFail("cannot open the scratch file: \(error)")
        }
    }
}
