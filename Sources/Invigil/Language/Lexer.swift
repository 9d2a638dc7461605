/// Tokens of the rule language.
enum TokenKind: Equatable {
    case identifier
    case string
    case integer
    case clock
    case punct  // { } ( ) [ ] , : - =
    case op  // == != < <= > >=
    case eof
    case invalid
}

struct Token {
    var kind: TokenKind
    /// Byte offset of the first byte in the source.
    var offset: Int
    var length: Int
    /// Identifier, punctuation or operator text; the decoded value of a string.
    var text: String
    var integer: Int64 = 0
}

/// Turns rule source bytes into tokens, one at a time, so that the parser can also take raw
/// JSON objects (the bodies of examples) straight from the source.
struct Lexer {
    let source: SourceText
    private(set) var position = 0
    var diagnostics: [Diagnostic] = []

    init(source: SourceText) { self.source = source }

    private var bytes: [UInt8] { source.bytes }

    static func isIdentifierStart(_ b: UInt8) -> Bool {
        (b >= 0x61 && b <= 0x7A) || (b >= 0x41 && b <= 0x5A) || b == 0x5F
    }

    static func isIdentifierByte(_ b: UInt8) -> Bool {
        isIdentifierStart(b) || (b >= 0x30 && b <= 0x39) || b == 0x2D || b == 0x2E
    }

    static func isDigit(_ b: UInt8) -> Bool { b >= 0x30 && b <= 0x39 }

    mutating func skipTrivia() {
        while position < bytes.count {
            let b = bytes[position]
            if b == 0x20 || b == 0x09 || b == 0x0A || b == 0x0D {
                position += 1
            } else if b == 0x23 {  // '#'
                while position < bytes.count, bytes[position] != 0x0A { position += 1 }
            } else {
                break
            }
        }
    }

    mutating func next() -> Token {
        skipTrivia()
        let start = position
        guard position < bytes.count else { return Token(kind: .eof, offset: start, length: 0, text: "") }
        let b = bytes[position]

        if Lexer.isIdentifierStart(b) {
            position += 1
            while position < bytes.count, Lexer.isIdentifierByte(bytes[position]) { position += 1 }
            // An identifier may not end in '-' or '.': give those back to the punctuation.
            while position > start + 1, bytes[position - 1] == 0x2D || bytes[position - 1] == 0x2E { position -= 1 }
            return Token(kind: .identifier, offset: start, length: position - start, text: text(start, position))
        }
        if Lexer.isDigit(b)
            || (b == 0x2D && position + 1 < bytes.count && Lexer.isDigit(bytes[position + 1])
                && !previousIsValue(start))
        {
            position += 1
            while position < bytes.count, Lexer.isDigit(bytes[position]) { position += 1 }
            // Clock time H:MM or HH:MM.
            if b != 0x2D, position - start <= 2, bytes[safe: position] == 0x3A,
                Lexer.isDigit(bytes[safe: position + 1]), Lexer.isDigit(bytes[safe: position + 2]),
                !Lexer.isDigit(bytes[safe: position + 3])
            {
                position += 3
                return Token(kind: .clock, offset: start, length: position - start, text: text(start, position))
            }
            let digits = text(start, position)
            guard let value = Int64(digits) else {
                diagnostics.append(source.diagnostic(.syntax, at: start, "integer '\(digits)' is out of range"))
                return Token(kind: .integer, offset: start, length: position - start, text: digits, integer: 0)
            }
            return Token(kind: .integer, offset: start, length: position - start, text: digits, integer: value)
        }
        if b == 0x22 { return lexString() }

        position += 1
        let two: String? = position < bytes.count ? text(start, position + 1) : nil
        if let two, ["==", "!=", "<=", ">="].contains(two) {
            position += 1
            return Token(kind: .op, offset: start, length: 2, text: two)
        }
        switch b {
        case 0x3C, 0x3E: return Token(kind: .op, offset: start, length: 1, text: text(start, position))
        case 0x7B, 0x7D, 0x28, 0x29, 0x5B, 0x5D, 0x2C, 0x3A, 0x2D, 0x3D:
            return Token(kind: .punct, offset: start, length: 1, text: text(start, position))
        default:
            // Take the whole UTF-8 character for the message.
            while position < bytes.count, bytes[position] & 0xC0 == 0x80 { position += 1 }
            let shown = text(start, position)
            diagnostics.append(source.diagnostic(.syntax, at: start, "unexpected character '\(shown)'"))
            return Token(kind: .invalid, offset: start, length: position - start, text: shown)
        }
    }

    /// A '-' directly after a digit or an identifier is a range dash, not a sign.
    private func previousIsValue(_ offset: Int) -> Bool {
        guard offset > 0 else { return false }
        let p = bytes[offset - 1]
        return Lexer.isDigit(p) || Lexer.isIdentifierByte(p)
    }

