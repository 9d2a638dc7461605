#if canImport(Glibc)
import Glibc
#endif

/// The bytes of a loaded compiled file: one aligned allocation that the loaded automata's tables
/// point into, freed when the last of them goes. A load from a file holds the header and the
/// payload (the file's first `count` of `fileLength` bytes); a load from memory, all of it.
final class CompiledStorage: @unchecked Sendable {
    let base: UnsafeMutableRawPointer
    let count: Int
    /// The length of the file the bytes start, which may be longer than `count`.
    private(set) var fileLength: Int
    /// The CRC-32C of the payload (the bytes after the header, up to where the header says the
    /// cold part starts), computed while they were copied or read in (each chunk while it is
    /// still in the cache), so that checking the payload costs no second pass over memory. Nil
    /// when the buffer is shorter than the header.
    private(set) var payloadChecksum: UInt32?
    /// Where the payload ends, as far as the bytes can tell: the checksum stops there.
    private var payloadEnd = Int.max

    /// Bytes copied or read per step: small enough to stay in the L2 cache for the checksum.
    static let chunk = 256 << 10

    /// Folds bytes [from, to) of the buffer into the payload checksum.
    private func checksum(_ from: Int, _ to: Int) {
        let h = CompiledFormat.headerLength
        if from == 0 && to >= h { payloadEnd = Self.payloadEnd(UnsafeRawBufferPointer(start: base, count: h), total: fileLength) }
        let to = min(to, payloadEnd)
        guard to > h, to > from else { return }
        let start = max(from, h)
        payloadChecksum = CRC32C.update(payloadChecksum ?? 0, UnsafeRawBufferPointer(start: base + start, count: to - start))
    }

    /// An uninitialised buffer of `count` bytes, 64-byte aligned (2 MB aligned and asked to live
    /// on huge pages when large, like the dense tables the compiler allocates).
    init?(count: Int) {
        let huge = 2 << 20
        var raw: UnsafeMutableRawPointer? = nil
        let alignment = count >= huge ? huge : 64
        let rounded = (max(1, count) + alignment - 1) / alignment * alignment
        guard posix_memalign(&raw, alignment, rounded) == 0, let r = raw else { return nil }
        if count >= huge { _ = madvise(r, rounded, 14) }  // MADV_HUGEPAGE
        base = r
        self.count = count
        fileLength = count
    }

    /// Where the payload of a file of `total` bytes starting with `header` ends: the header's
    /// payload length when it reads as this format's header, else the end of the file (the
    /// header check then refuses it before the checksum is looked at).
    static func payloadEnd(_ header: UnsafeRawBufferPointer, total: Int) -> Int {
        let h = CompiledFormat.headerLength
        guard header.count >= h, CompiledRulesHeader.hasMagic(header),
            CompiledRulesHeader.u32(header, CompiledFormat.versionOffset) == CompiledFormat.version,
            CompiledRulesHeader.u32(header, CompiledFormat.headerLengthOffset) == UInt32(h)
        else { return total }
        let length = CompiledRulesHeader.u64(header, CompiledFormat.payloadLengthOffset)
        return length <= UInt64(total - h) ? h + Int(length) : total
    }

    /// A copy of `bytes`.
    convenience init?(copying bytes: UnsafeRawBufferPointer) {
        self.init(count: bytes.count)
        guard let b = bytes.baseAddress, bytes.count > 0 else { return }
        var done = 0
        while done < bytes.count {
            let n = min(CompiledStorage.chunk, bytes.count - done)
            (base + done).copyMemory(from: b + done, byteCount: n)
            checksum(done, done + n)
            done += n
        }
        if payloadChecksum == nil && bytes.count >= CompiledFormat.headerLength { payloadChecksum = 0 }
    }

    /// The file at `path` up to the end of its payload (all of it when its header does not
    /// read as this format's): the cold part after the payload is read on first use.
    /// With `whole`, all of the file (the cold part then loads from the storage).
    static func read(path: String, whole: Bool = false) throws(CompiledRulesError) -> CompiledStorage {
        let fd = open(path, O_RDONLY | O_CLOEXEC)
        if fd < 0 { throw CompiledRulesError(.io, "cannot read \(path): \(String(cString: strerror(errno)))") }
        defer { close(fd) }
        var info = stat()
        guard fstat(fd, &info) == 0 else { throw CompiledRulesError(.io, "cannot read \(path): \(String(cString: strerror(errno)))") }
        if (info.st_mode & S_IFMT) == S_IFDIR { throw CompiledRulesError(.io, "cannot read \(path): it is a folder") }
        let size = Int(info.st_size)
        guard size <= CompiledFormat.maximumFileBytes else {
            throw CompiledRulesError(
                .corrupted, "\(path): \(size) bytes is larger than any compiled rule file (limit \(CompiledFormat.maximumFileBytes))")
        }
        // The header first, for where the payload ends; it is read again with the payload so
        // that the payload's tables keep their alignment in the buffer.
        let h = CompiledFormat.headerLength
        var header = [UInt8](repeating: 0, count: h)
        var got = 0
        while got < min(h, size) {
            let n = header.withUnsafeMutableBytes { pread(fd, $0.baseAddress! + got, min(h, size) - got, off_t(got)) }
            if n < 0 && errno == EINTR { continue }
            if n <= 0 { break }
            got += n
        }
        let wanted = got == h && !whole ? header.withUnsafeBytes { payloadEnd($0, total: size) } : size
        guard let storage = CompiledStorage(count: wanted) else { throw CompiledRulesError(.io, "cannot read \(path): out of memory") }
        storage.fileLength = size
        var done = 0
        while done < wanted {
            let n = pread(fd, storage.base + done, min(chunk, wanted - done), off_t(done))
            if n < 0 && errno == EINTR { continue }
            if n < 0 { throw CompiledRulesError(.io, "cannot read \(path): \(String(cString: strerror(errno)))") }
            if n == 0 { break }  // the file shrank: the header check reports it as truncated
            storage.checksum(done, done + n)
            done += n
        }
        if storage.payloadChecksum == nil && done >= h { storage.payloadChecksum = 0 }
        guard done < wanted else { return storage }
        let shorter = CompiledStorage(copying: UnsafeRawBufferPointer(start: storage.base, count: done))!
        shorter.fileLength = done
        return shorter
    }

    var bytes: UnsafeRawBufferPointer { UnsafeRawBufferPointer(start: base, count: count) }

    deinit { free(base) }
}
