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
        self.init(opened: Glibc.open(path, O_RDONLY | O_CLOEXEC))
    }

    /// Opens the file `name` of the open folder `folder` (`openat`): the kernel looks up one
    /// name rather than walking the whole path again for every message of a Maildir. Nil (errno
    /// set, EISDIR for a folder) when it cannot be read.
    init?(in folder: FolderHandle, name: String) {
        self.init(opened: openat(folder.fd, folder.relative(name), O_RDONLY | O_CLOEXEC))
    }

    private init?(opened fd: Int32) {
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
        if size > limit { return (nil, size, "message of \(size) bytes is larger than the limit of \(limit) bytes") }
        var failure: Int32 = 0
        let out = [UInt8](unsafeUninitializedCapacity: size) { buffer, count in
            count = 0
            while count < size {
                let n = Glibc.read(fd, buffer.baseAddress! + count, size - count)
                if n < 0 {
                    if errno == EINTR { continue }
                    failure = errno
                    return
                }
                if n == 0 { break }
                count += n
            }
        }
        if failure != 0 { return (nil, size, String(cString: strerror(failure))) }
        return (out, size, nil)
    }
}

/// An open folder whose files are opened by name (`OpenFile(in:name:)`), or, when the folder
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

    /// The name to pass with `fd` for the file `name`: itself, or its whole path.
    func relative(_ name: String) -> String { owned ? name : "\(path)/\(name)" }

    deinit {
        if owned { Glibc.close(fd) }
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

/// Reads the whole (small) file `name` of an open folder, as `readSmallFile` reads a path.
func readSmallFile(in folder: FolderHandle, name: String, limit: Int) -> (bytes: [UInt8]?, size: Int, reason: String?) {
    guard let file = OpenFile(in: folder, name: name) else { return (nil, 0, openFailureReason("")) }
    defer { Glibc.close(file.fd) }
    return file.readWhole(limit: limit)
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
