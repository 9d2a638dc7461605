/// Reads what ``ByteWriter`` wrote, checking every length against the bytes that remain: a
/// damaged file makes it throw, never read past its buffer.
struct ByteReader {
    let base: UnsafeRawPointer
    let end: Int
    var offset: Int
    /// Where in the file the error is (the section's name), for messages.
    let context: String

    init(_ buffer: UnsafeRawBufferPointer, from start: Int = 0, context: String) {
        base = buffer.baseAddress ?? UnsafeRawPointer(bitPattern: 8)!
        end = buffer.count
        offset = start
        self.context = context
    }

    var remaining: Int { end - offset }
    var isAtEnd: Bool { offset == end }

    /// The error for a damaged section. Names read from the file may hold anything: control
    /// characters are escaped and long messages cut, so that the message stays one short line.
    func corrupted(_ what: String) -> CompiledRulesError {
        var text = ""
        for u in what.unicodeScalars.prefix(300) {
            if u.value < 0x20 || u.value == 0x7F || (u.value >= 0x80 && u.value < 0xA0) || u == "\u{2028}" || u == "\u{2029}" {
                text += "\\u{" + String(u.value, radix: 16) + "}"
            } else {
                text.unicodeScalars.append(u)
            }
        }
        return CompiledRulesError(.corrupted, "corrupted compiled rule file: \(context): \(text)")
    }

    @inline(__always)
    mutating func need(_ n: Int, _ what: @autoclosure () -> String) throws(CompiledRulesError) {
        if n < 0 || n > remaining { throw pastTheEnd(what()) }
    }

    /// The error of a read past the section, out of line so that the checks inline small.
    @inline(never)
    func pastTheEnd(_ what: String) -> CompiledRulesError { corrupted("\(what) runs past the end of the section") }

    @inline(__always)
    mutating func u8(_ what: @autoclosure () -> String = "byte") throws(CompiledRulesError) -> UInt8 {
        try need(1, what())
        let v = base.load(fromByteOffset: offset, as: UInt8.self)
        offset += 1
        return v
    }

    @inline(__always)
    mutating func bool(_ what: @autoclosure () -> String = "flag") throws(CompiledRulesError) -> Bool {
        let v = try u8(what())
        guard v <= 1 else { throw corrupted("\(what()) is \(v), not 0 or 1") }
        return v == 1
    }

    @inline(__always)
    mutating func u32(_ what: @autoclosure () -> String = "integer") throws(CompiledRulesError) -> UInt32 {
        try need(4, what())
        let v = UInt32(littleEndian: (base + offset).loadUnaligned(as: UInt32.self))
        offset += 4
        return v
    }

    @inline(__always)
    mutating func u64(_ what: @autoclosure () -> String = "integer") throws(CompiledRulesError) -> UInt64 {
        try need(8, what())
        let v = UInt64(littleEndian: (base + offset).loadUnaligned(as: UInt64.self))
        offset += 8
        return v
    }

    mutating func i64(_ what: @autoclosure () -> String = "integer") throws(CompiledRulesError) -> Int64 { Int64(bitPattern: try u64(what())) }
    mutating func i32(_ what: @autoclosure () -> String = "integer") throws(CompiledRulesError) -> Int32 { Int32(bitPattern: try u32(what())) }

    /// An index that must be below `limit`.
    @inline(__always)
    mutating func index(_ limit: Int, _ what: @autoclosure () -> String) throws(CompiledRulesError) -> Int {
        let v = Int(try u32(what()))
        guard v < limit else { throw corrupted("\(what()) \(v) is out of range (\(limit) defined)") }
        return v
    }

    /// An index stored in one byte that must be below `limit`.
    @inline(__always)
    mutating func smallIndex(_ limit: Int, _ what: @autoclosure () -> String) throws(CompiledRulesError) -> Int {
        let v = Int(try u8(what()))
        guard v < limit else { throw corrupted("\(what()) \(v) is out of range (\(limit) defined)") }
        return v
    }

    /// A count of items that each take at least `minimumBytes`: checked against the bytes that
    /// remain before anything is allocated for them.
    @inline(__always)
    mutating func count(_ what: @autoclosure () -> String, minimumBytes: Int) throws(CompiledRulesError) -> Int {
        let n = Int(try u32("count of \(what())"))
        if n > remaining / max(1, minimumBytes) { throw corrupted("count of \(what()) (\(n)) exceeds the section") }
        return n
    }

