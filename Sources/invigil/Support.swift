#if canImport(Glibc)
import Glibc
#endif
import Invigil
import InvigilReport
import InvigilSIMD

/// Writes to standard error.
func printError(_ text: String) {
    var line = text
    if !line.hasSuffix("\n") { line += "\n" }
    writeAll(2, Array(line.utf8))
}

/// Writes all of `bytes` to `fd`, going on after interrupted and short writes; false when a write
/// fails.
@discardableResult
func writeAll(_ fd: Int32, _ bytes: [UInt8]) -> Bool {
    bytes.withUnsafeBytes { raw in
        var offset = 0
        while offset < raw.count {
            let n = write(fd, raw.baseAddress! + offset, raw.count - offset)
            if n < 0 { if errno == EINTR { continue }; return false }
            offset += n
        }
        return true
    }
}

/// A sink for findings: standard output or a file.
final class Output {
    let fd: Int32
    let isTerminal: Bool
    private var buffer: [UInt8] = []

    init(path: String?) throws(UsageError) {
        if let path, path != "-" {
            let fd = open(path, O_WRONLY | O_CREAT | O_TRUNC, 0o644)
            if fd < 0 { throw UsageError("cannot write \(path): \(String(cString: strerror(errno)))", status: 2) }
            self.fd = fd
        } else {
            fd = 1
        }
        isTerminal = isatty(fd) != 0
        buffer.reserveCapacity(1 << 16)
    }

    func write(_ bytes: [UInt8]) {
        // A worker's result (hundreds of KB of findings) goes out as it is, not through the
        // buffer: the copy was the delivery's largest cost after the write itself.
        if bytes.count >= 1 << 16 {
            flush()
            writeAll(fd, bytes)
            return
        }
        buffer += bytes
        if buffer.count >= 1 << 16 { flush() }
    }

    func write(_ text: String) { write(Array(text.utf8)) }

    func flush() {
        if !buffer.isEmpty { writeAll(fd, buffer); buffer.removeAll(keepingCapacity: true) }
    }

    func close() {
        flush()
        if fd != 1 { Glibc.close(fd) }
    }
}

struct UsageError: Error {
    var message: String
    var status: Int32
    init(_ message: String, status: Int32 = 2) {
        self.message = message
        self.status = status
    }
}

/// Minimal option parsing: `--name value`, `--name=value`, flags, and positional arguments.
struct Options {
    var values: [String: [String]] = [:]
    var flags: Set<String> = []
    var positional: [String] = []

    init(_ arguments: [String], valued: Set<String>, flags knownFlags: Set<String>) throws(UsageError) {
        var i = 0
        var onlyPositional = false
        while i < arguments.count {
            let a = arguments[i]
            i += 1
            if onlyPositional || a == "-" || !a.hasPrefix("-") { positional.append(a); continue }
            if a == "--" { onlyPositional = true; continue }
            var name = a
            var inline: String?
            if let eq = a.firstIndex(of: "=") {
                name = String(a[..<eq])
                inline = String(a[a.index(after: eq)...])
            }
            if valued.contains(name) {
                if let inline { values[name, default: []].append(inline); continue }
                guard i < arguments.count else { throw UsageError("option \(name) needs a value") }
                values[name, default: []].append(arguments[i])
                i += 1
            } else if knownFlags.contains(name) {
                flags.insert(name)
            } else {
                let all = Array(valued) + Array(knownFlags)
                var hint = ""
                if let s = closestName(name, all) { hint = "; did you mean \(s)?" }
                throw UsageError("unknown option \(name)\(hint)")
            }
        }
    }

    func value(_ name: String) -> String? { values[name]?.last }
    func all(_ name: String) -> [String] { values[name] ?? [] }
}

/// The candidate nearest to `word` (case kept), if at most three edits away.
func closestName(_ word: String, _ candidates: [String]) -> String? {
    let best = candidates.map { ($0, Suggestions.editDistance(Array(word.utf8), Array($0.utf8))) }.min { $0.1 < $1.1 }
    if let best, best.1 <= 3 { return best.0 }
    return nil
}

/// Seconds on a monotonic clock.
func now() -> Double {
    var ts = timespec()
    clock_gettime(CLOCK_MONOTONIC, &ts)
    return Double(ts.tv_sec) + Double(ts.tv_nsec) / 1e9
}

