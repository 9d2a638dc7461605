#if canImport(Glibc)
import Glibc
#endif

/// The bytes of a loaded compiled file: one aligned allocation that the loaded automata's tables
/// point into, freed when the last of them goes.
final class CompiledStorage: @unchecked Sendable {
    let base: UnsafeMutableRawPointer
    let count: Int
    /// The CRC-32C of the bytes after the header, computed while they were copied or read in
    /// (each chunk while it is still in the cache), so that checking the payload costs no second
    /// pass over memory. Nil when the buffer is shorter than the header.
    private(set) var payloadChecksum: UInt32?

    /// Bytes copied or read per step: small enough to stay in the L2 cache for the checksum.
    static let chunk = 256 << 10

    /// Folds bytes [from, to) of the buffer into the payload checksum.
    private func checksum(_ from: Int, _ to: Int) {
        let h = CompiledFormat.headerLength
        guard to > h else { return }
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
        if bytes.count == CompiledFormat.headerLength { payloadChecksum = 0 }
    }

    /// The whole file at `path`.
    static func read(path: String) throws(CompiledRulesError) -> CompiledStorage {
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
        guard let storage = CompiledStorage(count: size) else { throw CompiledRulesError(.io, "cannot read \(path): out of memory") }
        var done = 0
        while done < size {
            let n = Glibc.read(fd, storage.base + done, min(chunk, size - done))
            if n < 0 && errno == EINTR { continue }
            if n < 0 { throw CompiledRulesError(.io, "cannot read \(path): \(String(cString: strerror(errno)))") }
            if n == 0 { break }  // the file shrank: the header check reports it as truncated
            storage.checksum(done, done + n)
            done += n
        }
        if done == CompiledFormat.headerLength { storage.payloadChecksum = 0 }
        return done == size ? storage : CompiledStorage(copying: UnsafeRawBufferPointer(start: storage.base, count: done))!
    }

    var bytes: UnsafeRawBufferPointer { UnsafeRawBufferPointer(start: base, count: count) }

    deinit { free(base) }
}
