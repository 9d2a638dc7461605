#if canImport(Glibc)
import Glibc
#endif

// The readers' file access: opening, reading small files whole, listing folders. Maildir folders
// and folders of .eml files are thousands of small files, so each costs as few system calls as it
// can: a folder entry's type comes from the listing (no stat per file), and a message file is
// opened, sized, read and closed, four calls.

/// An open file that is not a folder, with its size when it was opened.
struct OpenFile {
    let fd: Int32
    let size: Int

    /// Opens `path` read-only; nil (errno set, EISDIR for a folder) when it cannot be read.
    init?(_ path: String) {
        let fd = Glibc.open(path, O_RDONLY | O_CLOEXEC)
        if fd < 0 { return nil }
        var info = stat()
        guard fstat(fd, &info) == 0 else {
            let code = errno
            Glibc.close(fd)
            errno = code
            return nil
        }
        if (info.st_mode & S_IFMT) == S_IFDIR {
            Glibc.close(fd)
            errno = EISDIR
            return nil
        }
        self.fd = fd
        size = Int(info.st_size)
    }

    /// Reads the file whole from where it is, refusing one over `limit` bytes: at most `size`
    /// bytes, straight into the array (no zeroed block, no second copy). Does not close it.
    func readWhole(limit: Int) -> (bytes: [UInt8]?, size: Int, reason: String?) {
        if size > limit { return tooLarge(size, limit) }
        var failure: Int32 = 0
        let out = [UInt8](unsafeUninitializedCapacity: size) { buffer, count in
            (count, failure) = readUntilFull(fd, buffer.baseAddress!, from: 0, size: size)
        }
        if failure != 0 { return (nil, size, String(cString: strerror(failure))) }
        return (out, size, nil)
    }
}

/// An open folder whose files are opened by name (`openat`: the kernel looks up one name rather
/// than walking the whole path again for every message of a Maildir), or, when the folder
/// could not be opened, its path, so that its files are opened by their whole paths as before.
final class FolderHandle {
    /// The folder's descriptor, or `AT_FDCWD` with the files' names made whole paths.
    let fd: Int32
    let path: String
    private let owned: Bool

    init(_ path: String) {
        self.path = path
        let fd = Glibc.open(path, O_RDONLY | O_DIRECTORY | O_CLOEXEC)
        owned = fd >= 0
        self.fd = fd >= 0 ? fd : AT_FDCWD
    }

    /// The block `readSmallFile(in:name:limit:)` reads a file into first (64 KB: a message is
    /// a few kilobytes).
    let block = UnsafeMutableBufferPointer<UInt8>.allocate(capacity: 64 << 10)

    /// The name to pass with `fd` for the file `name`: itself, or its whole path.
    func relative(_ name: String) -> String { owned ? name : "\(path)/\(name)" }

    deinit {
        if owned { Glibc.close(fd) }
        block.deallocate()
    }
}

/// Opens a path read-only; fails (returns -1, errno set) on folders.
func openReadable(_ path: String) -> Int32 { OpenFile(path)?.fd ?? -1 }

func openFailureReason(_ path: String) -> String {
    errno == EISDIR ? "is a directory" : String(cString: strerror(errno))
}

func isDirectoryPath(_ path: String) -> Bool {
    var info = stat()
    return stat(path, &info) == 0 && (info.st_mode & S_IFMT) == S_IFDIR
}

/// Reads a whole (small) file, refusing files over `limit` bytes. Returns nil and a reason.
func readSmallFile(_ path: String, limit: Int) -> (bytes: [UInt8]?, size: Int, reason: String?) {
    guard let file = OpenFile(path) else { return (nil, 0, openFailureReason(path)) }
    defer { Glibc.close(file.fd) }
    return file.readWhole(limit: limit)
}

