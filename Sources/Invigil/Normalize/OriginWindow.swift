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
    /// The normalised bytes and their origins from `base`: the first `held` entries count. For
    /// ASCII text the arrays are kept at their largest size and written through raw memory
    /// (`Normalizer.writeASCIIRun`), so that a step does not first append a zero per entry.
    private var out: [UInt8] = []
    private var origin: [SIMD4<Int32>] = []
    private var held = 0
    /// The text is ASCII (the scanner knows it of each value): no character needs the full
    /// normaliser.
    private var ascii = false
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

    /// Starts over for another text, keeping the buffers (a scanner reuses one window for every
    /// value, so that values with hits do not allocate). `ascii`: the text holds only ASCII.
    mutating func restart(mode: NormalizeMode, ascii: Bool = false) {
        self.mode = mode
        self.ascii = ascii
        base = 0
        position = 0
        held = 0
        separatorSinceLast = false
        nextStep = OriginWindow.firstStep
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
        let drop = min(earliest - base, held - 1)
        if drop > 0 && drop >= held / 2 {
            let kept = held - drop
            out.withUnsafeMutableBufferPointer { o in
                UnsafeMutableRawPointer(o.baseAddress!).copyMemory(from: o.baseAddress! + drop, byteCount: kept)
            }
            origin.withUnsafeMutableBufferPointer { g in
                UnsafeMutableRawPointer(g.baseAddress!).copyMemory(
                    from: g.baseAddress! + drop, byteCount: kept * MemoryLayout<SIMD4<Int32>>.stride)
            }
            held = kept
            base += drop
        }
        while base + held <= end && position < text.count {
            let stepEnd = min(position + nextStep, text.count)
            if ascii {
                let room = held + (stepEnd - position)
                if out.count < room {
                    out.append(contentsOf: repeatElement(0, count: room - out.count))
                    origin.append(contentsOf: repeatElement(.zero, count: room - origin.count))
                }
                var separator = separatorSinceLast
                let from = position, count = held, mode = mode
                held = out.withUnsafeMutableBufferPointer { o in
                    origin.withUnsafeMutableBufferPointer { g in
                        Normalizer.writeASCIIRun(
                            text, from: from, to: stepEnd, mode: mode, out: o.baseAddress!, origin: g.baseAddress!,
                            count: count, separatorSinceLast: &separator)
                    }
                }
                separatorSinceLast = separator
                position = stepEnd
            } else {
                // The full normaliser appends to the arrays and reads back their last entries.
                if out.count > held {
                    out.removeLast(out.count - held)
                    origin.removeLast(origin.count - held)
                }
                position = Normalizer.normalize(
                    text, from: position, upTo: stepEnd, mode: mode,
                    into: &out, origin: &origin, trackOrigin: true,
                    separatorSinceLast: &separatorSinceLast)
                held = origin.count
            }
            nextStep = min(2 * nextStep, OriginWindow.step)
        }
    }

    /// The origin of normalised byte `index`, which `prepare` made available.
    @inline(__always) subscript(index: Int) -> SIMD4<Int32> { origin[index - base] }

    /// Entries held now (for the memory tests).
    var heldCount: Int { held }
}
