import Invigil
import InvigilArchive

/// `zip`: the zip container, `Inflate` and the WhatsApp `.zip` reader. The first byte picks the
/// path: an odd first byte inflates the rest as a raw DEFLATE stream (with an exact size, with a
/// limit, and its prefixes); otherwise the whole input is a zip archive, every entry is read under small
/// limits, and the archive is read as a WhatsApp export (records drained and scanned, notes
/// taken). Zip seeds start with `P` (0x50), raw-stream seeds with 0x01.
enum FuzzZip {
    static let limits: ZipLimits = {
        var l = ZipLimits()
        l.entryBytes = 1 << 20
        l.totalBytes = 4 << 20
        return l
    }()

    static func run(_ data: UnsafeBufferPointer<UInt8>) {
        guard let first = data.first else { return }
        if first & 1 == 1 {
            inflate(UnsafeBufferPointer(rebasing: data[1...]))
        } else {
            container(data)
        }
    }

    static func inflate(_ stream: UnsafeBufferPointer<UInt8>) {
        let limit = 1 << 18
        guard let out = try? Inflate.decompress(stream, limit: limit) else { return }
        if out.count > limit { fuzzFail("inflate: \(out.count) bytes over the limit of \(limit)") }
        // The same stream with its size known must give the same bytes, and one byte less must
        // be refused.
        do {
            let exact = try Inflate.decompress(stream, limit: out.count, exact: true)
            if exact != out { fuzzFail("inflate: exact-size output differs") }
        } catch {
            fuzzFail("inflate: refused with its own size: \(error)")
        }
        if !out.isEmpty, (try? Inflate.decompress(stream, limit: out.count - 1)) != nil {
            fuzzFail("inflate: \(out.count) bytes fit a limit of \(out.count - 1)")
        }
        // Prefixes, from the whole stream and from its first half, start the output.
        let count = out.count / 2 + 1
        for input in [Array(stream), Array(stream.prefix(stream.count / 2))] {
            guard let head = Inflate.prefix(of: input, count: count) else {
                if input.count == stream.count { fuzzFail("inflate: no prefix of a valid stream") }
                continue
            }
            if head.count > count || !out.starts(with: head) { fuzzFail("inflate: a prefix of \(head.count) bytes is not the output's start") }
        }
    }

    static func container(_ data: UnsafeBufferPointer<UInt8>) {
        let bytes = Array(data)
        guard let zip = try? ZipArchive(bytes: bytes, limits: limits) else { return }
        for entry in zip.entries.prefix(64) {
            if entry.localHeaderOffset > data.count || entry.compressedSize > data.count { fuzzFail("zip: entry beyond the input: \(entry)") }
            guard let contents = try? zip.contents(of: entry) else { continue }
            if contents.count != entry.uncompressedSize { fuzzFail("zip: \(contents.count) bytes for a declared \(entry.uncompressedSize)") }
            if CRC32.checksum(contents) != entry.crc32 { fuzzFail("zip: contents do not match the CRC") }
        }
        if zip.bytesExtracted > limits.totalBytes { fuzzFail("zip: \(zip.bytesExtracted) bytes extracted, over the total limit") }
        let name = ScratchFile.path(".zip")
        guard let chat = try? WhatsAppZipSource(bytes: bytes, name: name, directory: FuzzReaders.directory, limits: limits) else { return }
        var source = chat
        let records = FuzzReaders.drain(&source, data.count, "whatsapp zip")
        _ = chat.notes
        guard FuzzReaders.alsoByPath(data) else { return }
        let path = ScratchFile.write(data, suffix: ".zip")
        do {
            var file = try WhatsAppZipSource(path: path, directory: FuzzReaders.directory, limits: limits)
            FuzzReaders.same(records, FuzzReaders.drain(&file, data.count, "whatsapp zip file", scan: false), "whatsapp zip")
        } catch {
            fuzzFail("whatsapp zip: opens from memory but not from its file: \(error)")
        }
    }
}