/// Peak resident memory in bytes.
func peakMemoryBytes() -> Int {
    var usage = rusage()
    getrusage(RUSAGE_SELF.rawValue, &usage)
    return usage.ru_maxrss * 1024
}

func environment(_ name: String) -> String? {
    guard let v = getenv(name) else { return nil }
    return String(cString: v)
}

func isDirectory(_ path: String) -> Bool {
    var info = stat()
    return stat(path, &info) == 0 && (info.st_mode & S_IFMT) == S_IFDIR
}

func fileExists(_ path: String) -> Bool {
    var info = stat()
    return stat(path, &info) == 0
}

/// Where the bundled packs are: $INVIGIL_PACKS, `<prefix>/share/invigil/packs` next to the
/// executable, or the source tree the command was built from.
func bundledPacksFolder() -> String? {
    if let env = environment("INVIGIL_PACKS"), isDirectory(env) { return env }
    var exe = [CChar](repeating: 0, count: 4096)
    let n = readlink("/proc/self/exe", &exe, exe.count - 1)
    if n > 0 {
        let path = String(decoding: exe[0..<n].map { UInt8(bitPattern: $0) }, as: UTF8.self)
        var dir = path
        for _ in 0..<6 {
            guard let slash = dir.lastIndex(of: "/") else { break }
            dir = String(dir[..<slash])
            for candidate in [dir + "/share/invigil/packs", dir + "/packs"] where fileExists(candidate + "/common/schema.rules") {
                return candidate
            }
        }
    }
    let source = #filePath
    var dir = source
    for _ in 0..<4 {
        guard let slash = dir.lastIndex(of: "/") else { break }
        dir = String(dir[..<slash])
        if fileExists(dir + "/packs/common/schema.rules") { return dir + "/packs" }
    }
    return nil
}

/// The bundled packs by name: file stems of `packs/*.rules` that declare a pack.
func bundledPackFiles() -> [(name: String, path: String)] {
    guard let folder = bundledPacksFolder() else { return [] }
    var out: [(String, String)] = []
    guard let dir = opendir(folder) else { return [] }
    defer { closedir(dir) }
    while let entry = readdir(dir) {
        let name = withUnsafePointer(to: entry.pointee.d_name) {
            $0.withMemoryRebound(to: CChar.self, capacity: 256) { String(cString: $0) }
        }
        if name.hasSuffix(".rules") { out.append((String(name.dropLast(6)), folder + "/" + name)) }
    }
    return out.sorted { $0.0 < $1.0 }
}

/// Loads the rule set for a command: `--rules` paths (sources, or one compiled file), else
/// bundled packs (all, or `--pack`).
///
/// With a `cache`, rule sources are taken from it when it holds them compiled and unchanged, and
/// a compile from source is kept for `cache.save()` (`RuleCache`).
func loadRules(rulePaths: [String], packNames: [String], cache: RuleCache? = nil) throws(UsageError) -> (RuleSet, [String]) {
    var paths = rulePaths
    if paths.isEmpty {
        guard let folder = bundledPacksFolder() else {
            throw UsageError("no --rules given and the bundled packs were not found (set INVIGIL_PACKS)")
        }
        paths = [folder]
    }
    do {
        let rules: RuleSet
        if let compiled = try compiledRulesPath(paths) {
            rules = try loadCompiledRules(compiled)
        } else if let cache {
            rules = try cache.rules(for: paths)
        } else {
            rules = try RuleSet.load(paths: paths)
        }
        var selected: [String] = []
        for name in packNames {
            let wanted = name.lowercased()
            guard let pack = rules.packs.first(where: { $0.name.lowercased() == wanted || $0.code?.lowercased() == wanted })
            else {
                let hint = closestName(name, rules.packs.map(\.name) + rules.packs.compactMap(\.code)).map { "; did you mean \($0)?" } ?? ""
                throw UsageError("unknown pack '\(name)'\(hint) (see invigil scan --list-packs)")
            }
            selected.append(pack.name)
        }
        return (rules, selected)
    } catch let e as RuleSetError {
        for d in e.diagnostics { printError(d.description) }
        throw UsageError("\(e.diagnostics.count) error\(e.diagnostics.count == 1 ? "" : "s") in the rules", status: 2)
    } catch let e as UsageError {
        throw e
    } catch {
        throw UsageError("\(error)")
    }
}
