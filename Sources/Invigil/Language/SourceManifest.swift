/// What a rule set compiled from files was compiled from: the paths it was given, the files those
/// paths named (folders walked as the loader walks them), and every file the loader read, includes
/// too, with its size and CRC-32C.
///
/// It answers one question without compiling: would compiling the same paths now read the same
/// bytes, and so give the same rule set? The command's cache of compiled packs
/// (`Sources/invigil/RuleCache.swift`) keeps one beside each compiled rule set and uses the
/// compiled form only while `isCurrent()` holds. The check is on content, not on modification
/// times, which a copy, a checkout or a coarse clock can leave unchanged.
///
/// ```swift
/// let (rules, manifest) = try RuleSet.loadRecordingSources(paths: ["packs"])
/// manifest.isCurrent()   // true until a file under packs/ (or one it includes) changes,
///                        // or a .rules file is added or removed
/// ```
package struct SourceManifest: Equatable, Sendable {
    /// One file the loader read: its path as the loader named it, its size in bytes and the
    /// CRC-32C of its bytes. (Made by the loader and the cache entry's decoder, in this module:
    /// the memberwise initialiser is enough.)
    package struct File: Equatable, Sendable {
        package var path: String
        package var size: Int
        package var checksum: UInt32
    }

    /// The paths as given to the load.
    package var paths: [String]
    /// The files `paths` name: a folder's `.rules` files, walked as the loader walks them.
    package var listing: [String]
    /// Every file read, in reading order, includes too.
    package var files: [File]

    package init(paths: [String], listing: [String], files: [File]) {
        self.paths = paths
        self.listing = listing
        self.files = files
    }

    /// The files `paths` name as the loader lists them (`Loader.load(paths:)`): every `.rules`
    /// file under a folder, in sorted order; a file as itself; a missing path as itself, so that
    /// its appearing changes the listing.
    package static func listing(of paths: [String]) -> [String] {
        var out: [String] = []
        for path in paths {
            switch FileSystem.kind(of: path) {
            case .directory: out += FileSystem.ruleFiles(under: path).map { Path.normalize($0) }
            default: out.append(Path.normalize(path))
            }
        }
        return out
    }

    /// Whether loading `paths` now would read the same files with the same bytes: the listing
    /// is unchanged and every file read has its recorded size and checksum. A file that cannot
    /// be read makes it false.
    package func isCurrent() -> Bool {
        guard Self.listing(of: paths) == listing else { return false }
        for file in files {
            guard case .success(let bytes) = FileSystem.read(file.path, limit: Limits.ruleFileBytes),
                bytes.count == file.size, CRC32C.checksum(bytes) == file.checksum
            else { return false }
        }
        return true
    }
}
