#if canImport(Glibc)
import Glibc
#elseif canImport(Musl)
import Musl
#elseif canImport(Darwin)
import Darwin
#endif

/// Minimal file access over the C library, so the core needs no Foundation.
package enum FileSystem {
    enum Kind { case file, directory, missing, other }

    static func kind(of path: String) -> Kind {
        var info = stat()
        guard stat(path, &info) == 0 else { return .missing }
        switch info.st_mode & S_IFMT {
        case S_IFREG: return .file
        case S_IFDIR: return .directory
        default: return .other
        }
    }

    /// Reads a whole file, refusing files above `limit` bytes.
    static func read(_ path: String, limit: Int) -> Result<[UInt8], FileError> {
        readWholeFile(path, limit: limit).mapError { FileError(path: path, reason: $0.reason) }
    }

    /// Reads a whole file (or standard input for `-`), refusing a folder and anything above
    /// `limit` bytes. The one whole-file read of the package: the loader, the readers and the
    /// command use it, so that limits, `EINTR` and errors are handled once.
    package static func readWholeFile(_ path: String, limit: Int = Int.max) -> Result<[UInt8], WholeFileError> {
        if path == "-" {
            var bytes: [UInt8] = []
            if let failure = readAll(fd: 0, into: &bytes, limit: limit) { return .failure(failure) }
            return .success(bytes)
        }
        let fd = open(path, O_RDONLY | O_CLOEXEC)
        guard fd >= 0 else { return .failure(WholeFileError(kind: .open, code: errno)) }
        defer { close(fd) }
        var info = stat()
        guard fstat(fd, &info) == 0 else { return .failure(WholeFileError(kind: .read, code: errno)) }
        if (info.st_mode & S_IFMT) == S_IFDIR { return .failure(WholeFileError(kind: .directory)) }
        let size = Int(info.st_size)
        if size > limit { return .failure(WholeFileError(kind: .tooLarge, size: size, limit: limit)) }
        var bytes: [UInt8] = []
        bytes.reserveCapacity(size)
        if let failure = readAll(fd: fd, into: &bytes, limit: limit) { return .failure(failure) }
        return .success(bytes)
    }

    /// Appends everything left on `fd` to `bytes`; stops with `.tooLarge` as soon as `bytes` would
    /// hold more than `limit` (so a growing file or a pipe cannot make it hold more).
    package static func readAll(fd: Int32, into bytes: inout [UInt8], limit: Int) -> WholeFileError? {
        var chunk = [UInt8](repeating: 0, count: 1 << 16)
        while true {
            let n = chunk.withUnsafeMutableBytes { Glibc.read(fd, $0.baseAddress, $0.count) }
            if n < 0 {
                if errno == EINTR { continue }
                return WholeFileError(kind: .read, code: errno)
            }
            if n == 0 { return nil }
            if bytes.count + n > limit { return WholeFileError(kind: .tooLarge, size: bytes.count + n, limit: limit) }
            bytes.append(contentsOf: chunk[0..<n])
        }
    }

    /// The entries of a directory, sorted by name, without `.` and `..`.
    package static func entries(of path: String) -> [String] {
        guard let dir = opendir(path) else { return [] }
        defer { closedir(dir) }
        var names: [String] = []
        while let entry = readdir(dir) {
            let name = withUnsafePointer(to: entry.pointee.d_name) {
                $0.withMemoryRebound(to: CChar.self, capacity: 256) { String(cString: $0) }
            }
            if name == "." || name == ".." { continue }
            names.append(name)
        }
        return names.sorted { Array($0.utf8).lexicographicallyPrecedes(Array($1.utf8)) }
    }

    /// Every `.rules` file under `path`, recursively, in a stable (sorted) order.
    static func ruleFiles(under path: String, depthLimit: Int = 32) -> [String] {
        guard depthLimit > 0 else { return [] }
        var out: [String] = []
        for name in entries(of: path) where !name.hasPrefix(".") {
            let child = Path.join(path, name)
            switch kind(of: child) {
            case .directory: out += ruleFiles(under: child, depthLimit: depthLimit - 1)
            case .file where name.hasSuffix(".rules"): out.append(child)
            default: break
            }
        }
        return out
    }

    static func errnoText() -> String {
        String(cString: strerror(errno))
    }
}

struct FileError: Error {
    var path: String
    var reason: String
}

/// Why `FileSystem.readWholeFile` failed.
package struct WholeFileError: Error, Sendable {
    package enum Kind: Sendable { case open, directory, tooLarge, read }
    package var kind: Kind
    /// The C library's error number, for `open` and `read`.
    package var code: Int32 = 0
    /// The size seen, for `tooLarge`.
    package var size: Int = 0
    package var limit: Int = 0

    /// The reason in words: "No such file or directory", "is a directory", "file is larger than
    /// the limit of N bytes".
    package var reason: String {
        switch kind {
        case .open, .read: return String(cString: strerror(code))
        case .directory: return "is a directory"
        case .tooLarge: return "file is larger than the limit of \(limit) bytes"
        }
    }
}

/// Path arithmetic on `/`-separated strings.
enum Path {
    static func join(_ a: String, _ b: String) -> String {
        if a.isEmpty || a == "." { return b }
        return a.hasSuffix("/") ? a + b : a + "/" + b
    }

    static func directory(of path: String) -> String {
        guard let slash = path.lastIndex(of: "/") else { return "." }
        if slash == path.startIndex { return "/" }
        return String(path[..<slash])
    }

    static func fileName(of path: String) -> String {
        guard let slash = path.lastIndex(of: "/") else { return path }
        return String(path[path.index(after: slash)...])
    }

    /// Removes `.` components and folds `a/../` pairs; keeps leading `..`.
    static func normalize(_ path: String) -> String {
        let absolute = path.hasPrefix("/")
        var parts: [Substring] = []
        for part in path.split(separator: "/", omittingEmptySubsequences: true) {
            if part == "." { continue }
            if part == "..", let last = parts.last, last != ".." {
                parts.removeLast()
                continue
            }
            parts.append(part)
        }
        let joined = parts.joined(separator: "/")
        if absolute { return "/" + joined }
        return joined.isEmpty ? "." : joined
    }
}
