/// DEFLATE decompression (RFC 1951): stored, fixed-Huffman and dynamic-Huffman blocks.
///
/// Written in the project rather than linked from zlib so that the readers keep no system library
/// dependency and every bound is ours: the output never exceeds the caller's limit (a zip entry's
/// declared size), every input read is checked against the end, and each step consumes input or
/// produces bounded output, so a hostile stream ends in an `InflateError`, never a trap or a hang.
///
/// ```swift
/// let text = try Inflate.decompress(deflated, limit: entry.uncompressedSize, exact: true)
/// ```
package enum Inflate {
    /// Decompresses a raw DEFLATE stream (no zlib or gzip wrapper). At most `limit` bytes are
    /// produced; with `exact`, a stream that produces fewer is an error too. Input after the final
    /// block is ignored.
    package static func decompress(_ input: UnsafeBufferPointer<UInt8>, limit: Int, exact: Bool = false) throws(InflateError) -> [UInt8] {
        var state = InflateState(input: input, limit: max(0, limit), exact: exact)
        defer { state.output.deallocate() }
        try state.run()
        if exact && state.count != limit { throw .outputTooShort(got: state.count, expected: limit) }
        return Array(UnsafeBufferPointer(start: state.output, count: state.count))
    }

    /// The first `count` bytes a stream decompresses to (all of them if fewer), for looking at
    /// the start of an entry without expanding all of it. The input may be the stream's start
    /// only: running out of input ends the prefix there. Nil when the stream is invalid before.
    package static func prefix(of input: [UInt8], count: Int) -> [UInt8]? {
        input.withUnsafeBufferPointer { b -> [UInt8]? in
            var state = InflateState(input: b, limit: max(0, count), exact: false)
            state.keepsPartialOutput = true
            defer { state.output.deallocate() }
            do throws(InflateError) {
                try state.run()
            } catch {
                guard error == .truncated || error == .outputTooLong(limit: max(0, count)) else { return nil }
            }
            return Array(UnsafeBufferPointer(start: state.output, count: state.count))
        }
    }

    /// `decompress` over an array.
    package static func decompress(_ input: [UInt8], limit: Int, exact: Bool = false) throws(InflateError) -> [UInt8] {
        var result: Result<[UInt8], InflateError>!
        input.withUnsafeBufferPointer { b in
            result = Result { () throws(InflateError) in try decompress(b, limit: limit, exact: exact) }
        }
        return try result.get()
    }

    // RFC 1951 §3.2.5: lengths 3...258 from symbols 257...285, distances 1...32768 from 0...29.
    static let lengthBase: [Int] = [3, 4, 5, 6, 7, 8, 9, 10, 11, 13, 15, 17, 19, 23, 27, 31, 35, 43, 51, 59, 67, 83, 99, 115, 131, 163, 195, 227, 258]
    static let lengthExtra: [Int] = [0, 0, 0, 0, 0, 0, 0, 0, 1, 1, 1, 1, 2, 2, 2, 2, 3, 3, 3, 3, 4, 4, 4, 4, 5, 5, 5, 5, 0]
    static let distanceBase: [Int] = [
        1, 2, 3, 4, 5, 7, 9, 13, 17, 25, 33, 49, 65, 97, 129, 193, 257, 385, 513, 769, 1025, 1537, 2049, 3073,
        4097, 6145, 8193, 12289, 16385, 24577
    ]
    static let distanceExtra: [Int] = [0, 0, 0, 0, 1, 1, 2, 2, 3, 3, 4, 4, 5, 5, 6, 6, 7, 7, 8, 8, 9, 9, 10, 10, 11, 11, 12, 12, 13, 13]
    /// The order in which a dynamic block lists the code lengths of the code-length alphabet.
    static let codeLengthOrder: [Int] = [16, 17, 18, 0, 8, 7, 9, 6, 10, 5, 11, 4, 12, 3, 13, 2, 14, 1, 15]

    /// The fixed codes of block type 1 (RFC 1951 §3.2.6).
    static let fixedLiterals: HuffmanDecoder = {
        var lengths = [UInt8](repeating: 8, count: 288)
        for i in 144..<256 { lengths[i] = 9 }
        for i in 256..<280 { lengths[i] = 7 }
        return try! HuffmanDecoder(lengths: lengths)
    }()
    /// All 32 five-bit codes; 30 and 31 are refused as they are decoded.
    static let fixedDistances: HuffmanDecoder = try! HuffmanDecoder(lengths: [UInt8](repeating: 5, count: 32))
}

/// The decoder's position in the input (a bit buffer, first bit lowest) and its output.
struct InflateState {
    let input: UnsafeBufferPointer<UInt8>
    var position = 0
    var bits: UInt64 = 0
    var available = 0
    let limit: Int
    var output: UnsafeMutablePointer<UInt8>
    var capacity: Int
    var count = 0
    /// For `Inflate.prefix`: a stored block or a back-reference that crosses the limit, or a
    /// stored block cut short by the end of the input, is copied in part before the error.
    var keepsPartialOutput = false

    init(input: UnsafeBufferPointer<UInt8>, limit: Int, exact: Bool) {
        self.input = input
        self.limit = limit
        // With the size known, one allocation; otherwise grow (up to the limit) as needed.
        capacity = exact ? max(limit, 1) : max(1, min(limit, max(4096, input.count * 4)))
        output = .allocate(capacity: capacity)
    }

    /// Tops the bit buffer up to at least 57 bits, or to what the input has left.
    @inline(__always)
    mutating func refill() {
        while available <= 56 && position < input.count {
            bits |= UInt64(input[position]) << UInt64(available)
            position += 1
            available += 8
        }
    }