    private mutating func lexString() -> Token {
        let start = position
        position += 1
        var value: [UInt8] = []
        while true {
            guard position < bytes.count, bytes[position] != 0x0A else {
                diagnostics.append(source.diagnostic(.syntax, at: start, "unterminated string"))
                return Token(kind: .string, offset: start, length: position - start, text: String(decoding: value, as: UTF8.self))
            }
            let b = bytes[position]
            if b == 0x22 { position += 1; break }
            if b == 0x5C {
                let escapeAt = position
                position += 1
                guard position < bytes.count else { continue }
                let e = bytes[position]
                position += 1
                switch e {
                case 0x22: value.append(0x22)
                case 0x5C: value.append(0x5C)
                case 0x6E: value.append(0x0A)
                case 0x74: value.append(0x09)
                case 0x75 where position < bytes.count && bytes[position] == 0x7B:  // \u{...}
                    position += 1
                    var scalar: UInt32 = 0
                    var digits = 0
                    while position < bytes.count, let d = hexValue(bytes[position]), digits < 8 {
                        scalar = scalar &* 16 &+ UInt32(d)
                        digits += 1
                        position += 1
                    }
                    if position < bytes.count, bytes[position] == 0x7D, digits > 0, let u = Unicode.Scalar(scalar) {
                        position += 1
                        value.append(contentsOf: Array(String(Character(u)).utf8))
                    } else {
                        diagnostics.append(source.diagnostic(.syntax, at: escapeAt, "invalid \\u{...} escape"))
                    }
                default:
                    diagnostics.append(source.diagnostic(.syntax, at: escapeAt, "unknown escape '\\\(Character(Unicode.Scalar(e)))'"))
                }
                continue
            }
            value.append(b)
            position += 1
        }
        if !validUTF8(value) {
            diagnostics.append(source.diagnostic(.syntax, at: start, "string is not valid UTF-8"))
        }
        return Token(kind: .string, offset: start, length: position - start, text: String(decoding: value, as: UTF8.self))
    }

    /// Takes a balanced JSON object starting at `offset` (which holds `{`) and returns its bytes;
    /// the lexer continues after it. Strings inside are skipped over so braces in them don't count.
    mutating func takeJSONObject(at offset: Int) -> ArraySlice<UInt8>? {
        var depth = 0
        var i = offset
        var inString = false
        while i < bytes.count {
            let b = bytes[i]
            if inString {
                if b == 0x5C { i += 2; continue }
                if b == 0x22 { inString = false }
                if b == 0x0A { break }
            } else if b == 0x22 {
                inString = true
            } else if b == 0x7B || b == 0x5B {
                depth += 1
                if depth > 64 { break }
            } else if b == 0x7D || b == 0x5D {
                depth -= 1
                if depth == 0 {
                    position = i + 1
                    return bytes[offset...i]
                }
            }
            i += 1
        }
        diagnostics.append(
            source.diagnostic(
                .syntax, at: offset, "unterminated example object (unbalanced braces, a string across lines, or nesting deeper than 64)"))
        // Resynchronise at the end of the line.
        position = offset + 1
        while position < bytes.count, bytes[position] != 0x0A { position += 1 }
        return nil
    }

    private func text(_ a: Int, _ b: Int) -> String { String(decoding: bytes[a..<min(b, bytes.count)], as: UTF8.self) }
}

func hexValue(_ b: UInt8) -> Int? {
    switch b {
    case 0x30...0x39: return Int(b - 0x30)
    case 0x61...0x66: return Int(b - 0x61 + 10)
    case 0x41...0x46: return Int(b - 0x41 + 10)
    default: return nil
    }
}

extension Array where Element == UInt8 {
    subscript(safe index: Int) -> UInt8 { index >= 0 && index < count ? self[index] : 0 }
}

/// Strict UTF-8 validation (no overlongs, no surrogates, nothing above U+10FFFF) of any
/// collection of bytes: contiguous ones go to the buffer check (Support/UTF8Validation.swift).
func validUTF8(_ bytes: some Collection<UInt8>) -> Bool {
    if let valid = bytes.withContiguousStorageIfAvailable({ validUTF8($0) }) { return valid }
    return validUTF8Decoding(bytes)
}

/// The same check by Swift's own UTF-8 decoder: for collections without contiguous storage, and
/// the tests' reference for the buffer check.
func validUTF8Decoding(_ bytes: some Collection<UInt8>) -> Bool {
    var it = bytes.makeIterator()
    var decoder = UTF8()
    while true {
        switch decoder.decode(&it) {
        case .scalarValue: continue
        case .emptyInput: return true
        case .error: return false
        }
    }
}
