import InvigilArchive
#if canImport(Glibc)
import Glibc
#endif

/// `--readers [--size MB] [--runs N] [--reader-dir DIR]`: each archive reader alone, without
/// scanning, on generated archives of the corpus's messages: an mbox, a CSV export and a Maildir
/// holding the same messages (plus the JSONL archive for scale). Each reader is timed from its
/// path to its last record (`openArchive(path:format:)`, every record taken), against a `read(2)`
/// pass and a `memchr` pass over the same bytes in the same run, so that the figure can be
/// compared across a noisy machine as a ratio. `--reuse` reads the archives of an earlier run and
/// `--reader NAME` times one reader only (for profiling).
func runReaderBenchmark(sizeMB: Int, runs: Int, directory: String?, samples: String, reuse: Bool, only: String?) {
    let dir = directory ?? "/tmp/invigil-reader-bench"
    makeDirectory(dir)
    let mboxPath = dir + "/archive.mbox", csvPath = dir + "/archive.csv", maildir = dir + "/maildir", jsonlPath = dir + "/archive.jsonl"
    var inputs: [(label: String, path: String, format: ArchiveFormat, bytes: Int)] = []
    if reuse, fileExists(mboxPath), fileExists(csvPath), fileExists(maildir + "/cur"), fileExists(jsonlPath) {
        // The archives of an earlier run (profiling a reader without the generators in the profile).
        func size(_ p: String) -> Int { readWholeFile(p)?.count ?? 0 }
        let maildirBytes = listNames(maildir + "/cur").reduce(0) { $0 + size(maildir + "/cur/" + $1) }
        inputs = [
            ("mbox", mboxPath, .mbox, size(mboxPath)), ("csv", csvPath, .csv, size(csvPath)),
            ("maildir", maildir, .maildir, maildirBytes), ("jsonl", jsonlPath, .jsonl, size(jsonlPath))
        ]
    } else {
        let bytes = sizeMB << 20
        let vocab = Vocabulary()
        let corpus = makeTextCorpus(bytes: bytes, vocab: vocab)
        let mail = makeMailMessages(corpus: corpus, bytes: bytes)
        let mbox = makeMbox(mail)
        _ = writeWholeFile(mboxPath, mbox)
        inputs.append(("mbox", mboxPath, .mbox, mbox.count))
        let csv = makeCSV(corpus: corpus, bytes: bytes)
        _ = writeWholeFile(csvPath, csv)
        inputs.append(("csv", csvPath, .csv, csv.count))
        // A Maildir of a quarter of the size: one file per message is mostly file-system work.
        let maildirBytes = writeMaildir(maildir, mail.prefix(max(1, mail.count / 4)))
        inputs.append(("maildir", maildir, .maildir, maildirBytes))
        let jsonl = makeJSONLArchive(bytes: bytes, vocab: vocab, samples: readSampleLines(folder: samples))
        _ = writeWholeFile(jsonlPath, jsonl)
        inputs.append(("jsonl", jsonlPath, .jsonl, jsonl.count))
    }
    if let only { inputs = inputs.filter { $0.label == only } }

    print("invigil-bench --readers: generated in \(dir); median of \(runs) runs; MB/s of input bytes, no scanning")
    print("reader  |      MB  records rejected | reader MB/s  records/s | read(2) MB/s memchr MB/s | reader/read(2)")
    for input in inputs {
        var records = 0, rejected = 0
        let seconds = timeMedian(runs: runs) {
            guard var source = try? openArchive(path: input.path, format: input.format) else { return }
            records = 0
            rejected = 0
            while let r = source.next() {
                records += 1
                if case .rejected = r.payload { rejected += 1 }
            }
        }
        let readSeconds = timeMedian(runs: runs) { _ = readPass(input.path, format: input.format) }
        let memchrSeconds: Double
        if input.format == .maildir {
            memchrSeconds = .nan
        } else {
            let whole = readWholeFile(input.path) ?? []
            memchrSeconds = whole.withUnsafeBufferPointer { b in timeMedian(runs: runs) { _ = memchrPass(b) } }
        }
        let n = Double(input.bytes) / 1e6
        print(
            pad(input.label, 7, right: false) + " | " + pad(mb(input.bytes), 7) + " " + pad("\(records)", 8) + " " + pad("\(rejected)", 8)
                + " | " + pad(fmt(n / seconds), 11) + " " + pad(fmt(Double(records) / seconds), 10)
                + " | " + pad(fmt(n / readSeconds), 12) + " " + pad(fmt(n / memchrSeconds), 11)
                + " | " + pad(fmt(readSeconds / seconds, 3), 14))
    }
}

