/// Byte classes: the automaton's alphabet is the set of (ASCII-case-folded) bytes that occur in
/// some pattern, each its own class, and one class 0 shared by every other byte. A dense row then
/// has one entry per class rather than 256, which keeps large tables small enough for the caches.
extension Automaton {
    /// ASCII upper case onto lower case; every other byte unchanged.
    @inline(__always) static func fold(_ b: UInt8) -> UInt8 { (b >= 0x41 && b <= 0x5A) ? b | 0x20 : b }

    /// The byte → class map of `patterns` (256 entries, upper case mapped like lower case) and the
    /// number of classes.
    static func byteClasses(_ patterns: [[UInt8]]) -> (classOf: [UInt8], count: Int) {
        var classes = [UInt8](repeating: 0, count: 256)
        var used = [Bool](repeating: false, count: 256)
        for p in patterns { for b in p { used[Int(fold(b))] = true } }
        var next: UInt8 = 1
        for b in 0..<256 where used[b] {
            classes[b] = next
            next &+= 1
        }
        var classOf = [UInt8](repeating: 0, count: 256)
        for b in 0..<256 { classOf[b] = classes[Int(fold(UInt8(b)))] }
        return (classOf, Int(next))
    }
}
