#if canImport(Glibc)
import Glibc
#endif

/// Where a loaded rule set finds its file's cold part (the examples and the conditions, which
/// only `invigil test`, `explain`, `inspect` and the writer use), read and checked on first use
/// rather than by the load (docs/compiled-format.md, "The cold part").
enum ColdSource {
    /// Loaded from memory: the whole file was copied into the rule set's storage, the cold part
    /// with it, but not checksummed or checked.
    case memory(CompiledStorage)
    /// Loaded from a file: only the header and payload were read. The cold part is read from the
    /// file again, by its absolute path, and used only if the file still has the loaded header
    /// (same lengths and checksums) and the cold part's checksum and tie match it.
    case file(path: String, header: [UInt8])

    /// The cold part's bytes and the object that owns them, checked against `header` (its
    /// length, CRC-32C and tie to the payload).
    func read(_ header: CompiledRulesHeader) throws(CompiledRulesError) -> (owner: AnyObject, bytes: UnsafeRawBufferPointer) {
        switch self {
        case .memory(let storage):
            let cold = UnsafeRawBufferPointer(rebasing: storage.bytes[header.coldOffset..<(header.coldOffset + header.coldLength)])
            try header.verifyCold(cold)
            return (storage, cold)
        case .file(let path, let loadedHeader):
            do throws(CompiledRulesError) {
                let storage = try Self.readFile(path, header, loadedHeader)
                try header.verifyCold(storage.bytes)
                return (storage, storage.bytes)
            } catch {
                throw CompiledRulesError(error.kind, "\(path): \(error.message)")
            }
        }
    }

    /// Bytes [coldOffset, fileLength) of the file at `path`, after checking that it is still the
    /// file that was loaded: the same length and the same header bytes.
    private static func readFile(_ path: String, _ header: CompiledRulesHeader, _ loadedHeader: [UInt8]) throws(CompiledRulesError)
        -> CompiledStorage
    {
        func failure() -> CompiledRulesError {
            CompiledRulesError(.io, "cannot read the examples and conditions: \(String(cString: strerror(errno)))")
        }
        func changed(_ how: String) -> CompiledRulesError {
            CompiledRulesError(
                .corrupted, "the compiled rule file has changed since it was loaded (\(how)): load it again to read its examples and conditions")
        }
        let fd = open(path, O_RDONLY | O_CLOEXEC)
        if fd < 0 { throw failure() }
        defer { close(fd) }
        var info = stat()
        guard fstat(fd, &info) == 0 else { throw failure() }
        guard (info.st_mode & S_IFMT) == S_IFREG, Int(info.st_size) == header.fileLength else {
            throw changed("\(info.st_size) bytes, loaded \(header.fileLength)")
        }
        let now = UnsafeMutableRawBufferPointer.allocate(byteCount: loadedHeader.count, alignment: 8)
        defer { now.deallocate() }
        let got = try readFully(fd, now.baseAddress!, now.count, at: 0, failure)
        guard got == loadedHeader.count, now.elementsEqual(loadedHeader) else { throw changed("another header") }
        guard let storage = CompiledStorage(count: header.coldLength) else { throw CompiledRulesError(.io, "out of memory") }
        let n = try readFully(fd, storage.base, header.coldLength, at: header.coldOffset, failure)
        guard n == header.coldLength else { throw changed("shorter") }
        return storage
    }

    /// Reads up to `count` bytes at `offset` (fewer only at the end of the file).
    private static func readFully(
        _ fd: Int32, _ into: UnsafeMutableRawPointer, _ count: Int, at offset: Int, _ failure: () -> CompiledRulesError
    ) throws(CompiledRulesError) -> Int {
        var done = 0
        while done < count {
            let n = pread(fd, into + done, count - done, off_t(offset + done))
            if n < 0 && errno == EINTR { continue }
            if n < 0 { throw failure() }
            if n == 0 { break }
            done += n
        }
        return done
    }

    /// `path` made absolute (against the working directory at the load), so that a later
    /// change of directory does not change which file the cold part is read from.
    static func absolute(_ path: String) -> String {
        if path.hasPrefix("/") { return path }
        var buffer = [CChar](repeating: 0, count: Int(PATH_MAX) + 1)
        guard getcwd(&buffer, buffer.count) != nil else { return path }
        let directory = String(decoding: buffer.prefix { $0 != 0 }.map { UInt8(bitPattern: $0) }, as: UTF8.self)
        return directory.hasSuffix("/") ? directory + path : directory + "/" + path
    }
}
