/// The origins of ASCII text under `spaced`, worked out per hit from the text itself rather than
/// by normalising it again with an origin table (`OriginWindow`).
///
/// Under `spaced`, a normalised byte of ASCII text comes from one kept byte (not a separator, and
/// not a letter equal to the byte kept before it) and the dropped repetitions after it; its origin
/// (`OriginWindow`'s entry: the first run's start and end, the last repetition's start and end)
/// depends on those bytes alone. So it suffices to know where each kept byte lies: a walk over the
/// text notes that, as far as the hits so far need, in one 32-bit offset per kept byte, and an
/// entry is made when a hit asks for it by reading on from its kept byte to the next. Normalising
/// again with a 16-byte origin entry per byte, for the `spaced` pass's hits, cost as many
/// instructions as the normalisation itself.
///
/// Which byte is kept and how a repetition widens an entry are `Normalizer`'s own rules
/// (`isSpacedRepetition`, `widenSpacedOrigin`), shared with `writeASCIIRun`.
///
/// For texts of up to `longestText` bytes (the offsets are held whole); longer ones use
/// `OriginWindow`, which forgets what no later hit can reach. One per scanner, reused; its
/// memory grows with the longest text it has been given, so that a scanner that never meets a
/// `spaced` pass does not hold it.
struct SpacedASCIIOrigins: ~Copyable {
    static let longestText = 1 << 16

    /// The text offset of each kept byte found so far (`capacity` entries).
    private var starts: UnsafeMutablePointer<Int32>? = nil
    private var capacity = 0
    private var found = 0
    /// The next text byte the walk reads, and the last kept byte (mapped).
    private var position = 0
    private var last: UInt8 = 0
    private var map: UnsafePointer<UInt8> = Normalizer.asciiMap(leet: false)

    init() {}

    deinit { starts?.deallocate() }

    /// Starts over for another text of `length` bytes (at most `longestText`): a text has at
    /// most as many kept bytes as bytes.
    mutating func restart(leet: Bool, length: Int) {
        let needed = min(max(length, 1), SpacedASCIIOrigins.longestText)
        if needed > capacity {
            // Doubling from a few hundred bytes: texts are mostly short, and a long one raises
            // the room once.
            let grown = min(max(needed, capacity * 2, 256), SpacedASCIIOrigins.longestText)
            starts?.deallocate()
            starts = .allocate(capacity: grown)
            capacity = grown
        }
        found = 0
        position = 0
        last = 0
        map = Normalizer.asciiMap(leet: leet)
    }

    /// Walks `text` until normalised byte `index` is found (or the text ends).
    @inline(__always)
    mutating func prepare(_ text: UnsafeBufferPointer<UInt8>, through index: Int) {
        guard found <= index else { return }
        walk(text, through: index, before: text.count)
    }

    /// The number of normalised bytes the text bytes before offset `end` make: where a hit of
    /// `SpacedTextAutomaton` ends (`end` is just past a kept byte) in normalised text. Offsets
    /// asked for must not decrease.
    @inline(__always)
    mutating func keptCount(_ text: UnsafeBufferPointer<UInt8>, before end: Int) -> Int {
        if position < end { walk(text, through: Int.max - 1, before: end) }
        return found
    }

    /// The walk of `prepare` and `keptCount`: on until normalised byte `index` is found or the
    /// text byte at `end` is reached.
    @inline(__always)
    private mutating func walk(_ text: UnsafeBufferPointer<UInt8>, through index: Int, before end: Int) {
        guard let t = text.baseAddress, let starts else { return }
        let n = min(text.count, capacity, end)
        var i = position, k = found, previous = last
        while i < n && k <= index {
            let raw = t[i]
            if !Normalizer.isSeparator(raw) {
                let b = map[Int(raw)]
                if !(k > 0 && Normalizer.isSpacedRepetition(b, of: previous)) {
                    starts[k] = Int32(truncatingIfNeeded: i)
                    k &+= 1
                    previous = b
                }
            }
            i &+= 1
        }
        position = i
        found = k
        last = previous
    }

    /// The origin of normalised byte `index`, which `prepare` found: as `OriginWindow` gives it.
    func origin(_ text: UnsafeBufferPointer<UInt8>, _ index: Int) -> SIMD4<Int32> {
        let p = Int(starts![index])
        let t = text.baseAddress!
        let kept = map[Int(t[p])]
        var entry = SIMD4<Int32>(Int32(p), Int32(p + 1), Int32(p), Int32(p + 1))
        guard Normalizer.isSpacedRepetition(kept, of: kept) else { return entry }
        // The repetitions it stands for, up to the next kept byte.
        var separator = false
        var q = p + 1
        let n = min(text.count, capacity)
        while q < n {
            let raw = t[q]
            if Normalizer.isSeparator(raw) {
                separator = true
            } else if Normalizer.isSpacedRepetition(map[Int(raw)], of: kept) {
                Normalizer.widenSpacedOrigin(&entry, at: Int32(q), afterSeparator: separator)
                separator = false
            } else {
                break
            }
            q += 1
        }
        return entry
    }

    /// Normalised bytes found so far (for the tests).
    var foundCount: Int { found }
}