/// Reads every byte of a file (or of every file of a Maildir's `cur`) with `read(2)` in 1 MB
/// blocks: what the reader cannot go below.
private func readPass(_ path: String, format: ArchiveFormat) -> Int {
    var paths = [path]
    if format == .maildir {
        paths = listNames(path + "/cur").map { path + "/cur/" + $0 }
    }
    var total = 0
    let block = UnsafeMutableRawPointer.allocate(byteCount: 1 << 20, alignment: 64)
    defer { block.deallocate() }
    for p in paths {
        let fd = open(p, O_RDONLY)
        if fd < 0 { continue }
        while true {
            let n = read(fd, block, 1 << 20)
            if n <= 0 { break }
            total += n
        }
        close(fd)
    }
    return total
}

private func listNames(_ path: String) -> [String] {
    var names: [String] = []
    guard let d = opendir(path) else { return [] }
    while let e = readdir(d) {
        let name = withUnsafePointer(to: e.pointee.d_name) { $0.withMemoryRebound(to: CChar.self, capacity: 256) { String(cString: $0) } }
        if name != "." && name != ".." { names.append(name) }
    }
    closedir(d)
    return names.sorted()
}

/// Generated e-mail messages: headers like a school mail system's (names, addresses, a date, a
/// message id, MIME headers; one in eight quoted-printable, one in sixteen multipart/alternative
/// with an HTML part) and a body of 2–12 corpus messages, one per line.
private func makeMailMessages(corpus: (text: [UInt8], messages: [Range<Int>]), bytes: Int) -> [[UInt8]] {
    var rng = SplitMix(seed: 23)
    let names = ["Ann Smith", "Bob Jones", "Carla Diaz", "Dev Patel", "Eve O'Neil", "Farid Khan", "Grace Lee", "Hugo Brown"]
    var out: [[UInt8]] = []
    var total = 0
    var m = 0
    var n = 0
    let months = ["Jan", "Feb", "Mar", "Apr", "May", "Jun", "Jul", "Aug", "Sep", "Oct", "Nov", "Dec"]
    while total < bytes {
        n += 1
        let from = names[Int(rng.next() % UInt64(names.count))]
        let to = names[Int(rng.next() % UInt64(names.count))]
        let cc = names[Int(rng.next() % UInt64(names.count))]
        func address(_ name: String) -> String { name.lowercased().filter { $0 != "'" }.replacing(" ", with: ".") + "@school.example" }
        let day = 1 + Int(rng.next() % 28)
        let hour = Int(rng.next() % 24), minute = Int(rng.next() % 60)
        var body: [UInt8] = []
        let lines = 2 + Int(rng.next() % 11)
        for _ in 0..<lines {
            let r = corpus.messages[m % corpus.messages.count]
            m += 1
            body += corpus.text[r]
            body.append(0x0A)
        }
        let subjectRange = corpus.messages[m % corpus.messages.count]
        m += 1
        let subject = String(decoding: corpus.text[subjectRange].prefix(60).filter { $0 != 0x0A }, as: UTF8.self)
        var head = """
            From: "\(from)" <\(address(from))>
            To: \(to) <\(address(to))>, \(address(cc))
            Subject: \(subject)
            Date: Mon, \(day) \(months[n % 12]) 2024 \(hour < 10 ? "0" : "")\(hour):\(minute < 10 ? "0" : "")\(minute):00 +0000
            Message-ID: <\(n).\(rng.next() % 100_000)@mail.school.example>
            MIME-Version: 1.0

            """
        let kind = n % 16
        var message: [UInt8]
        if kind == 5 {
            head += "Content-Type: multipart/alternative; boundary=\"b\(n)\"\n\n"
            message = Array(head.utf8)
            message += Array("--b\(n)\nContent-Type: text/plain; charset=utf-8\n\n".utf8) + body
            message +=
                Array("--b\(n)\nContent-Type: text/html; charset=utf-8\n\n<html><body><p>".utf8) + body
                + Array("</p></body></html>\n--b\(n)--\n".utf8)
        } else if kind % 8 == 1 {
            head += "Content-Type: text/plain; charset=utf-8\nContent-Transfer-Encoding: quoted-printable\n\n"
            message = Array(head.utf8)
            // Soft line breaks every 70 bytes and an encoded byte now and then.
            var column = 0
            for b in body {
                if b == 0x0A { message.append(b); column = 0; continue }
                if b == 0x3D { message += Array("=3D".utf8); column += 3 } else { message.append(b); column += 1 }
                if column >= 70 { message += Array("=\n".utf8); column = 0 }
            }
        } else {
            head += "Content-Type: text/plain; charset=utf-8\nContent-Transfer-Encoding: 7bit\n\n"
            message = Array(head.utf8) + body
        }
        total += message.count
        out.append(message)
    }
    return out
}

