#if canImport(Glibc)
import Glibc
#endif

// Baselines measured in the same process, so that ratios mean something on a noisy machine.

/// One memchr pass over the buffer for a byte that never occurs: the memory-bandwidth ceiling.
@inline(never)
func memchrPass(_ text: UnsafeBufferPointer<UInt8>) -> Int {
    guard let base = text.baseAddress else { return 0 }
    return memchr(base, 0x01, text.count) == nil ? 0 : 1
}

/// The textbook dense DFA: 256 × UInt32 per state, no byte classes, case folding by duplicated
/// columns, the match flag in the top bit. One dependent load per byte; the table is as large as it
/// gets (1 KiB per state), which is what byte classes and the hybrid layout avoid.
final class NaiveDFA {
    let table: [UInt32]
    let stateCount: Int
    static let bit: UInt32 = 0x8000_0000

    /// nil when the table would exceed `limitBytes`.
    init?(patterns: [[UInt8]], limitBytes: Int) {
        @inline(__always) func fold(_ b: UInt8) -> UInt8 { (b >= 0x41 && b <= 0x5A) ? b | 0x20 : b }
        let child: UInt32 = 0x4000_0000
        var t = [UInt32](repeating: 0, count: 256)
        var terminal: [Bool] = [false]
        for p in patterns {
            var s = 0
            for b0 in p {
                let b = Int(fold(b0))
                let e = t[s << 8 | b]
                if e & child != 0 {
                    s = Int(e & ~child)
                } else {
                    let n = terminal.count
                    if (n + 1) * 1024 > limitBytes { return nil }
                    t[s << 8 | b] = UInt32(n) | child
                    t.append(contentsOf: repeatElement(0, count: 256))
                    terminal.append(false)
                    s = n
                }
            }
            terminal[s] = true
        }
        let n = terminal.count
        var fail = [Int32](repeating: 0, count: n)
        var out = terminal
        var queue = [Int32](repeating: 0, count: n)
        var head = 0, tail = 1
        while head < tail {
            let s = Int(queue[head]); head += 1
            for b in 0..<256 {
                let e = t[s << 8 | b]
                if e & child != 0 {
                    let c = Int(e & ~child)
                    let f = s == 0 ? 0 : Int(t[Int(fail[s]) << 8 | b] & ~NaiveDFA.bit)
                    fail[c] = Int32(f)
                    out[c] = out[c] || out[f]
                    queue[tail] = Int32(c); tail += 1
                    t[s << 8 | b] = UInt32(c)
                } else {
                    t[s << 8 | b] = s == 0 ? 0 : t[Int(fail[s]) << 8 | b] & ~NaiveDFA.bit
                }
            }
            // The stored targets of s are now plain ids; flag those that are matching states.
        }
        for i in 0..<t.count {
            let target = Int(t[i])
            if out[target] { t[i] |= NaiveDFA.bit }
        }
        // Case-insensitive: upper-case columns copy the lower-case ones.
        for s in 0..<n { for b in 0x41...0x5A { t[s << 8 | b] = t[s << 8 | (b | 0x20)] } }
        table = t
        stateCount = n
    }

    /// Positions where some pattern ends.
    func countHits(_ text: UnsafeBufferPointer<UInt8>) -> Int {
        table.withUnsafeBufferPointer { NaiveDFA.run($0.baseAddress!, text.baseAddress!, text.count) }
    }

    @inline(never)
    static func run(_ t: UnsafePointer<UInt32>, _ x: UnsafePointer<UInt8>, _ n: Int) -> Int {
        var s: UInt32 = 0
        var c = 0
        var i = 0
        while i < n {
            let e = t[Int(s) &<< 8 | Int(x[i])]
            s = e & 0x7FFF_FFFF
            if e >= bit { c &+= 1 }
            i &+= 1
        }
        return c
    }
}
