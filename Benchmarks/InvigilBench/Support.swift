#if canImport(Glibc)
import Glibc
#elseif canImport(Darwin)
import Darwin
#endif

// Clocks, memory, files, threads, a deterministic generator and a small JSON writer. No Foundation,
// like the engine core.

/// Monotonic seconds.
func now() -> Double {
    var ts = timespec()
    clock_gettime(CLOCK_MONOTONIC, &ts)
    return Double(ts.tv_sec) + Double(ts.tv_nsec) * 1e-9
}

/// A deterministic generator (SplitMix64), so corpora and phrase sets are the same on every machine.
struct SplitMix: RandomNumberGenerator {
    var state: UInt64
    init(seed: UInt64) { state = seed }
    mutating func next() -> UInt64 {
        state &+= 0x9E37_79B9_7F4A_7C15
        var z = state
        z = (z ^ (z >> 30)) &* 0xBF58_476D_1CE4_E5B9
        z = (z ^ (z >> 27)) &* 0x94D0_49BB_1331_11EB
        return z ^ (z >> 31)
    }
    mutating func below(_ n: Int) -> Int { Int(next() % UInt64(n)) }
    mutating func unit() -> Double { Double(next() >> 11) * (1.0 / 9_007_199_254_740_992.0) }
}

/// A line of /proc/self/status in kB, as bytes (VmRSS, VmHWM); 0 where unavailable.
func procStatusBytes(_ key: String) -> Int {
    guard let text = readWholeFile("/proc/self/status") else { return 0 }
    let s = String(decoding: text, as: UTF8.self)
    for line in s.split(separator: "\n") where line.hasPrefix(key + ":") {
        let digits = line.dropFirst(key.count + 1).filter { $0 >= "0" && $0 <= "9" }
        return (Int(String(digits)) ?? 0) * 1024
    }
    return 0
}

/// Resets the peak resident set size (VmHWM) to the current size; false if the kernel refuses.
@discardableResult
func resetPeakRSS() -> Bool {
    let fd = open("/proc/self/clear_refs", O_WRONLY)
    guard fd >= 0 else { return false }
    defer { close(fd) }
    return write(fd, "5", 1) == 1
}

func readWholeFile(_ path: String) -> [UInt8]? {
    let fd = open(path, O_RDONLY)
    guard fd >= 0 else { return nil }
    defer { close(fd) }
    var out: [UInt8] = []
    var chunk = [UInt8](repeating: 0, count: 1 << 16)
    while true {
        let n = chunk.withUnsafeMutableBytes { read(fd, $0.baseAddress, $0.count) }
        if n <= 0 { break }
        out.append(contentsOf: chunk[0..<n])
    }
    return out
}

@discardableResult
func writeWholeFile(_ path: String, _ bytes: [UInt8]) -> Bool {
    let fd = open(path, O_WRONLY | O_CREAT | O_TRUNC, 0o644)
    guard fd >= 0 else { return false }
    defer { close(fd) }
    var done = 0
    while done < bytes.count {
        let n = bytes.withUnsafeBytes { write(fd, $0.baseAddress! + done, bytes.count - done) }
        if n <= 0 { return false }
        done += n
    }
    return true
}

func fileExists(_ path: String) -> Bool { access(path, F_OK) == 0 }

func makeDirectory(_ path: String) { _ = mkdir(path, 0o755) }

func printErr(_ s: String) {
    let line = Array((s + "\n").utf8)
    line.withUnsafeBytes { _ = write(2, $0.baseAddress, $0.count) }
}

/// Median of a few timings.
func median(_ xs: [Double]) -> Double {
    let s = xs.sorted()
    guard !s.isEmpty else { return 0 }
    return s.count % 2 == 1 ? s[s.count / 2] : (s[s.count / 2 - 1] + s[s.count / 2]) / 2
}

