#if canImport(Glibc)
import Glibc
#endif
#if canImport(InvigilSIMD)
import InvigilSIMD
#endif

/// The bytes of one finding record as it is written: a growable buffer whose appends are inlined
/// into the writer.
///
/// The JSONL writer makes some forty small appends per finding (keys, names, numbers, short
/// strings). On `[UInt8]` each was a call of about a hundred instructions (the uniqueness check,
/// the generic copy, `memcpy`), a tenth of a finding's cost. Here an append is a capacity check
/// and a copy; the finished record goes into the task's output in one append.
///
/// ```swift
/// let record = FindingBytes()
/// record.appendLiteral("{\"event\":")
/// record.appendJSONString("e-1")
/// record.appendLiteral("}\n")
/// output.append(contentsOf: record.bytes)   // {"event":"e-1"}
/// ```
///
/// One per writing thread, reused: not safe to share between threads.
public final class FindingBytes {
    // Inlinable into the writer, in another module: the appends are a few instructions each.
    // (Public, not `package`: the optimiser did not inline the `package` form across modules.)
    @exclusivity(unchecked) @usableFromInline var base: UnsafeMutablePointer<UInt8>
    @exclusivity(unchecked) @usableFromInline var count = 0
    @exclusivity(unchecked) @usableFromInline var capacity: Int

    public init(capacity: Int = 4096) {
        self.capacity = max(16, capacity)
        base = .allocate(capacity: self.capacity)
    }

    deinit { base.deallocate() }

    /// The bytes appended since the last `removeAll()`, valid until the next append.
    @inlinable public var bytes: UnsafeBufferPointer<UInt8> { UnsafeBufferPointer(start: base, count: count) }

    /// Forgets the bytes, keeping the memory.
    @inlinable @inline(__always) public func removeAll() { count = 0 }

    /// Room for `n` more bytes.
    @inlinable @inline(__always) func reserve(_ n: Int) {
        if n > capacity &- count { grow(to: count + n) }
    }

    @usableFromInline @inline(never) func grow(to needed: Int) {
        let bigger = max(needed, capacity * 2)
        let fresh = UnsafeMutablePointer<UInt8>.allocate(capacity: bigger)
        fresh.update(from: base, count: count)
        base.deallocate()
        base = fresh
        capacity = bigger
    }

    @inlinable @inline(__always) public func append(_ byte: UInt8) {
        reserve(1)
        base[count] = byte
        count &+= 1
    }

    @inlinable @inline(__always) public func append(_ bytes: UnsafeBufferPointer<UInt8>) {
        guard let source = bytes.baseAddress, bytes.count > 0 else { return }
        reserve(bytes.count)
        (base + count).update(from: source, count: bytes.count)
        count &+= bytes.count
    }

    @inlinable @inline(__always) public func append(_ bytes: [UInt8]) {
        bytes.withUnsafeBufferPointer { append($0) }
    }

    /// Appends a string literal's UTF-8 bytes as they are (JSON keys and punctuation).
    @inlinable @inline(__always) public func appendLiteral(_ literal: StaticString) {
        append(UnsafeBufferPointer(start: literal.utf8Start, count: literal.utf8CodeUnitCount))
    }

    /// Appends the decimal digits of `value`, with a minus sign when negative.
    @inlinable public func appendDecimal(_ value: Int) {
        reserve(21)  // a sign, and a 20-byte field for the digits (at most 19)
        var magnitude = value.magnitude
        if value < 0 { base[count] = 0x2D; count &+= 1 }
        // The digits are written from the end of a 20-byte field, then moved to its start.
        let end = count + 20
        var start = end
        repeat {
            start -= 1
            base[start] = UInt8(truncatingIfNeeded: magnitude % 10) &+ 0x30
            magnitude /= 10
        } while magnitude > 0
        let digits = end - start
        if start != count { (base + count).update(from: base + start, count: digits) }
        count &+= digits
    }

    /// Appends `text` (UTF-8) as a JSON string literal: quoted, with `JSONEscape`'s escapes.
    @inlinable public func appendJSONString(_ text: UnsafeBufferPointer<UInt8>) {
        append(0x22)
        if let source = text.baseAddress {
            var position = 0
            while true {
                let stop = JSONEscape.plainEnd(source, from: position, count: text.count)
                if stop > position { append(UnsafeBufferPointer(start: source + position, count: stop - position)) }
                if stop == text.count { break }
                reserve(JSONEscape.longest)
                count &+= JSONEscape.write(source[stop], to: base + count)
                position = stop + 1
            }
        }
        append(0x22)
    }

    /// Appends a `String` as a JSON string literal; see `appendJSONString(_:)` on bytes.
    @inlinable public func appendJSONString(_ text: String) {
        var text = text
        text.withUTF8 { appendJSONString($0) }
    }
}

/// How a JSON string literal writes a byte that cannot stand for itself: the one definition the
/// finding writers share.
public enum JSONEscape {
    /// The longest escape, `\u001f`.
    public static let longest = 6

    /// The index of the first byte at or after `from` that needs an escape (a quote, a backslash
    /// or a control character), or `count`.
    @inlinable @inline(__always)
    public static func plainEnd(_ bytes: UnsafePointer<UInt8>, from: Int, count: Int) -> Int {
        #if canImport(InvigilSIMD)
        return Int(ivg_json_plain_end(bytes, from, count))
        #else
        var i = from
        while i < count, !needsEscape(bytes[i]) { i += 1 }
        return i
        #endif
    }

    /// Whether `byte` needs an escape in a JSON string.
    @inlinable @inline(__always) public static func needsEscape(_ byte: UInt8) -> Bool {
        byte == 0x22 || byte == 0x5C || byte < 0x20
    }

    /// Writes the escape of `byte` (one that `needsEscape`) at `out`; returns its length. `\"`,
    /// `\\`, `\n`, `\r` and `\t` by name, other control characters as `\u00XX`.
    @inlinable @inline(__always) public static func write(_ byte: UInt8, to out: UnsafeMutablePointer<UInt8>) -> Int {
        out[0] = 0x5C
        switch byte {
        case 0x22: out[1] = 0x22
        case 0x5C: out[1] = 0x5C
        case 0x0A: out[1] = 0x6E
        case 0x0D: out[1] = 0x72
        case 0x09: out[1] = 0x74
        default:
            let hex: StaticString = "0123456789abcdef"
            let digits = hex.utf8Start
            out[1] = 0x75
            out[2] = 0x30
            out[3] = 0x30
            out[4] = digits[Int(byte >> 4)]
            out[5] = digits[Int(byte & 15)]
            return 6
        }
        return 2
    }
}
