/// A JSON value, as the findings reader needs it: a small, strict parser (RFC 8259) over bytes,
/// with a nesting limit so that hostile input cannot exhaust the stack. The command does not link
/// Foundation, so it has its own.
public enum JSONValue: Sendable, Equatable {
    case null
    case bool(Bool)
    case number(Double)
    case string(String)
    case array([JSONValue])
    case object([(String, JSONValue)])

    public static func == (a: JSONValue, b: JSONValue) -> Bool {
        switch (a, b) {
        case (.null, .null): return true
        case let (.bool(x), .bool(y)): return x == y
        case let (.number(x), .number(y)): return x == y
        case let (.string(x), .string(y)): return x == y
        case let (.array(x), .array(y)): return x == y
        case let (.object(x), .object(y)): return x.count == y.count && zip(x, y).allSatisfy { $0.0 == $1.0 && $0.1 == $1.1 }
        default: return false
        }
    }

    /// How deep arrays and objects may nest.
    public static let maxDepth = 64

    /// The member `key` of an object (the first, if repeated).
    public subscript(key: String) -> JSONValue? {
        guard case .object(let members) = self else { return nil }
        return members.first { $0.0 == key }?.1
    }

    public var string: String? { if case .string(let s) = self { return s }; return nil }
    public var int: Int? {
        if case .number(let d) = self, d.isFinite, d == d.rounded(), abs(d) < 9e15 { return Int(d) }
        return nil
    }
    public var array: [JSONValue]? { if case .array(let a) = self { return a }; return nil }

    /// Parses one JSON text (surrounding white space allowed).
    public static func parse(_ bytes: [UInt8]) throws(JSONError) -> JSONValue {
        var p = JSONParser(bytes: bytes)
        p.skipSpace()
        let v = try p.value(depth: 0)
        p.skipSpace()
        guard p.at == bytes.count else { throw p.error("unexpected text after the value") }
        return v
    }
}

/// Why a JSON text could not be read, with the byte offset.
public struct JSONError: Error, Sendable, CustomStringConvertible {
    public var offset: Int
    public var message: String
    public var description: String { "column \(offset + 1): \(message)" }
}

private struct JSONParser {
    let bytes: [UInt8]
    var at = 0

    init(bytes: [UInt8]) { self.bytes = bytes }

    func error(_ message: String) -> JSONError { JSONError(offset: at, message: message) }

    mutating func skipSpace() {
        while at < bytes.count, bytes[at] == 0x20 || bytes[at] == 0x09 || bytes[at] == 0x0A || bytes[at] == 0x0D { at += 1 }
    }

    mutating func literal(_ word: String, _ v: JSONValue) throws(JSONError) -> JSONValue {
        let w = Array(word.utf8)
        guard at + w.count <= bytes.count, Array(bytes[at..<(at + w.count)]) == w else { throw error("unknown literal") }
        at += w.count
        return v
    }

    mutating func value(depth: Int) throws(JSONError) -> JSONValue {
        guard at < bytes.count else { throw error("unexpected end of text") }
        switch bytes[at] {
        case 0x7B: return try object(depth: depth + 1)
        case 0x5B: return try array(depth: depth + 1)
        case 0x22: return .string(try string())
        case 0x74: return try literal("true", .bool(true))
        case 0x66: return try literal("false", .bool(false))
        case 0x6E: return try literal("null", .null)
        case 0x2D, 0x30...0x39: return try number()
        default: throw error("unexpected character")
        }
    }

    mutating func object(depth: Int) throws(JSONError) -> JSONValue {
        guard depth <= JSONValue.maxDepth else { throw error("nested deeper than \(JSONValue.maxDepth)") }
        at += 1
        var members: [(String, JSONValue)] = []
        skipSpace()
        if at < bytes.count, bytes[at] == 0x7D { at += 1; return .object(members) }
        while true {
            skipSpace()
            guard at < bytes.count, bytes[at] == 0x22 else { throw error("expected a member name") }
            let key = try string()
            skipSpace()
            guard at < bytes.count, bytes[at] == 0x3A else { throw error("expected ':'") }
            at += 1
            skipSpace()
            members.append((key, try value(depth: depth)))
            skipSpace()
            guard at < bytes.count else { throw error("unexpected end of text") }
            if bytes[at] == 0x2C { at += 1; continue }
            if bytes[at] == 0x7D { at += 1; return .object(members) }
            throw error("expected ',' or '}'")
        }
    }

