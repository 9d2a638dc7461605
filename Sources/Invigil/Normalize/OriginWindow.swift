/// The origins of a normalised text (see `Normalizer.normalize`), produced a window at a time
/// instead of one 16-byte entry per byte of the whole text at once.
///
/// A match-dense 64 MiB message would otherwise need a 1 GiB origin table. The scanner asks for
/// the origins of its hits in increasing order of end; the window normalises only as far as the
/// latest hit needs, and forgets entries that no later hit can reach (a hit begins at most the
/// automaton's longest pattern before its end).
struct OriginWindow {
    private(set) var mode: NormalizeMode
    /// Entries before this normalised index are forgotten.
    private(set) var base = 0
    private var out: [UInt8] = []
    private var origin: [SIMD4<Int32>] = []
    /// The next byte of the original text to normalise.
    private var position = 0
    private var separatorSinceLast = false

    /// Bytes of the original text normalised per step, at most.
    static let step = 64 << 10
    /// The first step of a text: a value is mostly a message of a few hundred bytes with one or
    /// two hits, and normalising it whole with origins for a hit near its start was most of what
    /// such a hit cost. Steps double from here up to `step`.
    static let firstStep = 128
    private var nextStep = OriginWindow.firstStep

    init(mode: NormalizeMode) { self.mode = mode }

    /// Starts over for another text, keeping the buffers' capacity (a scanner reuses one window
    /// for every value, so that values with hits do not allocate).
    mutating func restart(mode: NormalizeMode) {
        self.mode = mode
        base = 0
        position = 0
        separatorSinceLast = false
        nextStep = OriginWindow.firstStep
        out.removeAll(keepingCapacity: true)
        origin.removeAll(keepingCapacity: true)
        if origin.capacity > 4 * OriginWindow.step {
            out = []
            origin = []
        }
    }

    /// Makes the entries from `earliest` to `end - 1` final and available. An entry is final once
    /// the byte after it has been written (a later repetition or dropped character may still widen
    /// it before that) or the text has ended. Calls must not decrease `earliest`.
    mutating func prepare(_ text: UnsafeBufferPointer<UInt8>, earliest: Int, end: Int) {
        // Forget what no later call can ask for, keeping the last entry, which the next step may
        // still widen, and the last byte, which a repetition is compared with.
        let drop = min(earliest - base, origin.count - 1)
        if drop > 0 && drop >= origin.count / 2 {
            out.removeFirst(drop)
            origin.removeFirst(drop)
            base += drop
        }
        while base + origin.count <= end && position < text.count {
            position = Normalizer.normalize(
                text, from: position, upTo: position + nextStep, mode: mode,
                into: &out, origin: &origin, trackOrigin: true,
                separatorSinceLast: &separatorSinceLast)
            nextStep = min(2 * nextStep, OriginWindow.step)
        }
    }

    /// The origin of normalised byte `index`, which `prepare` made available.
    @inline(__always) subscript(index: Int) -> SIMD4<Int32> { origin[index - base] }

    /// Entries held now (for the memory tests).
    var heldCount: Int { origin.count }
}
