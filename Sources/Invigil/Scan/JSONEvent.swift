#if canImport(Glibc)
import Glibc
#endif
#if canImport(InvigilSIMD)
import InvigilSIMD
#endif

/// Why an event could not be read.
public struct EventError: Error, Sendable, CustomStringConvertible {
    /// Byte offset in the event's JSON where the problem was found.
    public var offset: Int
    /// What is wrong.
    public var message: String
    /// True when the JSON itself is malformed (not a field type problem).
    public var isSyntax: Bool
    /// True when a documented limit is exceeded (the event's size or number of values), so that
    /// every path reports it the same way (the C interface's INVIGIL_ERROR_LIMIT).
    public var isLimit: Bool = false

    /// A field error at `offset` of the JSON.
    init(_ error: FieldError, at offset: Int) {
        self.offset = offset
        message = error.description
        isSyntax = false
        if case .tooLarge = error { isLimit = true }
    }

    init(offset: Int, message: String, isSyntax: Bool, isLimit: Bool = false) {
        self.offset = offset
        self.message = message
        self.isSyntax = isSyntax
        self.isLimit = isLimit
    }

    /// `at byte N: message`.
    public var description: String { "at byte \(offset): \(message)" }
}

/// Reads one event in the JSON form of the event schema straight into a scanner's fields: no
/// intermediate tree, no allocation per event once warm.
struct JSONEventReader {
    var scratch: [UInt8] = []

    init() {
        scratch.reserveCapacity(256)
    }

    /// A reader that holds nothing: what the scanner keeps while its reader is in use, so that
    /// the reader in use is the only reference to its buffers and grows them in place.
    init(placeholder: ()) {}
}

extension Scanner {
    /// Parses one event in the JSON form of `spec/event-schema.md`, replacing the current event.
    /// Unknown fields are ignored; a value of the wrong type, malformed JSON or invalid UTF-8 is
    /// an error and leaves no event set.
    public func setJSON(_ bytes: UnsafeBufferPointer<UInt8>) throws(EventError) {
        reset()
        guard bytes.count <= Limits.eventBytes else {
            throw EventError(offset: 0, message: "event is larger than the limit of \(Limits.eventBytes) bytes", isSyntax: false, isLimit: true)
        }
        if !validUTF8(bytes) {
            var offset = 0
            var it = bytes.makeIterator()
            var decoder = UTF8()
            loop: while true {
                switch decoder.decode(&it) {
                case .scalarValue(let s): offset += UTF8.width(s)
                case .emptyInput, .error: break loop
                }
            }
            throw EventError(offset: offset, message: "not valid UTF-8", isSyntax: true)
        }
        var parser = JSONCursor(bytes: bytes)
        // Taken out of the scanner, not copied: a copy would share the buffers with `json`, and
        // the first append to each would copy it.
        var reader = JSONEventReader(placeholder: ())
        swap(&reader, &json)
        defer { swap(&reader, &json) }
        do throws(EventError) {
            parser.skipSpace()
            guard parser.peek() == 0x7B else {
                throw parser.error(parser.atEnd ? "empty line, expected a JSON object" : "expected a JSON object")
            }
            try readObject(&parser, &reader, node: EventKeyTree.root, element: nil, depth: 0)
            parser.skipSpace()
            if !parser.atEnd { throw parser.error("unexpected characters after the JSON object") }
        } catch {
            reset()
            throw error
        }
    }

    /// Sets the event from its JSON; see `setJSON(_:)` on a buffer.
    public func setJSON(_ bytes: [UInt8]) throws(EventError) {
        let r: Result<Void, EventError> = bytes.withUnsafeBufferPointer { b in Result { () throws(EventError) in try setJSON(b) } }
        try r.get()
    }

    /// Parses an event and scans it; returns the number of findings.
    @discardableResult
    public func scanJSON(_ bytes: UnsafeBufferPointer<UInt8>) throws(EventError) -> Int {
        try setJSON(bytes)
        return scan()
    }

    /// Parses an event and scans it; returns the number of findings.
    @discardableResult
    public func scanJSON(_ bytes: [UInt8]) throws(EventError) -> Int {
        try setJSON(bytes)
        return scan()
    }