    mutating func data(_ what: @autoclosure () -> String) throws(CompiledRulesError) -> [UInt8] {
        let n = Int(try u32("length of \(what())"))
        try need(n, what())
        let v = [UInt8](UnsafeRawBufferPointer(start: base + offset, count: n))
        offset += n
        return v
    }

    /// Steps over what `data` would read.
    @inline(__always)
    mutating func skipData(_ what: @autoclosure () -> String) throws(CompiledRulesError) {
        let n = Int(try u32("length of \(what())"))
        try need(n, what())
        offset += n
    }

    /// A string, which must be valid UTF-8.
    mutating func string(_ what: @autoclosure () -> String) throws(CompiledRulesError) -> String {
        let n = Int(try u32("length of \(what())"))
        try need(n, what())
        let bytes = UnsafeRawBufferPointer(start: base + offset, count: n).assumingMemoryBound(to: UInt8.self)
        guard validUTF8(bytes) else { throw corrupted("\(what()) is not valid UTF-8") }
        offset += n
        // Checked above: decoding repairs nothing. (`String(validating:as:)` is generic and was
        // a sixth of a load, most of it in metadata look-ups.)
        return String(decoding: bytes, as: UTF8.self)
    }

    /// Steps over what `string` would read, checking it as `string` does without building it.
    @inline(__always)
    mutating func skipString(_ what: @autoclosure () -> String) throws(CompiledRulesError) {
        let n = Int(try u32("length of \(what())"))
        try need(n, what())
        let bytes = UnsafeRawBufferPointer(start: base + offset, count: n).assumingMemoryBound(to: UInt8.self)
        guard validUTF8(bytes) else { throw corrupted("\(what()) is not valid UTF-8") }
        offset += n
    }

    mutating func optionalString(_ what: @autoclosure () -> String) throws(CompiledRulesError) -> String? {
        try bool("presence of \(what())") ? try string(what()) : nil
    }

    mutating func strings(_ what: @autoclosure () -> String) throws(CompiledRulesError) -> [String] {
        let n = try count(what(), minimumBytes: 4)
        var out: [String] = []
        out.reserveCapacity(n)
        for _ in 0..<n { out.append(try string(what())) }
        return out
    }

    mutating func align() throws(CompiledRulesError) {
        let pad = (8 - offset % 8) % 8
        try need(pad, "padding")
        offset += pad
    }

    /// A pointer to `count` u32 values in place (8-aligned), after checking that they fit.
    mutating func table(_ count: Int, _ what: @autoclosure () -> String) throws(CompiledRulesError) -> UnsafeMutablePointer<UInt32> {
        try align()
        let (bytes, overflow) = count.multipliedReportingOverflow(by: 4)
        if overflow { throw corrupted("\(what()) is too large") }
        try need(bytes, what())
        let p = UnsafeMutableRawPointer(mutating: base + offset).bindMemory(to: UInt32.self, capacity: count)
        offset += bytes
        return p
    }

    mutating func bytesTable(_ count: Int, _ what: @autoclosure () -> String) throws(CompiledRulesError) -> UnsafeMutablePointer<UInt8> {
        try align()
        try need(count, what())
        let p = UnsafeMutableRawPointer(mutating: base + offset).bindMemory(to: UInt8.self, capacity: count)
        offset += count
        return p
    }

    /// `count` u32 values copied into an array.
    mutating func array(_ count: Int, _ what: @autoclosure () -> String) throws(CompiledRulesError) -> [UInt32] {
        let p = try table(count, what())
        return Array(UnsafeBufferPointer(start: p, count: count))
    }
}

extension ByteReader {
    /// The next entry of a section table (id, flags, length, then the section's bytes, aligned):
    /// the section's id, its flags, and where its bytes are. `container` names what holds the
    /// table in the message of a section that runs past its end.
    mutating func nextSection(in container: String) throws(CompiledRulesError) -> (id: UInt32, flags: UInt32, bytes: Range<Int>) {
        let id = try u32("section id")
        let flags = try u32("section flags")
        let length = try u64("section length")
        guard length <= UInt64(remaining) else { throw corrupted("section \(id) runs past the end of the \(container)") }
        let start = offset
        offset += Int(length)
        try align()
        return (id, flags, start..<(start + Int(length)))
    }

    /// The error for a section this engine does not know and the file says it needs.
    static func unknownRequiredSection(_ id: UInt32) -> CompiledRulesError {
        CompiledRulesError(
            .incompatible,
            "compiled rule file needs section \(id), which this invigil \(RuleSet.engineVersion) does not know: compile the rules again")
    }
}