/// Runs `body` `runs` times and returns the median seconds.
func timeMedian(runs: Int, _ body: () -> Void) -> Double {
    var ts: [Double] = []
    for _ in 0..<max(1, runs) {
        let t0 = now()
        body()
        ts.append(now() - t0)
    }
    return median(ts)
}

// MARK: Threads (plain pthreads: no Dispatch in the engine's dependency tree)

final class ThreadBody: @unchecked Sendable {
    let body: () -> Void
    init(_ body: @escaping () -> Void) { self.body = body }
}

/// Runs the bodies on their own threads and waits for all of them.
func runThreads(_ bodies: [() -> Void]) {
    var threads: [pthread_t] = []
    for b in bodies {
        let box = Unmanaged.passRetained(ThreadBody(b)).toOpaque()
        var t = pthread_t()
        let rc = pthread_create(
            &t, nil,
            { ctx in
                let box = Unmanaged<ThreadBody>.fromOpaque(ctx!).takeRetainedValue()
                box.body()
                return nil
            }, box)
        precondition(rc == 0, "pthread_create failed")
        threads.append(t)
    }
    for t in threads { pthread_join(t, nil) }
}

// MARK: Formatting

func fmt(_ v: Double, _ decimals: Int = 0) -> String {
    if v.isNaN || v.isInfinite { return "–" }
    var scale = 1.0
    for _ in 0..<decimals { scale *= 10 }
    let r = (v * scale).rounded() / scale
    if decimals == 0 { return String(Int(r)) }
    let whole = Int(r.rounded(.towardZero))
    var frac = Int(((abs(r) - Double(abs(whole))) * scale).rounded())
    var w = whole
    if frac >= Int(scale) { frac -= Int(scale); w += r < 0 ? -1 : 1 }
    var f = String(frac)
    while f.count < decimals { f = "0" + f }
    return (r < 0 && w == 0 ? "-" : "") + "\(w).\(f)"
}

func pad(_ s: String, _ width: Int, right: Bool = true) -> String {
    let n = s.count
    if n >= width { return s }
    let spaces = String(repeating: " ", count: width - n)
    return right ? spaces + s : s + spaces
}

func mb(_ bytes: Int) -> String { fmt(Double(bytes) / 1_048_576, 1) }

/// A minimal JSON value with a deterministic writer.
indirect enum JSON {
    case number(Double)
    case int(Int)
    case string(String)
    case bool(Bool)
    case null
    case array([JSON])
    case object([(String, JSON)])

    func write(into out: inout String, indent: Int = 0) {
        let pad = String(repeating: "  ", count: indent)
        switch self {
        case .number(let d): out += d.isFinite ? fmt(d, 3) : "null"
        case .int(let i): out += String(i)
        case .bool(let b): out += b ? "true" : "false"
        case .null: out += "null"
        case .string(let s): out += JSON.quote(s)
        case .array(let xs):
            if xs.isEmpty { out += "[]"; return }
            out += "[\n"
            for (i, x) in xs.enumerated() {
                out += pad + "  "
                x.write(into: &out, indent: indent + 1)
                out += i + 1 < xs.count ? ",\n" : "\n"
            }
            out += pad + "]"
        case .object(let kv):
            if kv.isEmpty { out += "{}"; return }
            out += "{\n"
            for (i, (k, v)) in kv.enumerated() {
                out += pad + "  " + JSON.quote(k) + ": "
                v.write(into: &out, indent: indent + 1)
                out += i + 1 < kv.count ? ",\n" : "\n"
            }
            out += pad + "}"
        }
    }

    static func quote(_ s: String) -> String {
        var o = "\""
        for u in s.unicodeScalars {
            switch u {
            case "\"": o += "\\\""
            case "\\": o += "\\\\"
            case "\n": o += "\\n"
            case "\t": o += "\\t"
            default:
                if u.value < 0x20 { o += "\\u00" + (u.value < 16 ? "0" : "") + String(u.value, radix: 16) } else { o.unicodeScalars.append(u) }
            }
        }
        return o + "\""
    }
}