    mutating func array(depth: Int) throws(JSONError) -> JSONValue {
        guard depth <= JSONValue.maxDepth else { throw error("nested deeper than \(JSONValue.maxDepth)") }
        at += 1
        var items: [JSONValue] = []
        skipSpace()
        if at < bytes.count, bytes[at] == 0x5D { at += 1; return .array(items) }
        while true {
            skipSpace()
            items.append(try value(depth: depth))
            skipSpace()
            guard at < bytes.count else { throw error("unexpected end of text") }
            if bytes[at] == 0x2C { at += 1; continue }
            if bytes[at] == 0x5D { at += 1; return .array(items) }
            throw error("expected ',' or ']'")
        }
    }

    mutating func number() throws(JSONError) -> JSONValue {
        let start = at
        if bytes[at] == 0x2D { at += 1 }
        func digits(_ p: inout JSONParser) -> Int {
            let s = p.at
            while p.at < p.bytes.count, p.bytes[p.at] >= 0x30, p.bytes[p.at] <= 0x39 { p.at += 1 }
            return p.at - s
        }
        guard digits(&self) > 0 else { throw error("expected a digit") }
        if at < bytes.count, bytes[at] == 0x2E {
            at += 1
            guard digits(&self) > 0 else { throw error("expected a digit after '.'") }
        }
        if at < bytes.count, bytes[at] | 0x20 == 0x65 {
            at += 1
            if at < bytes.count, bytes[at] == 0x2B || bytes[at] == 0x2D { at += 1 }
            guard digits(&self) > 0 else { throw error("expected an exponent") }
        }
        guard let d = Double(String(decoding: bytes[start..<at], as: UTF8.self)) else { throw error("bad number") }
        return .number(d)
    }

    mutating func hex4() throws(JSONError) -> UInt32 {
        guard at + 4 <= bytes.count else { throw error("short \\u escape") }
        var v: UInt32 = 0
        for _ in 0..<4 {
            let b = bytes[at]
            let d: UInt32
            switch b {
            case 0x30...0x39: d = UInt32(b - 0x30)
            case 0x41...0x46: d = UInt32(b - 0x41 + 10)
            case 0x61...0x66: d = UInt32(b - 0x61 + 10)
            default: throw error("bad \\u escape")
            }
            v = v << 4 | d
            at += 1
        }
        return v
    }

    mutating func string() throws(JSONError) -> String {
        at += 1
        var out: [UInt8] = []
        let start = at
        // The common case: no escapes, copy the run whole.
        while at < bytes.count, bytes[at] != 0x22, bytes[at] != 0x5C, bytes[at] >= 0x20 { at += 1 }
        out += bytes[start..<at]
        while true {
            guard at < bytes.count else { throw error("unterminated string") }
            let b = bytes[at]
            if b == 0x22 { at += 1; break }
            if b < 0x20 { throw error("control character in a string") }
            if b != 0x5C { out.append(b); at += 1; continue }
            at += 1
            guard at < bytes.count else { throw error("unterminated string") }
            let e = bytes[at]
            at += 1
            switch e {
            case 0x22, 0x5C, 0x2F: out.append(e)
            case 0x62: out.append(0x08)
            case 0x66: out.append(0x0C)
            case 0x6E: out.append(0x0A)
            case 0x72: out.append(0x0D)
            case 0x74: out.append(0x09)
            case 0x75:
                var scalar = try hex4()
                if (0xD800..<0xDC00).contains(scalar), at + 6 <= bytes.count, bytes[at] == 0x5C, bytes[at + 1] == 0x75 {
                    let save = at
                    at += 2
                    let low = try hex4()
                    if (0xDC00..<0xE000).contains(low) {
                        scalar = 0x10000 + ((scalar - 0xD800) << 10) + (low - 0xDC00)
                    } else {
                        at = save
                    }
                }
                // A lone surrogate becomes U+FFFD rather than an error: the text stays readable.
                let u = Unicode.Scalar(scalar) ?? "\u{FFFD}"
                out += Array(String(Character(u)).utf8)
            default: throw error("bad escape")
            }
        }
        return String(decoding: out, as: UTF8.self)
    }
}
