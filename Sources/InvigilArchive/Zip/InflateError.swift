/// Why a DEFLATE stream (RFC 1951) could not be decompressed.
package enum InflateError: Error, Equatable, CustomStringConvertible {
    /// The input ended inside a block.
    case truncated
    /// Block type 3, which RFC 1951 reserves.
    case reservedBlockType
    /// A stored block whose length and its complement disagree.
    case storedLengthMismatch
    /// A dynamic block's code lengths are not a valid code (over-subscribed, too many, a repeat
    /// with nothing before it, or no end-of-block code).
    case invalidCodeLengths(String)
    /// Input bits that are no code of the block's Huffman code, or a reserved symbol.
    case invalidCode
    /// A back-reference to before the start of the output.
    case distanceTooFar
    /// More output than the caller allows (the size declared in the container, or a limit).
    case outputTooLong(limit: Int)
    /// The stream ended before the size the caller expects.
    case outputTooShort(got: Int, expected: Int)

    package var description: String {
        switch self {
        case .truncated: return "deflate data ends inside a block"
        case .reservedBlockType: return "deflate block of reserved type 3"
        case .storedLengthMismatch: return "stored deflate block whose length does not match its complement"
        case .invalidCodeLengths(let why): return "invalid Huffman code lengths: \(why)"
        case .invalidCode: return "invalid Huffman code or reserved symbol in deflate data"
        case .distanceTooFar: return "deflate back-reference before the start of the data"
        case .outputTooLong(let limit): return "deflate data expands to more than \(limit) bytes"
        case .outputTooShort(let got, let expected): return "deflate data expands to \(got) bytes, not the \(expected) declared"
        }
    }
}
