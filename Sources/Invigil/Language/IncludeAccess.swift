#if canImport(Glibc)
import Glibc
#elseif canImport(Musl)
import Musl
#elseif canImport(Darwin)
import Darwin
#endif

/// Where the files that rule source includes may come from.
///
/// Rule text may come from someone who must not read the server's files (a school's administrator
/// uploading rules to a gateway). Source compiled from memory therefore reads no file unless the
/// caller grants it, and an include never leaves its base folder: `..` and absolute paths are
/// refused as they are written, and a symbolic link that leads out of the folder is refused
/// before the file is opened, so no diagnostic can quote it.
public enum IncludeAccess: Sendable {
    /// Includes are refused (an error at the include).
    case refused
    /// Files relative to the including file, within the folder of the top-level file or folder
    /// given (the command's and `invigil_rules_load`'s behaviour). Source held in memory resolves
    /// against its name's folder.
    case filesystem
    /// Files within `folder` only; the top-level source (held in memory) resolves against it.
    case folder(String)
    /// The caller supplies each file's text: `resolve(path, includedFrom)` gets the include's path
    /// relative to the root of the rule set (normalised: no `.`, no `..`), and the name of the
    /// including file, and returns the text, or a message saying why not.
    case resolver(@Sendable (_ path: String, _ includedFrom: String) -> Result<[UInt8], IncludeRefusal>)
}

/// Why an include resolver did not supply a file (its message is shown at the include).
public struct IncludeRefusal: Error, Sendable {
    /// Why the file was not supplied.
    public var message: String
    /// A refusal saying `message`.
    public init(_ message: String) { self.message = message }
}

extension FileSystem {
    /// The canonical absolute path (symbolic links resolved), or nil if it does not exist.
    static func realPath(_ path: String) -> String? {
        guard let resolved = realpath(path, nil) else { return nil }
        defer { free(resolved) }
        return String(cString: resolved)
    }

    /// Whether `path` (which exists) lies inside `folder` once every link is resolved. A path
    /// that does not exist is let through: reading it fails with "cannot read".
    static func contains(folder: String, _ path: String) -> Bool {
        guard let real = realPath(path) else { return true }
        guard let root = realPath(folder) else { return false }
        if root == "/" { return true }
        return real == root || real.hasPrefix(root + "/")
    }
}