    /// The next `n` bits (0...16), as a number (first bit lowest).
    @inline(__always)
    mutating func take(_ n: Int) throws(InflateError) -> Int {
        if available < n {
            refill()
            if available < n { throw .truncated }
        }
        let value = Int(bits & ((1 << UInt64(n)) - 1))
        bits >>= UInt64(n)
        available -= n
        return value
    }

    @inline(__always)
    mutating func decode(_ code: HuffmanDecoder) throws(InflateError) -> Int {
        if available < HuffmanDecoder.maxBits { refill() }
        guard let (symbol, length) = code.decode(bits, available: available) else { throw .invalidCode }
        if length == 0 { throw .truncated }
        bits >>= UInt64(length)
        available -= length
        return symbol
    }

    /// Room for `n` more output bytes, growing the buffer up to the limit.
    @inline(__always)
    mutating func reserve(_ n: Int) throws(InflateError) {
        if count + n > limit { throw .outputTooLong(limit: limit) }
        if count + n <= capacity { return }
        var grown = capacity
        while grown < count + n { grown = min(limit, grown * 2) }
        let bigger = UnsafeMutablePointer<UInt8>.allocate(capacity: grown)
        bigger.update(from: output, count: count)
        output.deallocate()
        output = bigger
        capacity = grown
    }

    mutating func run() throws(InflateError) {
        var final = false
        while !final {
            final = try take(1) == 1
            switch try take(2) {
            case 0: try storedBlock()
            case 1: try codedBlock(Inflate.fixedLiterals, Inflate.fixedDistances)
            case 2:
                let (literals, distances) = try dynamicCodes()
                try codedBlock(literals, distances)
            default: throw .reservedBlockType
            }
        }
    }

    /// Block type 0: LEN, NLEN on a byte boundary, then LEN bytes copied as they are.
    mutating func storedBlock() throws(InflateError) {
        _ = try take(available % 8)
        let length = try take(16)
        let complement = try take(16)
        guard length == complement ^ 0xFFFF else { throw .storedLengthMismatch }
        // Whole bytes left in the bit buffer go back to the input.
        position -= available / 8
        bits = 0
        available = 0
        var n = length
        if keepsPartialOutput { n = min(n, limit - count, input.count - position) }
        guard input.count - position >= n else { throw .truncated }
        try reserve(n)
        (output + count).update(from: input.baseAddress! + position, count: n)
        position += n
        count += n
        if n < length { throw count == limit ? .outputTooLong(limit: limit) : .truncated }
    }

    /// Block type 2's header: the code-length code, then the literal/length and distance codes.
    mutating func dynamicCodes() throws(InflateError) -> (HuffmanDecoder, HuffmanDecoder) {
        let literalCount = try take(5) + 257
        let distanceCount = try take(5) + 1
        let lengthCodeCount = try take(4) + 4
        guard literalCount <= 286 else { throw .invalidCodeLengths("\(literalCount) literal/length codes (at most 286)") }
        guard distanceCount <= 30 else { throw .invalidCodeLengths("\(distanceCount) distance codes (at most 30)") }
        var lengthCodeLengths = [UInt8](repeating: 0, count: 19)
        for i in 0..<lengthCodeCount { lengthCodeLengths[Inflate.codeLengthOrder[i]] = UInt8(try take(3)) }
        let lengthCode: HuffmanDecoder
        do { lengthCode = try HuffmanDecoder(lengths: lengthCodeLengths) } catch { throw .invalidCodeLengths("over-subscribed code-length code") }
        var lengths = [UInt8](repeating: 0, count: literalCount + distanceCount)
        var i = 0
        while i < lengths.count {
            let symbol = try decode(lengthCode)
            var repeated: UInt8 = 0
            var times: Int
            switch symbol {
            case 0...15:
                lengths[i] = UInt8(symbol)
                i += 1
                continue
            case 16:
                guard i > 0 else { throw .invalidCodeLengths("repeat with no length before it") }
                repeated = lengths[i - 1]
                times = 3 + (try take(2))
            case 17: times = 3 + (try take(3))
            default: times = 11 + (try take(7))
            }
            guard i + times <= lengths.count else { throw .invalidCodeLengths("repeat past the last code") }
            for k in i..<(i + times) { lengths[k] = repeated }
            i += times
        }
        guard lengths[256] != 0 else { throw .invalidCodeLengths("no end-of-block code") }
        do {
            let literals = try HuffmanDecoder(lengths: Array(lengths[0..<literalCount]))
            let distances = try HuffmanDecoder(lengths: Array(lengths[literalCount...]))
            return (literals, distances)
        } catch {
            throw .invalidCodeLengths("over-subscribed literal/length or distance code")
        }
    }

    /// Literals and back-references up to the end-of-block symbol.
    mutating func codedBlock(_ literals: HuffmanDecoder, _ distances: HuffmanDecoder) throws(InflateError) {
        while true {
            let symbol = try decode(literals)
            if symbol < 256 {
                try reserve(1)
                output[count] = UInt8(truncatingIfNeeded: symbol)
                count += 1
                continue
            }
            if symbol == 256 { return }
            let l = symbol - 257
            guard l < 29 else { throw .invalidCode }
            let length = Inflate.lengthBase[l] + (try take(Inflate.lengthExtra[l]))
            let d = try decode(distances)
            guard d < 30 else { throw .invalidCode }
            let distance = Inflate.distanceBase[d] + (try take(Inflate.distanceExtra[d]))
            guard distance <= count else { throw .distanceTooFar }
            let copied = keepsPartialOutput ? min(length, limit - count) : length
            try reserve(copied)
            // Byte by byte: the source may overlap what is being written (distance < length).
            var from = count - distance
            let end = count + copied
            while count < end {
                output[count] = output[from]
                count += 1
                from += 1
            }
            if copied < length { throw .outputTooLong(limit: limit) }
        }
    }
}