    /// Reads an object whose keys are looked up under `node` (`EventKeyTree.none`: an object no
    /// field is in, read for its syntax only).
    private func readObject(_ p: inout JSONCursor, _ r: inout JSONEventReader, node: Int32, element: Int32?, depth: Int) throws(EventError) {
        if depth >= Limits.jsonDepth { throw JSONCursor.depthError(p) }
        p.advance()  // {
        p.skipSpace()
        if p.peek() == 0x7D { p.advance(); return }
        var previous = KeyOrderCache.first
        while true {
            p.skipSpace()
            guard p.peek() == 0x22 else { throw p.error("expected a quoted key") }
            let child: Int32
            // The key that followed the previous one here last time, if this one is the same
            // (`KeyOrderCache`); else the look-up, remembered for the next object.
            let remembered =
                remembersKeyOrder
                ? keyOrder.child(node: node, after: previous, in: p.bytes, at: p.position + 1) : (node: KeyOrderCache.unknown, length: 0)
            if remembered.node != KeyOrderCache.unknown {
                child = remembered.node
                p.position += remembered.length + 2
            } else if let key = p.readPlainString() {
                let keyBytes = UnsafeBufferPointer(rebasing: p.bytes[key])
                child = keyTree.child(of: node, keyBytes)
                keyOrder.remember(node: node, after: previous, key: keyBytes, child: child)
            } else {
                // A key with escapes, decoded first (the value's scratch is free until its value).
                r.scratch.removeAllKeepingCapacity()
                try p.readString(into: &r.scratch)
                child = r.scratch.withUnsafeBufferPointer { keyTree.child(of: node, $0) }
            }
            previous = child
            p.skipSpace()
            guard p.peek() == 0x3A else { throw p.error("expected ':' after a key") }
            p.advance()
            p.skipSpace()
            try readValue(&p, &r, node: child, element: element, depth: depth + 1)
            p.skipSpace()
            let c = p.peek()
            p.advance()
            if c == 0x2C { continue }
            if c == 0x7D { return }
            throw p.error(p.atEndAfterAdvance ? "unterminated object" : "expected ',' or '}' in an object", back: 1)
        }
    }

    /// Reads the value of the key whose node is `node`.
    private func readValue(_ p: inout JSONCursor, _ r: inout JSONEventReader, node: Int32, element: Int32?, depth: Int) throws(EventError) {
        let slot: Int? = keyTree.slot(of: node)
        let c = p.peek()
        switch c {
        case 0x7B:
            if let slot { throw fieldTypeError(p, slot, got: "an object") }
            if element == nil, let group = keyTree.group(of: node) { throw listOfObjectsError(p, group: group) }
            try readObject(&p, &r, node: node, element: element, depth: depth)
        case 0x5B:
            try readArray(&p, &r, node: node, slot: slot, element: element, depth: depth)
        case 0x22:
            let valueOffset = p.position
            // A string without escapes (most, and every large one in practice) is set straight
            // from the JSON bytes: no scratch copy, so a 64 MiB text is held twice (the JSON, the
            // event), not three times.
            let plain = p.readPlainString()
            if plain == nil {
                r.scratch.removeAllKeepingCapacity()
                try p.readString(into: &r.scratch)
            }
            guard let slot else { return }
            let isList = fieldIsList[slot]
            if !isList, element != nil {
                // A scalar field reached inside a list of objects: not this schema's shape.
                throw fieldTypeError(p, slot, got: "a value inside a list", at: valueOffset)
            }
            let result: Result<Void, FieldError>
            if let plain {
                // `setJSON` checked the whole event as UTF-8, and a string without escapes is cut
                // from it at quotes (ASCII): it is UTF-8 too.
                let b = UnsafeBufferPointer(rebasing: p.bytes[plain])
                result = Result { () throws(FieldError) in try setString(slot: slot, b, append: isList, element: element, validated: true) }
            } else {
                result = r.scratch.withUnsafeBufferPointer { b in
                    Result { () throws(FieldError) in try setString(slot: slot, b, append: isList, element: element) }
                }
                // Do not keep a large event's scratch for the next events.
                if r.scratch.capacity > 1 << 20 { r.scratch = [] }
            }
            if case .failure(let error) = result {
                throw EventError(error, at: valueOffset)
            }
        case 0x74, 0x66:  // true / false
            let valueOffset = p.position
            let value = try p.readLiteralBool()
            guard let slot else { return }
            do throws(FieldError) {
                try setBool(slot: slot, value, append: fieldIsList[slot], element: element)
            } catch {
                throw EventError(error, at: valueOffset)
            }
        case 0x6E:  // null
            try p.readNull()
        case 0x2D, 0x30...0x39:
            let valueOffset = p.position
            let (integer, isInteger) = try p.readNumber()
            guard let slot else { return }
            if fieldKinds[slot] == .time || !isInteger { throw numberError(slot, at: valueOffset, isInteger: isInteger) }
            do throws(FieldError) {
                try setInt(slot: slot, integer, append: fieldIsList[slot], element: element)
            } catch {
                throw EventError(error, at: valueOffset)
            }
        default:
            throw p.error(p.atEnd ? "unexpected end of the line inside the JSON" : "expected a JSON value")
        }
    }

