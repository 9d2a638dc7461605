/// The keys that followed each key in the objects read so far, so that the JSON reader can check
/// an object's next key against a guess before any look-up.
///
/// Events of one archive repeat their keys in a few orders (`id`, `school`, `type`, …, and inside
/// `author`, `id` then `role`). Each key cost the reader a search for its closing quote and a
/// hashed look-up in `EventKeyTree` (together about a hundred instructions, most of a key's
/// cost). Here the key after key `previous` in an object at node `node` is compared, as one or
/// two words, with the key that followed `previous` there last time; when its bytes and the
/// closing quote after them match, the node that key led to is the answer. Which node a key leads
/// to depends on the parent and the key's bytes alone, so a remembered answer whose parent is the
/// same is always right; a key that differs falls back to the look-up and is remembered in its
/// place.
///
/// The guess hangs on the key before, not on the key's place: events of different kinds have
/// different keys (a post its `audience`, an email its `recipients`), which shifted every later
/// key's place, so that a memory by place missed about a key in five on a mixed archive; what
/// follows `author` or `recipients` changes far less.
///
/// A fixed table of `entries` in sets of `ways`, the set found by a hash of (node, previous) and
/// each entry tagged with the node; keys of up to `longestKey` bytes without escapes. On the
/// benchmark archive's first 16,349 events, the reader's 162,206 top-level keys missed 43,729
/// times with a memory by place, 30,202 with one key per (node, previous), and about 8,000 with
/// two. Per scanner (a reader's state, not shared).
final class KeyOrderCache {
    static let entries = 2048
    /// Keys remembered per (node, previous): two, so that an archive mixing two kinds of event
    /// (a post's `audience` after `account`, an email's `recipients`) keeps both.
    static let ways = 2
    static let longestKey = 16
    /// `child(node:after:in:at:)` when nothing remembered applies.
    static let unknown = Int32.min
    /// What `after` takes for an object's first key.
    static let first = Int32(-1)

    /// One remembered key: its bytes as two little-endian words (zero past its end), the masks
    /// that keep a key's length of bytes from two words loaded at a key's start (so that the
    /// check is two AND-compares, with no shift worked out per key), the parent node it was made
    /// for (`unknown`: none), the node it led to, and its length. 48 bytes: a set's two ways
    /// span at most two cache lines.
    private struct Entry {
        var words: (UInt64, UInt64) = (0, 0)
        var masks: (UInt64, UInt64) = (0, 0)
        var tag = KeyOrderCache.unknown
        var child = EventKeyTree.none
        var length: Int32 = 0
    }

    private let table: UnsafeMutablePointer<Entry>

    init() {
        table = .allocate(capacity: KeyOrderCache.entries)
        table.initialize(repeating: Entry(), count: KeyOrderCache.entries)
    }

    /// The first entry of the set of the key after `previous` in an object at `node`.
    @inline(__always)
    private static func set(_ node: Int32, _ previous: Int32) -> Int {
        let h = UInt32(bitPattern: node) &* 0x9E37_79B1 ^ UInt32(bitPattern: previous &+ 1) &* 0x85EB_CA77
        return Int(h >> 22) &* ways  // 10 bits: `entries / ways` sets
    }

    deinit {
        table.deallocate()
    }

    /// The node remembered for the key after `previous` (a node, or `first`) in an object at
    /// `node` when the bytes of `bytes` from `start` (just past the key's opening quote) are that
    /// key followed by its closing quote; `unknown` otherwise. The key then ends at
    /// `start + length`.
    @inline(__always)
    func child(node: Int32, after previous: Int32, in bytes: UnsafeBufferPointer<UInt8>, at start: Int) -> (node: Int32, length: Int) {
        guard node >= 0, let base = bytes.baseAddress, start &+ KeyOrderCache.longestKey < bytes.count else {
            return (KeyOrderCache.unknown, 0)
        }
        // The 16 bytes from `start` are inside the buffer (checked above), and so is the byte
        // after a key of at most 16.
        let raw = UnsafeRawPointer(base + start)
        let first = UInt64(littleEndian: raw.loadUnaligned(as: UInt64.self))
        let second = UInt64(littleEndian: raw.loadUnaligned(fromByteOffset: 8, as: UInt64.self))
        let set = KeyOrderCache.set(node, previous)
        for way in 0..<KeyOrderCache.ways {
            let e = table[set &+ way]
            // An entry never filled, or emptied, has the tag `unknown`, which no node is.
            if e.tag == node, first & e.masks.0 == e.words.0, second & e.masks.1 == e.words.1, base[start &+ Int(e.length)] == 0x22 {
                return (e.child, Int(e.length))
            }
        }
        return (KeyOrderCache.unknown, 0)
    }

    /// Remembers that the key after `previous` in an object at `node`, `key` (its bytes between
    /// the quotes, without escapes), led to `child`: in the set's first way, the key there before
    /// moving to the second.
    @inline(__always)
    func remember(node: Int32, after previous: Int32, key: UnsafeBufferPointer<UInt8>, child: Int32) {
        guard node >= 0 else { return }
        let entry = KeyOrderCache.set(node, previous)
        var first: UInt64 = 0, second: UInt64 = 0
        for (i, b) in key.enumerated() where i < KeyOrderCache.longestKey {
            if i < 8 { first |= UInt64(b) << UInt64(i * 8) } else { second |= UInt64(b) << UInt64((i - 8) * 8) }
        }
        // Already the first way's key (a look-up `child` could not make, near the end of the
        // buffer): keep the second way as it is rather than fill it with a copy.
        let old = table[entry]
        if old.tag == node, Int(old.length) == key.count, old.words == (first, second) { return }
        table[entry + 1] = old
        guard key.count > 0, key.count <= KeyOrderCache.longestKey else {
            table[entry] = Entry()
            return
        }
        let n = key.count
        let masks: (UInt64, UInt64) =
            n >= 16 ? (~0, ~0) : n >= 8 ? (~0, (1 << UInt64((n - 8) * 8)) - 1) : ((1 << UInt64(n * 8)) - 1, 0)
        table[entry] = Entry(words: (first, second), masks: masks, tag: node, child: child, length: Int32(n))
    }
}
