// Field names to slots, remembered per scanner for the calls that set fields by name.

import Invigil

#if canImport(Glibc)
import Glibc
#elseif canImport(Musl)
import Musl
#endif

/// The field names a scanner was last given by name (invigil_set_*, invigil_add_*,
/// invigil_set_element_*), with their slots. A C caller names the same few fields for every
/// event; comparing a name with the two remembered where it falls costs a third of the rule
/// set's look-up (hashing the name, probing, comparing: about 120 instructions), which was a
/// quarter of what setting a field cost.
///
/// Sixteen sets of two entries; a name's set comes from its length and its first, middle and
/// last bytes, and a new name replaces the entry of its set used less recently. Names longer
/// than `maxLength` and unknown names are not remembered. A scanner's rule set never changes, so
/// a remembered slot stays right. Used only by the thread that holds the scanner for writing
/// (`withScanner(_:.write)`).
final class RecentFieldNames {
    static let maxLength = 48
    private static let setCount = 16
    /// An entry: the name's length (one byte, 0 for none), its slot (four bytes at 4), the name
    /// (at 16). A set: two entries, then the index of the one used last (one byte at 128).
    private static let entryBytes = 64
    private static let setBytes = 192

    private let storage: UnsafeMutableRawPointer

    init() {
        let count = Self.setCount * Self.setBytes
        storage = UnsafeMutableRawPointer.allocate(byteCount: count, alignment: 64)
        storage.initializeMemory(as: UInt8.self, repeating: 0, count: count)
    }

    deinit { storage.deallocate() }

    /// The set of a name of `n` bytes (n ≥ 1) at `bytes`.
    @inline(__always) static func set(of bytes: UnsafePointer<UInt8>, count n: Int) -> Int {
        var h = UInt32(truncatingIfNeeded: n) &* 0x9E37_79B1
        h ^= UInt32(bytes[0]) &* 0x85EB_CA77
        h ^= UInt32(bytes[n &- 1]) &* 0xC2B2_AE3D
        h ^= UInt32(bytes[n >> 1]) &* 0x27D4_EB2F
        return Int((h &* 0x9E37_79B1) >> 28)
    }

    /// The slot of the field `name` (UTF-8, without a terminator) in `scanner`'s rules, or nil
    /// for a name the schema does not have.
    @inline(__always)
    func slot(of name: UnsafeBufferPointer<UInt8>, in scanner: Scanner) -> Int? {
        let n = name.count
        guard n > 0, n <= Self.maxLength, let bytes = name.baseAddress else { return scanner.slot(ofUTF8: name) }
        let set = storage + Self.set(of: bytes, count: n) * Self.setBytes
        for way in 0..<2 {
            let entry = set + way * Self.entryBytes
            if Int(entry.load(as: UInt8.self)) == n && memcmp(entry + 16, bytes, n) == 0 {
                set.storeBytes(of: UInt8(way), toByteOffset: 128, as: UInt8.self)
                return Int(entry.load(fromByteOffset: 4, as: Int32.self))
            }
        }
        guard let slot = scanner.slot(ofUTF8: name) else { return nil }
        let way = 1 &- Int(set.load(fromByteOffset: 128, as: UInt8.self))
        let entry = set + way * Self.entryBytes
        entry.storeBytes(of: UInt8(n), as: UInt8.self)
        entry.storeBytes(of: Int32(truncatingIfNeeded: slot), toByteOffset: 4, as: Int32.self)
        (entry + 16).copyMemory(from: bytes, byteCount: n)
        set.storeBytes(of: UInt8(way), toByteOffset: 128, as: UInt8.self)
        return slot
    }
}
