#if canImport(Glibc)
import Glibc
#endif
import Invigil

/// The cache of compiled rule sets that `invigil scan` starts from (docs/compiled-format.md,
/// "The scan's cache").
///
/// A scan that compiles the bundled packs from source starts in about 19 ms, one that loads their
/// compiled form in 7: a serial start that every scan pays before any worker runs. A scan from
/// rule sources therefore keeps the compiled rule set in a cache file, one per set of rule paths
/// and build, with the
/// `SourceManifest` of what was compiled and the identity of the `invigil` executable that
/// compiled it. The next scan of the same paths uses the compiled form only when
/// - the executable is the same file, unchanged (size, modification time, inode): another build
///   may compile the same source differently;
/// - the paths name the same files, and every file read (includes too) has the same size and
///   CRC-32C (`SourceManifest.isCurrent()`): content, not modification times;
/// - the compiled form passes the loader's own checks.
/// Otherwise the rules are compiled from source, as without the cache, and the file is
/// replaced after the scan. Nothing about the cache is ever an error: a cache that cannot be
/// read, written or trusted is passed over.
///
/// Where: `$INVIGIL_CACHE_DIR`, else `$XDG_CACHE_HOME/invigil`, else `~/.cache/invigil`.
/// `INVIGIL_CACHE_DIR=` (empty) or `invigil scan --no-cache` turns it off. One entry per set of
/// rule paths and build, at most `maximumEntries`, the least recently used removed first.
final class RuleCache {
    let folder: String
    /// What a compile from source on a miss left to store, until `save()`.
    private var pending: (rules: RuleSet, manifest: SourceManifest, request: [String], path: String)?
    /// Whether the last `rules(for:)` was served from the cache (for the tests, via `--stats`).
    private(set) var hit = false
    /// The compiled rule file the last hit loaded: the scan's workers load their copies of the
    /// rules from it (`RuleReplicaSource`) rather than writing the rules out again.
    private(set) var hitCompiled: [UInt8]? = nil

    /// The cache as the environment sets it; nil when it is turned off or there is no home.
    static func fromEnvironment() -> RuleCache? {
        if let dir = environment("INVIGIL_CACHE_DIR") { return dir.isEmpty ? nil : RuleCache(folder: dir) }
        if let xdg = environment("XDG_CACHE_HOME"), xdg.hasPrefix("/") { return RuleCache(folder: xdg + "/invigil") }
        if let home = environment("HOME"), !home.isEmpty { return RuleCache(folder: home + "/.cache/invigil") }
        return nil
    }

    /// This executable's identity (`executableIdentity()`), read once.
    private let executable = RuleCache.executableIdentity()

    init(folder: String) {
        self.folder = folder
    }

    /// The rule set of `paths` (rule sources, not a compiled file): from the cache when its entry
    /// is current, else compiled from source and kept for `save()`. Errors are the compile's.
    func rules(for paths: [String]) throws(RuleSetError) -> RuleSet {
        let request = Self.request(paths)
        let file = folder + "/" + Self.fileName(for: request, executable: executable ?? [])
        hitCompiled = nil
        if let rules = lookUp(file, request: request) {
            hit = true
            // Its modification time is when it was last used, which the pruning goes by.
            _ = utimensat(AT_FDCWD, file, nil, 0)
            return rules
        }
        hit = false
        let (rules, manifest) = try RuleSet.loadRecordingSources(paths: paths)
        pending = (rules, manifest, request, file)
        return rules
    }

    /// Writes what the last miss compiled. Quiet on failure: the cache is an optimisation.
    func save() {
        guard let (rules, manifest, request, file) = pending, let exe = executable else { return }
        pending = nil
        guard let compiled = try? rules.compiledBytes() else { return }
        let entry = RuleCacheEntry(executable: exe, workingFolder: request[0], manifest: manifest, compiled: compiled)
        guard makeFolders(folder) else { return }
        // A temporary file renamed over the entry: a scan running beside this one reads the old
        // entry or the new one, never half of one.
        let temporary = file + ".tmp\(getpid())"
        let fd = open(temporary, O_WRONLY | O_CREAT | O_TRUNC | O_CLOEXEC, 0o600)
        guard fd >= 0 else { return }
        let written = writeAll(fd, entry.encoded())
        let closed = close(fd) == 0
        if !(written && closed && rename(temporary, file) == 0) { unlink(temporary) }
        prune(keeping: file)
    }