    // The errors of a value, built out of line so that their strings' code stays out of the
    // value path (see `Scanner.tooLarge(slot:)`).

    @inline(never)
    private func listOfObjectsError(_ p: JSONCursor, group: Int) -> EventError {
        p.error("'\(rules.groups[group])' is a list of objects, not an object")
    }

    @inline(never)
    private func numberError(_ slot: Int, at valueOffset: Int, isInteger: Bool) -> EventError {
        let info = rules.fields[slot]
        if fieldKinds[slot] == .time {
            return EventError(
                offset: valueOffset, message: "field '\(info.name)' is a time, written as an ISO 8601 string, not a number", isSyntax: false)
        }
        return EventError(offset: valueOffset, message: "field '\(info.name)' is \(info.typeDescription), not a fractional number", isSyntax: false)
    }

    @inline(never)
    private func fieldTypeError(_ p: JSONCursor, _ slot: Int, got: String, at: Int? = nil) -> EventError {
        let info = rules.fields[slot]
        return EventError(offset: at ?? p.position, message: "field '\(info.name)' is \(info.typeDescription), not \(got)", isSyntax: false)
    }

    private func readArray(_ p: inout JSONCursor, _ r: inout JSONEventReader, node: Int32, slot: Int?, element: Int32?, depth: Int) throws(EventError)
    {
        if depth >= Limits.jsonDepth { throw JSONCursor.depthError(p) }
        if let slot, !rules.fields[slot].isList { throw fieldTypeError(p, slot, got: "a list") }
        if element != nil, slot == nil {
            // A list inside a list of objects: not part of the schema; skip it.
        }
        let groupIndex: Int? = slot == nil && element == nil ? keyTree.group(of: node) : nil
        p.advance()
        p.skipSpace()
        if p.peek() == 0x5D { p.advance(); return }
        var index: Int32 = 0
        while true {
            p.skipSpace()
            if let g = groupIndex {
                if p.peek() == 0x7B {
                    touch(group: g, element: index)
                    try readObject(&p, &r, node: node, element: index, depth: depth + 1)
                } else {
                    throw p.error("'\(rules.groups[g])' is a list of objects; expected an object")
                }
            } else if slot != nil {
                let c = p.peek()
                if c == 0x7B || c == 0x5B { throw fieldTypeError(p, slot!, got: c == 0x7B ? "a list of objects" : "a nested list") }
                try readValue(&p, &r, node: node, element: element ?? index, depth: depth + 1)
            } else {
                try p.skipValue(depth: depth + 1)
            }
            index += 1
            p.skipSpace()
            let c = p.peek()
            p.advance()
            if c == 0x2C { continue }
            if c == 0x5D { return }
            throw p.error(p.atEndAfterAdvance ? "unterminated list" : "expected ',' or ']' in a list", back: 1)
        }
    }
}

/// A position in JSON bytes with the primitive readers.
struct JSONCursor {
    let bytes: UnsafeBufferPointer<UInt8>
    var position = 0

