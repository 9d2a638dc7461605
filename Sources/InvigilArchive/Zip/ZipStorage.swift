#if canImport(Glibc)
import Glibc
#endif

/// The bytes of a zip archive, read at any offset: a file (read with `pread`, never held whole,
/// since an export's media may be gigabytes) or bytes in memory.
protocol ZipStorage: AnyObject {
    var size: Int { get }
    /// `length` bytes at `offset`, which the caller has checked lie inside `size`.
    func read(offset: Int, length: Int) throws(ZipError) -> [UInt8]
}

final class MemoryZipStorage: ZipStorage {
    let bytes: [UInt8]
    var size: Int { bytes.count }

    init(_ bytes: [UInt8]) { self.bytes = bytes }

    func read(offset: Int, length: Int) throws(ZipError) -> [UInt8] {
        guard offset >= 0, length >= 0, offset <= bytes.count, length <= bytes.count - offset else {
            throw ZipError(.corrupt, "read of \(length) bytes at \(offset) is outside the archive")
        }
        return Array(bytes[offset..<(offset + length)])
    }
}

final class FileZipStorage: ZipStorage {
    let fd: Int32
    let size: Int

    /// Opens the file; nil and errno set when it cannot be opened (or is a folder).
    init?(path: String) {
        guard let file = OpenFile(path) else { return nil }
        fd = file.fd
        size = file.size
    }

    deinit { Glibc.close(fd) }

    func read(offset: Int, length: Int) throws(ZipError) -> [UInt8] {
        guard offset >= 0, length >= 0, offset <= size, length <= size - offset else {
            throw ZipError(.corrupt, "read of \(length) bytes at \(offset) is outside the archive")
        }
        var buffer = [UInt8](repeating: 0, count: length)
        var done = 0
        var failure: Int32 = 0
        buffer.withUnsafeMutableBytes { b in
            while done < length {
                let n = pread(fd, b.baseAddress! + done, length - done, off_t(offset + done))
                if n < 0 && errno == EINTR { continue }
                if n <= 0 { failure = n < 0 ? errno : 0; break }
                done += n
            }
        }
        guard done == length else {
            throw ZipError(.io, failure != 0 ? "read error: \(String(cString: strerror(failure)))" : "the file became shorter while being read")
        }
        return buffer
    }
}