private func makeMbox(_ messages: [[UInt8]]) -> [UInt8] {
    var out: [UInt8] = []
    for (i, m) in messages.enumerated() {
        out += Array("From sender\(i % 97)@school.example Mon Jan  1 00:00:00 2024\n".utf8)
        // mboxrd: a body line starting `From ` (or `>From `, ...) gets one more `>`, as mail
        // systems write it, so that it is not read as the next message's separator.
        var lineStart = true
        var k = 0
        while k < m.count {
            if lineStart {
                var q = k
                while q < m.count, m[q] == 0x3E { q += 1 }
                if m.count - q >= 5, m[q] == 0x46, m[q + 1] == 0x72, m[q + 2] == 0x6F, m[q + 3] == 0x6D, m[q + 4] == 0x20 { out.append(0x3E) }
            }
            out.append(m[k])
            lineStart = m[k] == 0x0A
            k += 1
        }
        out.append(0x0A)
    }
    return out
}

private func writeMaildir(_ root: String, _ messages: ArraySlice<[UInt8]>) -> Int {
    makeDirectory(root)
    for sub in ["cur", "new", "tmp"] { makeDirectory(root + "/" + sub) }
    var total = 0
    for (i, m) in messages.enumerated() {
        _ = writeWholeFile(root + "/cur/\(1_700_000_000 + i).M\(i)P1.host:2,S", m)
        total += m.count
    }
    return total
}

/// A CSV export of a messaging system: id, time, sender, recipients, text. Texts are quoted when
/// they hold a comma, a quote (doubled) or, one in fifty, a line break.
private func makeCSV(corpus: (text: [UInt8], messages: [Range<Int>]), bytes: Int) -> [UInt8] {
    var out = Array("id,time,from,to,text\n".utf8)
    var rng = SplitMix(seed: 31)
    var i = 0
    while out.count < bytes {
        let r = corpus.messages[i % corpus.messages.count]
        var text = Array(corpus.text[r])
        if i % 50 == 7 { text += Array(" \"see below\"\nand more".utf8) }
        let minute = Int(rng.next() % 60)
        out += Array(
            "m\(i),2024-03-0\(1 + i % 9)T10:\(minute < 10 ? "0" : "")\(minute):00Z,user\(i % 40)@school.example,user\(i % 37)@school.example;user\(i % 11)@school.example,"
                .utf8)
        if text.contains(0x2C) || text.contains(0x22) || text.contains(0x0A) {
            out.append(0x22)
            for b in text {
                if b == 0x22 { out.append(0x22) }
                out.append(b)
            }
            out.append(0x22)
        } else {
            out += text
        }
        out.append(0x0A)
        i += 1
    }
    return out
}