    init(bytes: UnsafeBufferPointer<UInt8>) { self.bytes = bytes }

    var atEnd: Bool { position >= bytes.count }
    var atEndAfterAdvance: Bool { position > bytes.count }

    @inline(__always) func peek() -> UInt8 { position < bytes.count ? bytes[position] : 0 }
    @inline(__always) mutating func advance() { position += 1 }

    /// JSON nested deeper than `Limits.jsonDepth`, at `p` (out of line: see `fieldTypeError`).
    @inline(never) static func depthError(_ p: JSONCursor) -> EventError {
        p.error("JSON nests deeper than the limit of \(Limits.jsonDepth)")
    }

    func error(_ message: String, back: Int = 0) -> EventError {
        EventError(offset: min(max(0, position - back), bytes.count), message: message, isSyntax: true)
    }

    @inline(__always) mutating func skipSpace() {
        while position < bytes.count {
            let b = bytes[position]
            // One test for the usual case: every byte above the space ends the run (the reader
            // calls this four times per key, and archives rarely hold any space between tokens).
            if b > 0x20 { break }
            if b == 0x20 || b == 0x09 || b == 0x0A || b == 0x0D { position += 1 } else { break }
        }
    }

    /// If the string at the cursor has no escape and no control character, moves past it and
    /// returns the range of its bytes; otherwise returns nil and does not move.
    @inline(__always)
    mutating func readPlainString() -> Range<Int>? {
        let i = plainEnd(from: position + 1)
        guard i < bytes.count, bytes[i] == 0x22 else { return nil }
        let range = (position + 1)..<i
        position = i + 1
        return range
    }

    /// The index of the first quote, backslash or control character at or after `from`, or the
    /// end: where a run of bytes that stand for themselves in a string ends.
    @inline(__always) func plainEnd(from: Int) -> Int {
        guard from < bytes.count, let base = bytes.baseAddress else { return bytes.count }
        #if canImport(InvigilSIMD)
        return Int(ivg_json_plain_end(base, from, bytes.count))
        #else
        var i = from
        while i < bytes.count {
            let b = base[i]
            if b == 0x22 || b == 0x5C || b < 0x20 { break }
            i += 1
        }
        return i
        #endif
    }

    mutating func readString(into out: inout [UInt8]) throws(EventError) {
        let openedAt = position
        position += 1
        while true {
            // Copy the run of plain bytes at once.
            let runStart = position
            position = plainEnd(from: position)
            if position > runStart { out.append(contentsOf: UnsafeBufferPointer(rebasing: bytes[runStart..<position])) }
            guard position < bytes.count else {
                throw EventError(offset: openedAt, message: "unterminated string", isSyntax: true)
            }
            let b = bytes[position]
            if b == 0x22 { position += 1; return }
            if b < 0x20 { throw error("control character in a string (must be escaped)") }
            // Escape.
            position += 1
            guard position < bytes.count else { throw EventError(offset: openedAt, message: "unterminated string", isSyntax: true) }
            let e = bytes[position]
            position += 1
            switch e {
            case 0x22: out.append(0x22)
            case 0x5C: out.append(0x5C)
            case 0x2F: out.append(0x2F)
            case 0x62: out.append(0x08)
            case 0x66: out.append(0x0C)
            case 0x6E: out.append(0x0A)
            case 0x72: out.append(0x0D)
            case 0x74: out.append(0x09)
            case 0x75:
                var scalar = try readHex4()
                if scalar >= 0xD800 && scalar < 0xDC00 {
                    guard position + 1 < bytes.count, bytes[position] == 0x5C, bytes[position + 1] == 0x75 else {
                        throw error("lone surrogate in a \\u escape")
                    }
                    position += 2
                    let low = try readHex4()
                    guard low >= 0xDC00 && low < 0xE000 else { throw error("invalid surrogate pair in a \\u escape") }
                    scalar = 0x10000 + ((scalar - 0xD800) << 10) + (low - 0xDC00)
                } else if scalar >= 0xDC00 && scalar < 0xE000 {
                    throw error("lone surrogate in a \\u escape")
                }
                guard let u = Unicode.Scalar(scalar) else { throw error("invalid \\u escape") }
                UTF8.encode(u) { out.append($0) }
            default:
                throw error("invalid escape in a string", back: 1)
            }
        }
    }

