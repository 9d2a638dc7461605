/// A canonical Huffman code of DEFLATE (RFC 1951 §3.2.2), built from code lengths, for decoding.
///
/// Codes of up to `fastBits` bits are looked up in one step in a table indexed by the next
/// `fastBits` input bits (DEFLATE packs codes starting from their most significant bit, so the
/// table is indexed by bit-reversed codes). Longer codes, and the end of the input where fewer
/// bits remain, are decoded one bit at a time from the per-length counts.
struct HuffmanDecoder {
    static let fastBits = 10
    static let maxBits = 15

    /// `symbol | length << 9` for every `fastBits`-bit index whose low bits are a code of up to
    /// `fastBits` bits; 0 where the code is longer or unassigned.
    var fast: [UInt16]
    /// Codes of each length, 0...15.
    var counts: [Int]
    /// Symbols ordered by code length, then by value (the canonical order).
    var symbols: [Int]

    /// Why a set of code lengths is not a usable code.
    enum BuildError: Error { case overSubscribed }

    /// Builds the code from the code length of each symbol (0 = unused). An over-subscribed set
    /// (more codes than the lengths allow) is refused; an incomplete set is accepted, and its
    /// unassigned codes fail when they are met (`decode` returns nil).
    init(lengths: UnsafeBufferPointer<UInt8>) throws(BuildError) {
        var counts = [Int](repeating: 0, count: Self.maxBits + 1)
        for l in lengths { counts[Int(l)] += 1 }
        counts[0] = 0
        var left = 1
        for len in 1...Self.maxBits {
            left <<= 1
            left -= counts[len]
            if left < 0 { throw .overSubscribed }
        }
        // Where each length's symbols start in `symbols`, and the first code of each length.
        var offsets = [Int](repeating: 0, count: Self.maxBits + 2)
        for len in 1...Self.maxBits { offsets[len + 1] = offsets[len] + counts[len] }
        var symbols = [Int](repeating: 0, count: offsets[Self.maxBits + 1])
        var nextCode = [Int](repeating: 0, count: Self.maxBits + 1)
        var code = 0
        for len in 1...Self.maxBits {
            code = (code + counts[len - 1]) << 1
            nextCode[len] = code
        }
        var fast = [UInt16](repeating: 0, count: 1 << Self.fastBits)
        var place = offsets
        for (symbol, l) in lengths.enumerated() where l != 0 {
            let len = Int(l)
            symbols[place[len]] = symbol
            place[len] += 1
            let c = nextCode[len]
            nextCode[len] += 1
            guard len <= Self.fastBits else { continue }
            // Bit-reverse the code: the first bit read is the code's most significant.
            var reversed = 0
            for i in 0..<len where c & (1 << (len - 1 - i)) != 0 { reversed |= 1 << i }
            let entry = UInt16(symbol | len << 9)
            var index = reversed
            while index < 1 << Self.fastBits {
                fast[index] = entry
                index += 1 << len
            }
        }
        self.fast = fast
        self.counts = counts
        self.symbols = symbols
    }

    init(lengths: [UInt8]) throws(BuildError) {
        var result: Result<HuffmanDecoder, BuildError>!
        lengths.withUnsafeBufferPointer { b in result = Result { () throws(BuildError) in try HuffmanDecoder(lengths: b) } }
        self = try result.get()
    }

    /// Decodes one symbol from the low `available` bits of `bits` (the next input bits, first bit
    /// lowest). Returns the symbol and its code length, `(-1, 0)` when the bits hold no complete
    /// code (more input is needed), or nil for a code the set does not assign.
    @inline(__always)
    func decode(_ bits: UInt64, available: Int) -> (symbol: Int, length: Int)? {
        let entry = Int(fast[Int(bits & UInt64((1 << Self.fastBits) - 1))])
        let length = entry >> 9
        if length != 0 && length <= available { return (entry & 511, length) }
        return decodeSlowly(bits, available: available)
    }

    /// Bit-at-a-time canonical decoding: at each length, the codes of that length are the
    /// `counts[len]` values from `first`. Ends at the longest length in use, so that an
    /// unassigned code is refused rather than waiting for input.
    func decodeSlowly(_ bits: UInt64, available: Int) -> (symbol: Int, length: Int)? {
        var code = 0, first = 0, index = 0
        for len in 1...Self.maxBits {
            guard len <= available else { return (-1, 0) }
            code |= Int((bits >> UInt64(len - 1)) & 1)
            let count = counts[len]
            if code - first < count { return (symbols[index + code - first], len) }
            index += count
            // Every symbol has a shorter code: these bits are no code (an incomplete set).
            if index == symbols.count { return nil }
            first = (first + count) << 1
            code <<= 1
        }
        return nil
    }
}
