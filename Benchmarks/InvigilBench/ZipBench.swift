import InvigilArchive
#if canImport(Glibc)
import Glibc
#endif

/// `--zip FILE`: the zip reader on a real archive (a WhatsApp export, or any zip with deflated
/// entries), against baselines over the same bytes in the same run: for each deflated entry,
/// reading it (`ZipArchive.contents`: pread, inflate, CRC-32) against CRC-32 alone and a memchr
/// pass over its output; then the WhatsApp reader over the export against the same reader over
/// the chat text already in memory.
func runZipBenchmark(path: String, runs: Int) {
    let zip: ZipArchive
    do { zip = try ZipArchive(path: path) } catch { printErr("invigil-bench: \(path): \(error)"); exit(1) }
    print("invigil-bench --zip: \(path), \(zip.entries.count) entries; median of \(runs) runs; MB/s of uncompressed bytes")
    print("entry                                    |   packed MB      MB | read MB/s | crc32 MB/s  memchr MB/s | read/crc32  read/memchr")
    for entry in zip.entries where entry.method == 8 && entry.uncompressedSize >= 1 << 16 {
        let output: [UInt8]
        do { output = try zip.contents(of: entry) } catch { printErr("\(entry.name): \(error)"); continue }
        let readSeconds = timeMedian(runs: runs) {
            // A fresh archive per run: the total-bytes limit counts what one archive hands out.
            _ = try? ZipArchive(path: path).contents(of: entry)
        }
        let crcSeconds = output.withUnsafeBufferPointer { b in timeMedian(runs: runs) { _ = CRC32.checksum(b) } }
        let memchrSeconds = output.withUnsafeBufferPointer { b in timeMedian(runs: runs) { _ = memchrPass(b) } }
        let n = Double(output.count) / 1e6
        print(
            pad(String(entry.name.prefix(40)), 40, right: false) + " | " + pad(mb(entry.compressedSize), 9) + " " + pad(mb(output.count), 7)
                + " | " + pad(fmt(n / readSeconds), 9) + " | " + pad(fmt(n / crcSeconds), 10) + " " + pad(fmt(n / memchrSeconds), 12)
                + " | " + pad(fmt(crcSeconds / readSeconds, 3), 10) + " " + pad(fmt(memchrSeconds / readSeconds, 3), 12))
    }
    // The WhatsApp reader: from the zip, and from the chat text in memory.
    guard let chat = zip.entries.first(where: { $0.fileName == "_chat.txt" || $0.fileName.lowercased().contains("whatsapp") }),
        let text = try? ZipArchive(path: path).contents(of: chat)
    else { return }
    var records = 0
    let fromZip = timeMedian(runs: runs) {
        guard let source = try? WhatsAppZipSource(path: path) else { return }
        records = 0
        while source.next() != nil { records += 1 }
    }
    let fromText = timeMedian(runs: runs) {
        let source = WhatsAppSource(bytes: text, name: "chat.txt")
        while source.next() != nil {}
    }
    let n = Double(text.count) / 1e6
    print(
        "whatsapp reader: \(records) records, \(mb(text.count)) MB of chat: from the zip \(fmt(n / fromZip)) MB/s, "
            + "from the text in memory \(fmt(n / fromText)) MB/s (zip/text time \(fmt(fromZip / fromText, 2)))")
}