    private mutating func readHex4() throws(EventError) -> UInt32 {
        guard position + 4 <= bytes.count else { throw error("truncated \\u escape") }
        var v: UInt32 = 0
        for _ in 0..<4 {
            guard let d = hexValue(bytes[position]) else { throw error("invalid hex digit in a \\u escape") }
            v = v << 4 | UInt32(d)
            position += 1
        }
        return v
    }

    mutating func readLiteralBool() throws(EventError) -> Bool {
        if matchLiteral("true") { return true }
        if matchLiteral("false") { return false }
        throw error("expected a JSON value")
    }

    mutating func readNull() throws(EventError) {
        if !matchLiteral("null") { throw error("expected a JSON value") }
    }

    private mutating func matchLiteral(_ s: StaticString) -> Bool {
        let n = s.utf8CodeUnitCount
        guard position + n <= bytes.count else { return false }
        let p = s.utf8Start
        for i in 0..<n where bytes[position + i] != p[i] { return false }
        position += n
        return true
    }

    /// Reads a JSON number; returns its value if it is an integer that fits 64 bits.
    mutating func readNumber() throws(EventError) -> (Int64, Bool) {
        let start = position
        var negative = false
        if peek() == 0x2D { negative = true; position += 1 }
        guard Detectors.isDigit(peek()) else { throw error("invalid number") }
        var value: Int64 = 0
        var overflow = false
        if peek() == 0x30 {
            position += 1
        } else {
            while Detectors.isDigit(peek()) {
                let (m, o1) = value.multipliedReportingOverflow(by: 10)
                // Negative numbers accumulate downwards, so that -9223372036854775808 fits.
                let digit = Int64(peek() - 0x30)
                let (a, o2) = negative ? m.subtractingReportingOverflow(digit) : m.addingReportingOverflow(digit)
                overflow = overflow || o1 || o2
                value = a
                position += 1
            }
        }
        var integral = true
        if peek() == 0x2E {
            integral = false
            position += 1
            guard Detectors.isDigit(peek()) else { throw error("invalid number") }
            while Detectors.isDigit(peek()) { position += 1 }
        }
        if peek() | 0x20 == 0x65 {
            integral = false
            position += 1
            if peek() == 0x2B || peek() == 0x2D { position += 1 }
            guard Detectors.isDigit(peek()) else { throw error("invalid number") }
            while Detectors.isDigit(peek()) { position += 1 }
        }
        if overflow {
            throw EventError(offset: start, message: "number does not fit 64 bits", isSyntax: false)
        }
        return (value, integral)
    }

    mutating func skipValue(depth: Int) throws(EventError) {
        if depth >= Limits.jsonDepth { throw error("JSON nests deeper than the limit of \(Limits.jsonDepth)") }
        skipSpace()
        switch peek() {
        case 0x22:
            var sink: [UInt8] = []
            try readString(into: &sink)
        case 0x7B, 0x5B:
            let close: UInt8 = peek() == 0x7B ? 0x7D : 0x5D
            let isObject = close == 0x7D
            position += 1
            skipSpace()
            if peek() == close { position += 1; return }
            while true {
                skipSpace()
                if isObject {
                    guard peek() == 0x22 else { throw error("expected a quoted key") }
                    var sink: [UInt8] = []
                    try readString(into: &sink)
                    skipSpace()
                    guard peek() == 0x3A else { throw error("expected ':' after a key") }
                    position += 1
                }
                try skipValue(depth: depth + 1)
                skipSpace()
                let c = peek()
                position += 1
                if c == 0x2C { continue }
                if c == close { return }
                throw error("expected ',' or '\(isObject ? "}" : "]")'", back: 1)
            }
        case 0x74, 0x66: _ = try readLiteralBool()
        case 0x6E: try readNull()
        case 0x2D, 0x30...0x39: _ = try readNumber()
        default: throw error("expected a JSON value")
        }
    }
}
