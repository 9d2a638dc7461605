/// Per enum field, the last value read and its index: consecutive events of an archive mostly
/// repeat their enum values (`type`, `role`, `platform`), and comparing with the last one costs
/// less than hashing and probing the field's table (`StringTables.find`).
///
/// Only values of at most 16 bytes are kept, as two words that, with the length (compared too),
/// determine the bytes.
///
/// Not copyable: its memory is freed once, with the scanner.
struct RecentEnumValues: ~Copyable {
    /// Per field slot: the two words of the last value, its length (-1: none), its index.
    private let words: UnsafeMutablePointer<UInt64>
    private let lengths: UnsafeMutablePointer<Int>
    private let indices: UnsafeMutablePointer<Int32>
    private let slotCount: Int

    /// Values longer than this are looked up in the table every time.
    static let longest = 16

    init(slotCount: Int) {
        self.slotCount = max(1, slotCount)
        words = .allocate(capacity: 2 * self.slotCount)
        words.initialize(repeating: 0, count: 2 * self.slotCount)
        lengths = .allocate(capacity: self.slotCount)
        lengths.initialize(repeating: -1, count: self.slotCount)
        indices = .allocate(capacity: self.slotCount)
        indices.initialize(repeating: -1, count: self.slotCount)
    }

    deinit {
        words.deallocate()
        lengths.deallocate()
        indices.deallocate()
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
        guard slot >= 0, slot < slotCount, lengths[slot] == bytes.count, let (a, b) = RecentEnumValues.packed(bytes) else { return nil }
        return words[2 * slot] == a && words[2 * slot + 1] == b ? indices[slot] : nil
    }

    /// Remembers that `bytes` is value `index` of field `slot`.
    @inline(__always)
    func remember(_ bytes: UnsafeBufferPointer<UInt8>, index: Int32, slot: Int) {
        guard slot >= 0, slot < slotCount, let (a, b) = RecentEnumValues.packed(bytes) else { return }
        words[2 * slot] = a
        words[2 * slot + 1] = b
        lengths[slot] = bytes.count
        indices[slot] = index
    }
}