    /// The most entries a cache folder keeps (about 0.8 MB each for the bundled packs): one per
    /// set of rule paths and `invigil` build, so that two builds or two rule folders used in turn
    /// do not replace each other's entry on every scan.
    static let maximumEntries = 16

    /// Removes the entries used longest ago beyond `maximumEntries` (by modification time, which
    /// a hit renews), and temporary files a writer that stopped left over an hour ago. Never
    /// `keeping`, the entry just written.
    private func prune(keeping: String) {
        var entries: [(path: String, used: Int)] = []
        let now = time(nil)
        for name in FileSystem.entries(of: folder) where name.hasPrefix("rules-") {
            let path = folder + "/" + name
            var info = stat()
            guard stat(path, &info) == 0 else { continue }
            if name.hasSuffix(".ivgcache") {
                if path != keeping { entries.append((path, info.st_mtim.tv_sec)) }
            } else if name.contains(".ivgcache.tmp"), now - info.st_mtim.tv_sec > 3600 {
                unlink(path)
            }
        }
        guard entries.count >= Self.maximumEntries else { return }
        for old in entries.sorted(by: { $0.used < $1.used }).prefix(entries.count - (Self.maximumEntries - 1)) {
            unlink(old.path)
        }
    }

    /// The entry at `file`, if it is for `request`, written by this executable, and current.
    private func lookUp(_ file: String, request: [String]) -> RuleSet? {
        guard let exe = executable,
            case .success(let bytes) = FileSystem.readWholeFile(file, limit: Limits.ruleSetBytes * 4),
            let entry = RuleCacheEntry(decoding: bytes),
            entry.executable == exe, [entry.workingFolder] + entry.manifest.paths == request,
            entry.manifest.isCurrent(),
            let rules = try? RuleSet.load(compiled: entry.compiled)
        else { return nil }
        hitCompiled = entry.compiled
        return rules
    }

    /// The request a cache entry answers: the working folder when a path is relative (what it
    /// names depends on it; an absolute path, the bundled packs' among them, does not, and
    /// neither do the includes of a file named by one), else "", then the rule paths as given.
    static func request(_ paths: [String]) -> [String] {
        [paths.allSatisfy { $0.hasPrefix("/") } ? "" : currentDirectory()] + paths
    }

    /// The entry's file name: checksums of the request and of the executable's identity. Two
    /// requests or builds with one name take turns; each entry records both in full, so a clash
    /// costs a compile, never a wrong rule set.
    static func fileName(for request: [String], executable: [String]) -> String {
        func hex(_ parts: [String]) -> String {
            var bytes: [UInt8] = []
            for part in parts { bytes += part.utf8; bytes.append(0) }
            var digits = String(CRC32C.checksum(bytes), radix: 16)
            while digits.count < 8 { digits = "0" + digits }
            return digits
        }
        return "rules-\(hex(request))-\(hex(executable)).ivgcache"
    }

    /// The running executable as a file: device, inode, size and modification time. A rebuilt or
    /// reinstalled `invigil` differs in at least one.
    ///
    /// The file is the one `/proc/self/exe` names, not the link itself: under valgrind the link is
    /// the tool's own binary, while reading it gives the program's path, so that every build run
    /// under valgrind shared one identity (and one build loaded another's entry). When the name
    /// cannot be used (the file was replaced since the start: "(deleted)"), the link is used.
    static func executableIdentity() -> [String]? {
        var info = stat()
        var path = [CChar](repeating: 0, count: 4096)
        let length = readlink("/proc/self/exe", &path, path.count - 1)
        let named = length > 0 && path.withUnsafeBufferPointer { stat($0.baseAddress!, &info) } == 0
        guard named || stat("/proc/self/exe", &info) == 0 else { return nil }
        return [
            "\(info.st_dev)", "\(info.st_ino)", "\(info.st_size)", "\(info.st_mtim.tv_sec).\(info.st_mtim.tv_nsec)"
        ]
    }

    static func currentDirectory() -> String {
        var buffer = [CChar](repeating: 0, count: 4096)
        guard getcwd(&buffer, buffer.count) != nil else { return "" }
        return buffer.withUnsafeBufferPointer { String(cString: $0.baseAddress!) }
    }

    /// `mkdir -p` with mode 0700: the cache is the user's own.
    private func makeFolders(_ path: String) -> Bool {
        if isDirectory(path) { return true }
        let parent = path.lastIndex(of: "/").map { String(path[..<$0]) } ?? ""
        if !parent.isEmpty && !isDirectory(parent) && !makeFolders(parent) { return false }
        return mkdir(path, 0o700) == 0 || errno == EEXIST
    }
}
