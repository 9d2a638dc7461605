import Invigil

#if canImport(Glibc)
import Glibc
#endif

/// The repository's root: INVIGIL_ROOT, or the folder two levels above this source file.
let repoRoot: String = {
    if let p = getenv("INVIGIL_ROOT") { return String(cString: p) }
    var parts = "\(#filePath)".split(separator: "/", omittingEmptySubsequences: false)
    parts.removeLast(3)  // Fuzz/Sources/Support.swift
    return parts.joined(separator: "/")
}()

/// The bundled packs, compiled once (the rule set the event and reader targets scan with).
nonisolated(unsafe) let packRules: RuleSet = {
    do {
        return try RuleSet.load(path: repoRoot + "/packs")
    } catch {
        eprint("invigil-fuzz: cannot compile \(repoRoot)/packs: \(error)\n")
        exit(2)
    }
}()

/// Writes to standard error.
func eprint(_ text: String) {
    var t = text
    t.withUTF8 { b in _ = write(2, b.baseAddress, b.count) }
}

/// Stops the run with a message; libFuzzer keeps the input as a crash.
func fuzzFail(_ message: String) -> Never {
    eprint("invigil-fuzz: CHECK FAILED: \(message)\n")
    abort()
}

/// A scratch file per process (in /dev/shm when there is one), rewritten for each input, for the
/// readers that only take paths.
enum ScratchFile {
    static let folder: String = {
        if access("/dev/shm", W_OK) == 0 { return "/dev/shm" }
        if let t = getenv("TMPDIR") { return String(cString: t) }
        return "/tmp"
    }()

    static func path(_ suffix: String) -> String { "\(folder)/invigil-fuzz-\(getpid())\(suffix)" }

    /// Writes `data` to the scratch file with this suffix and returns its path.
    static func write(_ data: UnsafeBufferPointer<UInt8>, suffix: String) -> String {
        let p = path(suffix)
        let fd = open(p, O_WRONLY | O_CREAT | O_TRUNC, 0o600)
        if fd < 0 { fuzzFail("cannot create \(p)") }
        var done = 0
        while done < data.count {
            let n = Glibc.write(fd, data.baseAddress! + done, data.count - done)
            if n <= 0 { fuzzFail("cannot write \(p)") }
            done += n
        }
        close(fd)
        return p
    }
}

extension UnsafeBufferPointer<UInt8> {
    /// A cheap hash, to derive choices from an input deterministically.
    var fnv: UInt64 {
        var h: UInt64 = 0xcbf2_9ce4_8422_2325
        for b in self { h = (h ^ UInt64(b)) &* 0x0000_0100_0000_01B3 }
        return h
    }
}

/// Checks that a scan's findings and match spans are consistent with the event.
func checkFindings(_ scanner: Scanner) {
    let rules = scanner.rules
    var last = -1
    for f in scanner.findings {
        if f.rule < 0 || f.rule >= rules.rules.count { fuzzFail("finding of rule \(f.rule) of \(rules.rules.count)") }
        if f.rule <= last { fuzzFail("findings not in rule order") }
        last = f.rule
        if f.matches.lowerBound < 0 || f.matches.upperBound > scanner.matches.count {
            fuzzFail("finding matches \(f.matches) outside \(scanner.matches.count)")
        }
        for m in scanner.matches[f.matches] {
            if m.field < 0 || m.field >= rules.fields.count { fuzzFail("match in field \(m.field)") }
            if m.valueIndex < 0 || m.valueIndex >= scanner.valueCount(field: m.field) {
                fuzzFail("match in value \(m.valueIndex) of \(scanner.valueCount(field: m.field))")
            }
            let value = scanner.bytes(field: m.field, valueIndex: m.valueIndex)
            if m.start < 0 || m.start > m.end || m.end > value.count {
                fuzzFail("match \(m.start)..<\(m.end) outside a value of \(value.count) bytes (field \(rules.fields[m.field].name))")
            }
            if m.pattern < 0 || m.pattern >= rules.matcherNames.count { fuzzFail("match of pattern \(m.pattern)") }
            _ = scanner.excerpt(m)
        }
    }
}
