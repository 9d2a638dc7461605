#if canImport(Glibc)
import Glibc
#endif
import Invigil
import InvigilReport

/// The facts a report's header states about the run: who, where, when, and the digests of
/// files (inputs, packs), read here with the in-house SHA-256.
enum RunFacts {
    /// `user@host`: the login name (`$USER`, else the password database), and the host name.
    static func ranBy() -> String {
        var user = environment("USER") ?? ""
        if user.isEmpty, let pw = getpwuid(getuid()), let name = pw.pointee.pw_name { user = String(cString: name) }
        if user.isEmpty { user = "uid \(getuid())" }
        var host = [CChar](repeating: 0, count: 256)
        let hostName =
            gethostname(&host, host.count - 1) == 0
            ? String(decoding: host.prefix { $0 != 0 }.map { UInt8(bitPattern: $0) }, as: UTF8.self) : "unknown host"
        return "\(user)@\(hostName)"
    }

    /// The present time in UTC, ISO 8601 (`2026-12-05T08:01:02Z`).
    static func utcNow() -> String {
        var t = time(nil)
        var parts = tm()
        gmtime_r(&t, &parts)
        func two(_ v: Int32) -> String { v < 10 ? "0\(v)" : "\(v)" }
        return
            "\(parts.tm_year + 1900)-\(two(parts.tm_mon + 1))-\(two(parts.tm_mday))T\(two(parts.tm_hour)):\(two(parts.tm_min)):\(two(parts.tm_sec))Z"
    }

    /// A file's size and SHA-256, read in 1 MB pieces; nil when it cannot be read.
    static func digest(path: String) -> (bytes: Int, sha256: String)? {
        let fd = open(path, O_RDONLY)
        if fd < 0 { return nil }
        defer { close(fd) }
        var hasher = SHA256()
        var total = 0
        var chunk = [UInt8](repeating: 0, count: 1 << 20)
        while true {
            let n = chunk.withUnsafeMutableBytes { read(fd, $0.baseAddress!, $0.count) }
            if n < 0 { if errno == EINTR { continue }; return nil }
            if n == 0 { break }
            hasher.update(chunk[0..<n])
            total += n
        }
        return (total, SHA256.hex(hasher.finish()))
    }

    /// The inputs, as the header lists them.
    static func inputs(_ paths: [String]) -> [ReportHeader.Input] {
        paths.map { path in
            if path == "-" { return ReportHeader.Input(path: "(standard input)", bytes: 0, sha256: nil) }
            let d = digest(path: path)
            return ReportHeader.Input(path: path, bytes: d?.bytes ?? fileSize(path), sha256: d?.sha256)
        }
    }

    /// The packs of a rule set, each with its rule file's digest (packs carry no version number).
    static func packs(_ rules: RuleSet, only names: Set<String>? = nil) -> [ReportHeader.Pack] {
        rules.packs.filter { names == nil || names!.contains($0.name) }.map { p in
            ReportHeader.Pack(name: p.name, title: p.title, file: p.source, sha256: digest(path: p.source)?.sha256)
        }
    }

    /// The command line as given, for the header.
    static func commandLine() -> String {
        CommandLine.arguments.map { a in
            a.isEmpty || a.contains(where: { $0 == " " || $0 == "\"" || $0 == "'" }) ? "'" + a.replacingAll("'", with: "'\\''") + "'" : a
        }.joined(separator: " ")
    }
}
