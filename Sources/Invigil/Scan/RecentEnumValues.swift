/// Per enum field, the values read lately and their indices: the events of an archive draw
/// their enum values (`type`, `role`, `platform`) from a few, and comparing with a remembered
/// one costs less than hashing and probing the field's table (`StringTables.find`).
///
/// Each field has `ways` entries, and a value can only sit in the one its hash picks. The first
/// version kept one value per field: on the benchmark archive's first 16,349 events, 47,692 of
/// 105,071 enum values then missed (a `role` of `staff` after one of `pupil`), each paying the
/// table's look-up; with eight entries per field, 4,600 miss (values that share an entry, and
/// each value's first time).
///
/// Only values of at most 16 bytes are kept, as two words that, with the length (compared too),
/// determine the bytes.
///
/// Not copyable: its memory is freed once, with the scanner.
struct RecentEnumValues: ~Copyable {
    /// Per entry (`ways` per field slot): the two words of the value, its length (-1: none), its
    /// index.
    private let words: UnsafeMutablePointer<UInt64>
    private let lengths: UnsafeMutablePointer<Int>
    private let indices: UnsafeMutablePointer<Int32>
    private let slotCount: Int

    /// Values longer than this are looked up in the table every time.
    static let longest = 16
    /// Entries per field: a power of two, so that a hash's top bits pick one.
    static let ways = 8
    private static let wayBits = 3

    init(slotCount: Int) {
        self.slotCount = max(1, slotCount)
        let entries = self.slotCount * RecentEnumValues.ways
        words = .allocate(capacity: 2 * entries)
        words.initialize(repeating: 0, count: 2 * entries)
        lengths = .allocate(capacity: entries)
        lengths.initialize(repeating: -1, count: entries)
        indices = .allocate(capacity: entries)
        indices.initialize(repeating: -1, count: entries)
    }

    deinit {
        words.deallocate()
        lengths.deallocate()
        indices.deallocate()
    }

    /// The entry a value packed as `(a, b)` of `length` bytes may sit in, in field `slot`.
    @inline(__always)
    private static func entry(slot: Int, _ a: UInt64, _ b: UInt64, length: Int) -> Int {
        let h = (a &+ UInt64(truncatingIfNeeded: length)) &* 0x9E37_79B9_7F4A_7C15 ^ b &* 0xC2B2_AE3D_27D4_EB4F
        return slot &* ways &+ Int(truncatingIfNeeded: h >> UInt64(64 - wayBits))
    }

    /// `bytes` as two words, or nil when longer than `longest`. Together with the length the
    /// pair stands for the bytes alone: overlapping loads from both ends, all within the bytes
    /// (a call to copy them out cost as much as the look-up it saves).
    @inline(__always)
    private static func packed(_ bytes: UnsafeBufferPointer<UInt8>) -> (UInt64, UInt64)? {
        let n = bytes.count
        guard n <= longest else { return nil }
        guard let base = bytes.baseAddress, n > 0 else { return (0, 0) }
        let raw = UnsafeRawPointer(base)
        if n >= 8 {
            return (raw.loadUnaligned(as: UInt64.self), raw.loadUnaligned(fromByteOffset: n - 8, as: UInt64.self))
        }
        if n >= 4 {
            return (UInt64(raw.loadUnaligned(as: UInt32.self)), UInt64(raw.loadUnaligned(fromByteOffset: n - 4, as: UInt32.self)))
        }
        // One to three bytes: the first, the middle and the last.
        return (UInt64(base[0]) | UInt64(base[n / 2]) << 8 | UInt64(base[n - 1]) << 16, 0)
    }

    /// The index remembered for `bytes` in field `slot`, or nil.
    @inline(__always)
    func index(of bytes: UnsafeBufferPointer<UInt8>, slot: Int) -> Int32? {
        guard slot >= 0, slot < slotCount, let (a, b) = RecentEnumValues.packed(bytes) else { return nil }
        let e = RecentEnumValues.entry(slot: slot, a, b, length: bytes.count)
        return lengths[e] == bytes.count && words[2 &* e] == a && words[2 &* e &+ 1] == b ? indices[e] : nil
    }

    /// Remembers that `bytes` is value `index` of field `slot`, in place of the value that
    /// shared its entry.
    @inline(__always)
    func remember(_ bytes: UnsafeBufferPointer<UInt8>, index: Int32, slot: Int) {
        guard slot >= 0, slot < slotCount, let (a, b) = RecentEnumValues.packed(bytes) else { return }
        let e = RecentEnumValues.entry(slot: slot, a, b, length: bytes.count)
        words[2 &* e] = a
        words[2 &* e &+ 1] = b
        lengths[e] = bytes.count
        indices[e] = index
    }
}
