#if canImport(Glibc)
import Glibc
#endif

/// An open-addressing hash table of byte strings (field names, enum values, host names), looked
/// up without allocating.
///
/// The strings are stored end to end in one array, not as an array each: a look-up then reads
/// plain bytes, where an array per string cost a retain and a release per probe (a few per cent
/// of a C ABI call that sets fields by name).
struct ByteStringTable: Sendable {
    /// Per slot, the index of the string there, or -1.
    private let slots: [Int32]
    /// The distinct strings, end to end: string i is bytes[starts[i]..<starts[i + 1]].
    private let bytes: [UInt8]
    private let starts: [Int32]
    private let mask: Int

    init(_ items: [[UInt8]]) {
        var all: [UInt8] = []
        var ends: [Int] = []
        ends.reserveCapacity(items.count)
        for item in items {
            all += item
            ends.append(all.count)
        }
        self.init(concatenated: all, ends: ends)
    }

    /// The table of `items`' UTF-8 bytes, without an array per string.
    init(strings items: [String]) {
        var all: [UInt8] = []
        var ends: [Int] = []
        ends.reserveCapacity(items.count)
        for item in items {
            all += item.utf8
            ends.append(all.count)
        }
        self.init(concatenated: all, ends: ends)
    }

    /// The table of the items `all[ends[i - 1]..<ends[i]]`, kept in `all` itself: each distinct
    /// item is moved down over the repeats before it (none, usually), so the strings cost no
    /// second array. Built through pointers: a probe compares bytes in place (slicing the arrays
    /// per probe was most of a loaded rule set's field and host tables).
    private init(concatenated all: consuming [UInt8], ends: [Int]) {
        var size = 16
        while size < ends.count * 2 + 1 { size <<= 1 }
        var slots = [Int32](repeating: -1, count: size)
        var bytes = all
        var starts = [Int32](repeating: 0, count: ends.count + 1)
        var distinct = 0, used = 0
        bytes.withUnsafeMutableBufferPointer { bytes in
            starts.withUnsafeMutableBufferPointer { starts in
                slots.withUnsafeMutableBufferPointer { slots in
                    var from = 0
                    for end in ends {
                        // Not yet overwritten: items only move down, to `used` <= `from`.
                        let item = UnsafeBufferPointer(rebasing: bytes[from..<end])
                        from = end
                        var h = Int(truncatingIfNeeded: ByteStringTable.hash(item)) & (size - 1)
                        var present = false
                        while slots[h] >= 0 {
                            let s = Int(slots[h])
                            let a = Int(starts[s]), b = Int(starts[s + 1])
                            if b - a == item.count && (item.isEmpty || memcmp(bytes.baseAddress! + a, item.baseAddress!, item.count) == 0) {
                                present = true
                                break
                            }
                            h = (h + 1) & (size - 1)
                        }
                        if present { continue }
                        slots[h] = Int32(distinct)
                        if !item.isEmpty && bytes.baseAddress! + used != item.baseAddress! {
                            memmove(bytes.baseAddress! + used, item.baseAddress!, item.count)
                        }
                        used += item.count
                        distinct += 1
                        starts[distinct] = Int32(used)
                    }
                }
            }
        }
        bytes.removeLast(bytes.count - used)
        starts.removeLast(starts.count - distinct - 1)
        self.slots = slots
        self.bytes = bytes
        self.starts = starts
        mask = size - 1
    }

    /// The table of no strings, shared: most fields have no enum values, and a table each was
    /// three allocations per field at every load.
    static let empty = ByteStringTable([])

    /// Number of distinct strings.
    var count: Int { starts.count - 1 }

    /// Eight bytes per multiply (a byte-at-a-time hash put a dependent multiply per byte of a
    /// name like `recipients.family` on the C interface's path), then a full finaliser (two
    /// multiplies, each followed by folding the high half down), because a multiply carries bits
    /// only upward and the table indexes by the low bits: without it, names differing only in
    /// their fifth to seventh byte (`group_a`, `group_b`) shared a slot in small tables. An empty
    /// key hashes the same with or without a base address.
    static func hash(_ bytes: UnsafeBufferPointer<UInt8>) -> UInt64 {
        let n = bytes.count
        var h: UInt64 = 0x9E37_79B9_7F4A_7C15 ^ UInt64(n)
        var tail: UInt64 = 0
        if let base = bytes.baseAddress {
            let raw = UnsafeRawPointer(base)
            var i = 0
            while i &+ 8 <= n {
                h = (h ^ UInt64(littleEndian: raw.loadUnaligned(fromByteOffset: i, as: UInt64.self))) &* 0xBF58_476D_1CE4_E5B9
                h ^= h >> 31
                i &+= 8
            }
            // The last 0–7 bytes, packed little-endian as the loop over bytes this replaces packed
            // them (byte k of the tail at bits 8k), by at most three loads: keys are mostly
            // shorter than eight bytes, and the byte loop was half of each look-up.
            var shift: UInt64 = 0
            let rest = n &- i
            if rest & 4 != 0 {
                tail = UInt64(UInt32(littleEndian: raw.loadUnaligned(fromByteOffset: i, as: UInt32.self)))
                shift = 32
                i &+= 4
            }
            if rest & 2 != 0 {
                tail |= UInt64(UInt16(littleEndian: raw.loadUnaligned(fromByteOffset: i, as: UInt16.self))) << shift
                shift &+= 16
                i &+= 2
            }
            if rest & 1 != 0 { tail |= UInt64(base[i]) << shift }
        }
        h = (h ^ tail) &* 0x94D0_49BB_1331_11EB
        h ^= h >> 32
        h &*= 0xD6E8_FEB8_6659_FD93
        return h ^ (h >> 32)
    }

    static func hash(_ bytes: [UInt8]) -> UInt64 {
        bytes.withUnsafeBufferPointer { hash($0) }
    }

    func find(_ key: [UInt8]) -> Int? {
        key.withUnsafeBufferPointer { find($0) }
    }

    /// The index (in insertion order among distinct items) of `key`, or nil.
    func find(_ key: UnsafeBufferPointer<UInt8>) -> Int? {
        var h = Int(truncatingIfNeeded: ByteStringTable.hash(key)) & mask
        return slots.withUnsafeBufferPointer { slots in
            starts.withUnsafeBufferPointer { starts in
                bytes.withUnsafeBufferPointer { bytes in
                    while true {
                        let s = Int(slots[h])
                        if s < 0 { return nil }
                        let start = Int(starts[s]), length = Int(starts[s + 1]) - start
                        if length == key.count && (length == 0 || memcmp(bytes.baseAddress! + start, key.baseAddress!, length) == 0) {
                            return s
                        }
                        h = (h + 1) & mask
                    }
                }
            }
        }
    }
}

extension ByteStringTable {
    /// The table's storage as it is (slot → string index or -1, the strings end to end and where
    /// each starts), for `StringTables`, which copies it rather than hashing the strings again.
    var storage: (slots: [Int32], bytes: [UInt8], starts: [Int32]) { (slots, bytes, starts) }

    /// The distinct strings, in the order of the indices `find` returns.
    var strings: [[UInt8]] {
        (0..<count).map { Array(bytes[Int(starts[$0])..<Int(starts[$0 + 1])]) }
    }
}