/// Reads the whole (small) file `name` of an open folder, as `readSmallFile` reads a path, in
/// three system calls rather than four: the file is read into the folder's block at once, and a
/// file shorter than the block is all there (a regular file's read is short only at its end), so
/// its size needs no `fstat`. Only a file that fills the block is sized with `fstat` and read on
/// as `OpenFile.readWhole` reads it; a folder fails the read (EISDIR) rather than the `fstat`.
func readSmallFile(in folder: FolderHandle, name: String, limit: Int) -> (bytes: [UInt8]?, size: Int, reason: String?) {
    let fd = openat(folder.fd, folder.relative(name), O_RDONLY | O_CLOEXEC)
    if fd < 0 { return (nil, 0, openFailureReason("")) }
    defer { Glibc.close(fd) }
    let block = folder.block
    var n: Int
    repeat { n = Glibc.read(fd, block.baseAddress!, block.count) } while n < 0 && errno == EINTR
    if n < 0 {
        let failure = errno
        if failure == EISDIR { return (nil, 0, "is a directory") }
        var info = stat()
        let size = fstat(fd, &info) == 0 ? Int(info.st_size) : 0
        return (nil, size, String(cString: strerror(failure)))
    }
    if n < block.count {
        if n > limit { return tooLarge(n, limit) }
        return (Array(UnsafeBufferPointer(rebasing: block[0..<n])), n, nil)
    }
    // A file of the block's size or more: its size, then the rest.
    var info = stat()
    guard fstat(fd, &info) == 0 else { return (nil, 0, String(cString: strerror(errno))) }
    let size = Int(info.st_size)
    if size > limit { return tooLarge(size, limit) }
    let held = min(n, size)
    var failure: Int32 = 0
    let out = [UInt8](unsafeUninitializedCapacity: size) { buffer, count in
        buffer.baseAddress!.update(from: block.baseAddress!, count: held)
        (count, failure) = readUntilFull(fd, buffer.baseAddress!, from: held, size: size)
    }
    if failure != 0 { return (nil, size, String(cString: strerror(failure))) }
    return (out, size, nil)
}

/// The refusal of a file over the message limit, as every whole-file read gives it.
private func tooLarge(_ size: Int, _ limit: Int) -> (bytes: [UInt8]?, size: Int, reason: String?) {
    (nil, size, "message of \(size) bytes is larger than the limit of \(limit) bytes")
}

/// Reads `fd` into `buffer[from..<size]` until it is full or the file ends, retrying on EINTR:
/// the bytes now held, and the `errno` of a failed read (0 if none).
private func readUntilFull(_ fd: Int32, _ buffer: UnsafeMutablePointer<UInt8>, from start: Int, size: Int) -> (Int, Int32) {
    var count = start
    while count < size {
        let n = Glibc.read(fd, buffer + count, size - count)
        if n < 0 {
            if errno == EINTR { continue }
            return (count, errno)
        }
        if n == 0 { break }
        count += n
    }
    return (count, 0)
}

/// Names of a folder's entries (not "." and ".."), sorted.
func listDirectory(_ path: String) -> [String] {
    var names: [String] = []
    forEachEntry(of: path) { name, _ in
        if name != "." && name != ".." { names.append(name) }
    }
    return names.sorted()
}

/// The files of a folder that are not folders themselves (links to files included), sorted by
/// name, without names starting with `.`. The entry types come from the listing; only a link or
/// an entry of unknown type is looked at with stat.
func listFiles(_ path: String) -> [String] {
    var names: [String] = []
    forEachEntry(of: path) { name, type in
        if name.hasPrefix(".") { return }
        switch type {
        case Int32(DT_DIR): return
        case Int32(DT_LNK), Int32(DT_UNKNOWN): if isDirectoryPath("\(path)/\(name)") { return }
        default: break
        }
        names.append(name)
    }
    return names.sorted()
}

/// Calls `body` with each entry of a folder, in the order the listing gives them: its name and
/// its type as the listing says (`DT_REG`, `DT_DIR`, `DT_LNK`, `DT_UNKNOWN`, ...).
private func forEachEntry(of path: String, _ body: (String, Int32) -> Void) {
    guard let dir = opendir(path) else { return }
    defer { closedir(dir) }
    while let entry = readdir(dir) {
        let name = withUnsafePointer(to: entry.pointee.d_name) {
            $0.withMemoryRebound(to: CChar.self, capacity: 256) { String(cString: $0) }
        }
        body(name, Int32(entry.pointee.d_type))
    }
}
