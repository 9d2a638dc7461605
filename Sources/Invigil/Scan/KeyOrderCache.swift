/// The keys of the objects read last at each node of the event key tree, in their order, so that
/// the JSON reader can check the next object's keys against them before any look-up.
///
/// Events of one archive repeat their keys in one order (`id`, `school`, `type`, …, and inside
/// `author`, `id` then `role`). Each key cost the reader a search for its closing quote and a
/// hashed look-up in `EventKeyTree` (together about a hundred instructions, most of a key's
/// cost). Here the k-th key of an object at node n is compared, as one or two words, with the
/// k-th key the last object at n had; when its bytes and the closing quote after them match, the
/// node that key led to is the answer. Which node a key leads to depends on the parent and the
/// key's bytes alone, so a remembered answer is always right; a key that differs falls back to
/// the look-up and is remembered in its place.
///
/// Keys of up to `longestKey` bytes, without escapes, and the first `keysPerNode` of an object
/// are remembered; others are always looked up. Per scanner (a reader's state, not shared).
final class KeyOrderCache {
    static let keysPerNode = 32
    static let longestKey = 16
    /// `child(node:index:in:at:)` when nothing remembered applies.
    static let unknown = Int32.min

    private let nodeCount: Int
    /// Per (node, index): the key's length (0: nothing remembered), its bytes as two
    /// little-endian words (zero past its end), and the node it led to.
    private let lengths: UnsafeMutablePointer<UInt8>
    private let words: UnsafeMutablePointer<UInt64>
    private let children: UnsafeMutablePointer<Int32>

    init(nodeCount: Int) {
        self.nodeCount = nodeCount
        let entries = nodeCount * KeyOrderCache.keysPerNode
        lengths = .allocate(capacity: entries)
        lengths.initialize(repeating: 0, count: entries)
        words = .allocate(capacity: 2 * entries)
        words.initialize(repeating: 0, count: 2 * entries)
        children = .allocate(capacity: entries)
        children.initialize(repeating: EventKeyTree.none, count: entries)
    }

    deinit {
        lengths.deallocate()
        words.deallocate()
        children.deallocate()
    }

    /// The node remembered for the `index`-th key of an object at `node` when the bytes of
    /// `bytes` from `start` (just past the key's opening quote) are that key followed by its
    /// closing quote; `unknown` otherwise. The key then ends at `start + length(...)`.
    @inline(__always)
    func child(node: Int32, index: Int, in bytes: UnsafeBufferPointer<UInt8>, at start: Int) -> (node: Int32, length: Int) {
        guard node >= 0, index < KeyOrderCache.keysPerNode, let base = bytes.baseAddress,
            start &+ KeyOrderCache.longestKey < bytes.count
        else { return (KeyOrderCache.unknown, 0) }
        let entry = Int(node) &* KeyOrderCache.keysPerNode &+ index
        let length = Int(lengths[entry])
        guard length > 0 else { return (KeyOrderCache.unknown, 0) }
        // The 16 bytes from `start` are inside the buffer (checked above), and so is the byte
        // after a key of at most 16.
        let raw = UnsafeRawPointer(base + start)
        let first = raw.loadUnaligned(as: UInt64.self), second = raw.loadUnaligned(fromByteOffset: 8, as: UInt64.self)
        let same: Bool
        if length <= 8 {
            let mask: UInt64 = length == 8 ? ~0 : (1 << UInt64(length &* 8)) &- 1
            same = UInt64(littleEndian: first) & mask == words[2 &* entry]
        } else {
            let mask: UInt64 = length == 16 ? ~0 : (1 << UInt64((length &- 8) &* 8)) &- 1
            same =
                UInt64(littleEndian: first) == words[2 &* entry]
                && UInt64(littleEndian: second) & mask == words[2 &* entry &+ 1]
        }
        guard same, base[start &+ length] == 0x22 else { return (KeyOrderCache.unknown, 0) }
        return (children[entry], length)
    }

    /// Remembers that the `index`-th key of an object at `node`, `key` (its bytes between the
    /// quotes, without escapes), led to `child`.
    @inline(__always)
    func remember(node: Int32, index: Int, key: UnsafeBufferPointer<UInt8>, child: Int32) {
        guard node >= 0, Int(node) < nodeCount, index < KeyOrderCache.keysPerNode else { return }
        let entry = Int(node) &* KeyOrderCache.keysPerNode &+ index
        guard key.count > 0, key.count <= KeyOrderCache.longestKey else {
            lengths[entry] = 0
            return
        }
        var first: UInt64 = 0, second: UInt64 = 0
        for (i, b) in key.enumerated() {
            if i < 8 { first |= UInt64(b) << UInt64(i * 8) } else { second |= UInt64(b) << UInt64((i - 8) * 8) }
        }
        lengths[entry] = UInt8(key.count)
        words[2 &* entry] = first
        words[2 &* entry &+ 1] = second
        children[entry] = child
    }
}
