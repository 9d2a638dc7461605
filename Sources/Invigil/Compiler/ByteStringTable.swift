#if canImport(Glibc)
import Glibc
#endif

/// An open-addressing hash table of byte strings, looked up without allocating.
struct ByteStringTable: @unchecked Sendable {
    private var slots: [Int32]
    private var strings: [[UInt8]]
    private var mask: Int

    init(_ items: [[UInt8]]) {
        strings = []
        var size = 16
        while size < items.count * 2 + 1 { size <<= 1 }
        mask = size - 1
        slots = [Int32](repeating: -1, count: size)
        for item in items where find(item) == nil {
            var h = Int(truncatingIfNeeded: ByteStringTable.hash(item)) & mask
            while slots[h] >= 0 { h = (h + 1) & mask }
            slots[h] = Int32(strings.count)
            strings.append(item)
        }
    }

    var count: Int { strings.count }

    static func hash<C: Collection>(_ bytes: C) -> UInt64 where C.Element == UInt8 {
        var h: UInt64 = 0xcbf2_9ce4_8422_2325
        for b in bytes { h = (h ^ UInt64(b)) &* 0x0000_0100_0000_01B3 }
        return h ^ (h >> 29)
    }

    func find(_ key: [UInt8]) -> Int? {
        key.withUnsafeBufferPointer { find($0) }
    }

    /// The index (in insertion order among distinct items) of `key`, or nil.
    func find(_ key: UnsafeBufferPointer<UInt8>) -> Int? {
        var h = Int(truncatingIfNeeded: ByteStringTable.hash(key)) & mask
        while true {
            let s = slots[h]
            if s < 0 { return nil }
            let candidate = strings[Int(s)]
            if candidate.count == key.count,
                candidate.withUnsafeBufferPointer({ c in key.count == 0 || memcmp(c.baseAddress!, key.baseAddress!, key.count) == 0 })
            {
                return Int(s)
            }
            h = (h + 1) & mask
        }
    }
}
