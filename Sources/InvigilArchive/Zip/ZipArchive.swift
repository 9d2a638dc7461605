#if canImport(Glibc)
import Glibc
#endif

/// A zip archive (PKWARE APPNOTE 6.3): its end of central directory record, its central
/// directory, and entries read through their local headers, stored (method 0) or deflated
/// (method 8, `Inflate`), CRC-32 checked.
///
/// Every offset and length read from the archive is checked against the archive's size and the
/// regions it must lie in before use. Encrypted entries, other methods, ZIP64 and archives split
/// over several disks are refused with a `ZipError` of kind `.unsupported` that says which.
/// `ZipLimits` bound what is decompressed.
///
/// ```swift
/// let zip = try ZipArchive(path: "export.zip")
/// if let chat = zip.entries.first(where: { $0.fileName == "_chat.txt" }) { let text = try zip.contents(of: chat) }
/// ```
package final class ZipArchive {
    package let entries: [ZipEntry]
    package let limits: ZipLimits
    let storage: any ZipStorage
    /// Where the central directory starts: every entry's data must end before it.
    let centralDirectoryOffset: Int
    /// Uncompressed bytes handed out so far (against `limits.totalBytes`).
    package private(set) var bytesExtracted = 0

    static let endSignature: [UInt8] = [0x50, 0x4B, 0x05, 0x06]
    static let zip64LocatorSignature: [UInt8] = [0x50, 0x4B, 0x06, 0x07]
    static let centralSignature: [UInt8] = [0x50, 0x4B, 0x01, 0x02]
    static let localSignature: [UInt8] = [0x50, 0x4B, 0x03, 0x04]
    static let endRecordSize = 22
    static let centralHeaderSize = 46
    static let localHeaderSize = 30

    /// Opens a zip file and reads its central directory.
    package convenience init(path: String, limits: ZipLimits = .standard) throws(ZipError) {
        guard let storage = FileZipStorage(path: path) else {
            throw ZipError(.io, openFailureReason(path))
        }
        try self.init(storage: storage, limits: limits)
    }

    /// Reads a zip archive held in memory.
    package convenience init(bytes: [UInt8], limits: ZipLimits = .standard) throws(ZipError) {
        try self.init(storage: MemoryZipStorage(bytes), limits: limits)
    }

    init(storage: any ZipStorage, limits: ZipLimits) throws(ZipError) {
        self.storage = storage
        self.limits = limits
        let size = storage.size
        guard size >= Self.endRecordSize else {
            throw ZipError(.notZip, "not a zip archive: \(size) bytes is shorter than a zip end record")
        }
        // The end record is the last 22 bytes plus a comment of up to 65,535 bytes: look for its
        // signature from the end, and take the last one whose comment fits in the file.
        let tailLength = min(size, Self.endRecordSize + 0xFFFF)
        let tailStart = size - tailLength
        let tail = try storage.read(offset: tailStart, length: tailLength)
        var end = -1
        var i = tailLength - Self.endRecordSize
        while i >= 0 {
            if tail[i] == 0x50, tail[i + 1] == 0x4B, tail[i + 2] == 0x05, tail[i + 3] == 0x06,
                i + Self.endRecordSize + Self.u16(tail, i + 20) <= tailLength
            {
                end = i
                break
            }
            i -= 1
        }
        guard end >= 0 else {
            throw ZipError(.notZip, "not a zip archive, or cut short: no end of central directory record")
        }
        let disk = Self.u16(tail, end + 4)
        let directoryDisk = Self.u16(tail, end + 6)
        let entriesOnDisk = Self.u16(tail, end + 8)
        let entryCount = Self.u16(tail, end + 10)
        let directorySize = Self.u32(tail, end + 12)
        let directoryOffset = Self.u32(tail, end + 16)
        let endOffset = tailStart + end
        let hasZip64Locator = end >= 20 && tail[(end - 20)..<(end - 16)].elementsEqual(Self.zip64LocatorSignature)
        if hasZip64Locator || entryCount == 0xFFFF || entriesOnDisk == 0xFFFF || directorySize == 0xFFFF_FFFF || directoryOffset == 0xFFFF_FFFF {
            throw ZipError(.unsupported, "ZIP64 archives (over 4 GB or 65,535 entries) are not supported")
        }
        guard disk == 0, directoryDisk == 0, entriesOnDisk == entryCount else {
            throw ZipError(.unsupported, "archives split over several disks are not supported")
        }
        guard entryCount <= limits.entries else {
            throw ZipError(.limit, "\(entryCount) entries is more than the limit of \(limits.entries)")
        }
        guard directorySize <= limits.centralDirectoryBytes else {
            throw ZipError(.limit, "central directory of \(directorySize) bytes is larger than the limit of \(limits.centralDirectoryBytes)")
        }
        guard directoryOffset <= endOffset, directorySize == endOffset - directoryOffset else {
            throw ZipError(
                .corrupt,
                "corrupt zip: the central directory (\(directorySize) bytes at \(directoryOffset)) does not end where the end record starts (\(endOffset))"
            )
        }
        guard directorySize >= entryCount * Self.centralHeaderSize else {
            throw ZipError(.corrupt, "corrupt zip: a central directory of \(directorySize) bytes cannot hold \(entryCount) entries")
        }
        centralDirectoryOffset = directoryOffset
        let directory = try storage.read(offset: directoryOffset, length: directorySize)
        var list: [ZipEntry] = []
        list.reserveCapacity(entryCount)
        var p = 0
        for n in 0..<entryCount {
            guard directory.count - p >= Self.centralHeaderSize, directory[p..<(p + 4)].elementsEqual(Self.centralSignature) else {
                throw ZipError(.corrupt, "corrupt zip: central directory entry \(n + 1) of \(entryCount) is missing or has a bad signature")
            }
            let flags = UInt16(Self.u16(directory, p + 8))
            let method = UInt16(Self.u16(directory, p + 10))
            let crc = UInt32(Self.u32(directory, p + 16))
            let compressed = Self.u32(directory, p + 20)
            let uncompressed = Self.u32(directory, p + 24)
            let nameLength = Self.u16(directory, p + 28)
            let extraLength = Self.u16(directory, p + 30)
            let commentLength = Self.u16(directory, p + 32)
            let startDisk = Self.u16(directory, p + 34)
            let localOffset = Self.u32(directory, p + 42)
            let recordLength = Self.centralHeaderSize + nameLength + extraLength + commentLength
            guard directory.count - p >= recordLength else {
                throw ZipError(.corrupt, "corrupt zip: central directory entry \(n + 1) runs past the directory's end")
            }
            let nameBytes = directory[(p + Self.centralHeaderSize)..<(p + Self.centralHeaderSize + nameLength)]
            let name = String(decoding: nameBytes, as: UTF8.self)
            if compressed == 0xFFFF_FFFF || uncompressed == 0xFFFF_FFFF || localOffset == 0xFFFF_FFFF || startDisk == 0xFFFF {
                throw ZipError(.unsupported, "entry '\(name)': ZIP64 entries (over 4 GB) are not supported")
            }
            guard startDisk == 0 else { throw ZipError(.unsupported, "entry '\(name)' is on another disk: split archives are not supported") }
            guard localOffset <= directoryOffset, compressed <= directoryOffset - localOffset else {
                throw ZipError(
                    .corrupt, "corrupt zip: entry '\(name)' claims data (\(compressed) bytes at \(localOffset)) beyond the central directory")
            }
            list.append(
                ZipEntry(
                    name: name, flags: flags, method: method, crc32: crc, compressedSize: compressed,
                    uncompressedSize: uncompressed, localHeaderOffset: localOffset))
            p += recordLength
        }
        entries = list
    }

    /// The uncompressed contents of an entry, after checking the limits, the local header, the
    /// method and encryption, and then the size and CRC-32 of what was decompressed.
    package func contents(of entry: ZipEntry) throws(ZipError) -> [UInt8] {
        let name = entry.name
        let (dataStart, _) = try dataStart(of: entry)
        try checkLimits(entry)
        let packed = try storage.read(offset: dataStart, length: entry.compressedSize)
        var data: [UInt8]
        if entry.method == 0 {
            guard entry.compressedSize == entry.uncompressedSize else {
                throw ZipError(
                    .corrupt,
                    "corrupt zip: stored entry '\(name)' has different compressed (\(entry.compressedSize)) and uncompressed (\(entry.uncompressedSize)) sizes"
                )
            }
            data = packed
        } else {
            do {
                data = try Inflate.decompress(packed, limit: entry.uncompressedSize, exact: true)
            } catch {
                throw ZipError(.badData, "entry '\(name)': \(error.description)")
            }
        }
        let crc = CRC32.checksum(data)
        guard crc == entry.crc32 else {
            throw ZipError(.badData, "entry '\(name)': CRC-32 \(hex(crc)) does not match the \(hex(entry.crc32)) recorded")
        }
        bytesExtracted += data.count
        return data
    }

    /// The first bytes of an entry (about `count`, see `Inflate.prefix`), from at most
    /// `count * 2 + 1024` compressed bytes, not checked against the CRC (which covers the whole),
    /// nor counted against the limits. For recognising an entry by its start.
    package func prefix(of entry: ZipEntry, count: Int) throws(ZipError) -> [UInt8] {
        let (start, method) = try dataStart(of: entry)
        let packed = try storage.read(offset: start, length: min(entry.compressedSize, count * 2 + 1024))
        if method == 0 { return Array(packed.prefix(count)) }
        guard let out = Inflate.prefix(of: packed, count: count) else {
            throw ZipError(.badData, "entry '\(entry.name)': invalid deflate data")
        }
        return out
    }

    /// Where an entry's data starts, after checking its encryption, method and local header, and
    /// that its data ends before the central directory.
    func dataStart(of entry: ZipEntry) throws(ZipError) -> (offset: Int, method: UInt16) {
        let name = entry.name
        if entry.isEncrypted { throw ZipError(.unsupported, "entry '\(name)' is encrypted") }
        guard entry.method == 0 || entry.method == 8 else {
            throw ZipError(
                .unsupported, "entry '\(name)' is compressed with \(ZipEntry.methodName(entry.method)); only stored and deflate are supported")
        }
        guard centralDirectoryOffset >= Self.localHeaderSize, entry.localHeaderOffset <= centralDirectoryOffset - Self.localHeaderSize else {
            throw ZipError(.corrupt, "corrupt zip: the local header of '\(name)' lies past the central directory")
        }
        let local = try storage.read(offset: entry.localHeaderOffset, length: Self.localHeaderSize)
        guard local[0..<4].elementsEqual(Self.localSignature) else {
            throw ZipError(.corrupt, "corrupt zip: no local header for '\(name)' at offset \(entry.localHeaderOffset)")
        }
        if UInt16(Self.u16(local, 6)) & 0x41 != 0 { throw ZipError(.unsupported, "entry '\(name)' is encrypted") }
        let start = entry.localHeaderOffset + Self.localHeaderSize + Self.u16(local, 26) + Self.u16(local, 28)
        guard start <= centralDirectoryOffset, entry.compressedSize <= centralDirectoryOffset - start else {
            throw ZipError(.corrupt, "corrupt zip: the data of '\(name)' runs into the central directory")
        }
        return (start, entry.method)
    }

    /// Refuses, before decompressing anything, an entry whose declared size or ratio is over the
    /// limits, or that would take the archive's total over `limits.totalBytes`.
    func checkLimits(_ entry: ZipEntry) throws(ZipError) {
        let size = entry.uncompressedSize
        if size > limits.entryBytes {
            throw ZipError(.limit, "entry '\(entry.name)' of \(size) bytes is larger than the limit of \(limits.entryBytes)")
        }
        if size > limits.totalBytes - bytesExtracted {
            throw ZipError(.limit, "entry '\(entry.name)' would take the bytes read from the archive over the limit of \(limits.totalBytes)")
        }
        if size >= limits.ratioFloor, size / max(entry.compressedSize, 1) > limits.compressionRatio {
            throw ZipError(
                .limit,
                "entry '\(entry.name)' expands \(size / max(entry.compressedSize, 1)) times (\(entry.compressedSize) to \(size) bytes), more than the limit of \(limits.compressionRatio)"
            )
        }
    }

    /// Whether a file starts with a zip signature (a local header, or the end record of an empty
    /// archive).
    package static func hasSignature(path: String) -> Bool {
        let fd = openReadable(path)
        guard fd >= 0 else { return false }
        defer { Glibc.close(fd) }
        var head = [UInt8](repeating: 0, count: 4)
        let got = head.withUnsafeMutableBytes { Glibc.read(fd, $0.baseAddress!, 4) }
        return got == 4 && hasSignature(head)
    }

    package static func hasSignature(_ head: some Collection<UInt8>) -> Bool {
        head.starts(with: localSignature) || head.starts(with: endSignature)
    }

    @inline(__always) static func u16(_ b: [UInt8], _ i: Int) -> Int { Int(b[i]) | Int(b[i + 1]) << 8 }
    @inline(__always) static func u32(_ b: [UInt8], _ i: Int) -> Int { u16(b, i) | u16(b, i + 2) << 16 }
}

private func hex(_ v: UInt32) -> String {
    let digits = String(v, radix: 16)
    return "0x" + String(repeating: "0", count: 8 - digits.count) + digits
}
