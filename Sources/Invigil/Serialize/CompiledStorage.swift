#if canImport(Glibc)
import Glibc
#endif

/// The bytes of a loaded compiled file: one aligned allocation that the loaded automata's tables
/// point into, freed when the last of them goes.
final class CompiledStorage: @unchecked Sendable {
    let base: UnsafeMutableRawPointer
    let count: Int

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
        if let b = bytes.baseAddress, bytes.count > 0 { base.copyMemory(from: b, byteCount: bytes.count) }
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
            throw CompiledRulesError(.corrupted, "\(path): \(size) bytes is larger than any compiled rule file (limit \(CompiledFormat.maximumFileBytes))")
        }
        guard let storage = CompiledStorage(count: size) else { throw CompiledRulesError(.io, "cannot read \(path): out of memory") }
        var done = 0
        while done < size {
            let n = Glibc.read(fd, storage.base + done, size - done)
            if n < 0 && errno == EINTR { continue }
            if n < 0 { throw CompiledRulesError(.io, "cannot read \(path): \(String(cString: strerror(errno)))") }
            if n == 0 { break }  // the file shrank: the header check reports it as truncated
            done += n
        }
        return done == size ? storage : CompiledStorage(copying: UnsafeRawBufferPointer(start: storage.base, count: done))!
    }

    var bytes: UnsafeRawBufferPointer { UnsafeRawBufferPointer(start: base, count: count) }

    deinit { free(base) }
}
