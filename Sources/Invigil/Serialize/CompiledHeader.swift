/// The header of a compiled rule file, as `invigil inspect` shows it.
public struct CompiledRulesHeader: Sendable {
    /// The compiled format's version the file was written in.
    public var formatVersion: Int
    /// The version of the engine that wrote the file.
    public var engineVersion: String
    /// Bytes of the payload after the header: the hot part, which a load reads.
    public var payloadLength: Int
    /// The payload's CRC-32C as the header records it.
    public var payloadChecksum: UInt32
    /// Bytes of the cold part after the payload (the examples and conditions, read on first use).
    public var coldLength: Int
    /// The cold part's CRC-32C as the header records it.
    public var coldChecksum: UInt32
    /// Total bytes of the file.
    public var fileLength: Int

    /// Whether `bytes` start like a compiled rule file (the magic): how the command tells a
    /// compiled file from rule sources.
    public static func hasMagic(_ bytes: UnsafeRawBufferPointer) -> Bool {
        bytes.count >= CompiledFormat.magic.count && zip(bytes, CompiledFormat.magic).allSatisfy { $0 == $1 }
    }

    static func u32(_ b: UnsafeRawBufferPointer, _ at: Int) -> UInt32 {
        UInt32(littleEndian: (b.baseAddress! + at).loadUnaligned(as: UInt32.self))
    }

    static func u64(_ b: UnsafeRawBufferPointer, _ at: Int) -> UInt64 {
        UInt64(littleEndian: (b.baseAddress! + at).loadUnaligned(as: UInt64.self))
    }

    /// Reads and checks the header of `bytes` (the whole file): magic, version, byte order,
    /// header checksum and lengths. The payload's checksum is checked by ``verifyPayload(_:)``.
    public init(_ bytes: UnsafeRawBufferPointer) throws(CompiledRulesError) {
        try self.init(bytes, fileLength: bytes.count)
    }

    /// Reads and checks the header of `bytes`, the first bytes of a file of `fileLength` bytes
    /// (a load from a file reads the header and the payload, not the cold part after them).
    init(_ bytes: UnsafeRawBufferPointer, fileLength: Int) throws(CompiledRulesError) {
        let magic = CompiledFormat.magic
        let prefix = min(bytes.count, magic.count)
        guard prefix > 0, zip(bytes.prefix(prefix), magic).allSatisfy({ $0 == $1 }) else {
            throw CompiledRulesError(.notCompiled, "not a compiled rule file (it does not start with the Invigil magic bytes)")
        }
        let H = CompiledFormat.headerLength
        guard bytes.count >= H else {
            throw CompiledRulesError(.truncated, "truncated compiled rule file: \(bytes.count) bytes, shorter than the \(H)-byte header")
        }
        let order = CompiledRulesHeader.u32(bytes, CompiledFormat.byteOrderOffset)
        if order == CompiledFormat.byteOrderMark.byteSwapped {
            throw CompiledRulesError(
                .incompatible, "compiled rule file of the other byte order (big-endian); this machine is little-endian: compile the rules again on it"
            )
        }
        let version = CompiledRulesHeader.u32(bytes, CompiledFormat.versionOffset)
        let engine = CompiledRulesHeader.engineVersion(bytes)
        if version != CompiledFormat.version {
            throw CompiledRulesError(
                .incompatible,
                "compiled rule file of format version \(version) (written by invigil \(engine)); this invigil \(RuleSet.engineVersion) reads format version \(CompiledFormat.version): compile the rules again"
            )
        }
        guard order == CompiledFormat.byteOrderMark else {
            throw CompiledRulesError(.corrupted, "corrupted compiled rule file: header: byte order mark \(checksumText(order))")
        }
        var copy = [UInt8](bytes.prefix(H))
        for i in 0..<4 { copy[CompiledFormat.headerChecksumOffset + i] = 0 }
        let recorded = CompiledRulesHeader.u32(bytes, CompiledFormat.headerChecksumOffset)
        let actual = CRC32C.checksum(copy)
        guard recorded == actual else {
            throw CompiledRulesError(
                .corrupted, "corrupted compiled rule file: header checksum is \(checksumText(actual)), the header records \(checksumText(recorded))")
        }
        guard Int(CompiledRulesHeader.u32(bytes, CompiledFormat.headerLengthOffset)) == H,
            CompiledRulesHeader.u32(bytes, CompiledFormat.flagsOffset) == 0,
            CompiledRulesHeader.u32(bytes, CompiledFormat.reservedOffset) == 0
        else { throw CompiledRulesError(.corrupted, "corrupted compiled rule file: header: unknown length or flags") }
        let length = CompiledRulesHeader.u64(bytes, CompiledFormat.payloadLengthOffset)
        let cold = CompiledRulesHeader.u64(bytes, CompiledFormat.coldLengthOffset)
        let limit = UInt64(CompiledFormat.maximumFileBytes)
        guard length <= limit, cold >= UInt64(CompiledFormat.coldTieLength), cold <= limit else {
            throw CompiledRulesError(.corrupted, "corrupted compiled rule file: header: payload length \(length), cold part length \(cold)")
        }
        let have = fileLength - H
        if have < Int(length) {
            throw CompiledRulesError(.truncated, "truncated compiled rule file: the payload has \(have) of \(length) bytes")
        }
        if have - Int(length) < Int(cold) {
            throw CompiledRulesError(
                .truncated, "truncated compiled rule file: the cold part (examples and conditions) has \(have - Int(length)) of \(cold) bytes")
        }
        if have > Int(length + cold) {
            throw CompiledRulesError(
                .corrupted, "corrupted compiled rule file: \(have - Int(length + cold)) bytes after the \(length + cold)-byte payload and cold part")
        }
        // A file that shrank while it was read (its length was taken first).
        if bytes.count - H < Int(length) {
            throw CompiledRulesError(.truncated, "truncated compiled rule file: the payload has \(bytes.count - H) of \(length) bytes")
        }
        formatVersion = Int(version)
        engineVersion = engine
        payloadLength = Int(length)
        payloadChecksum = CompiledRulesHeader.u32(bytes, CompiledFormat.payloadChecksumOffset)
        coldLength = Int(cold)
        coldChecksum = CompiledRulesHeader.u32(bytes, CompiledFormat.coldChecksumOffset)
        self.fileLength = fileLength
    }

    /// Where the cold part starts in the file.
    public var coldOffset: Int { CompiledFormat.headerLength + payloadLength }

    /// The engine version field, printable whatever it holds.
    static func engineVersion(_ bytes: UnsafeRawBufferPointer) -> String {
        let field = bytes[CompiledFormat.engineVersionOffset..<(CompiledFormat.engineVersionOffset + CompiledFormat.engineVersionLength)]
        let text = field.prefix { $0 != 0 }.map { $0 >= 0x20 && $0 < 0x7F ? $0 : UInt8(ascii: "?") }
        return text.isEmpty ? "?" : String(decoding: text, as: UTF8.self)
    }

    /// Checks the payload's CRC-32C (`computed`: already computed over the bytes after the
    /// header, which the header check has found to be exactly the payload).
    public func verifyPayload(_ bytes: UnsafeRawBufferPointer, computed: UInt32? = nil) throws(CompiledRulesError) {
        let payload = UnsafeRawBufferPointer(rebasing: bytes[CompiledFormat.headerLength..<(CompiledFormat.headerLength + payloadLength)])
        let actual = computed ?? CRC32C.checksum(payload)
        guard actual == payloadChecksum else {
            throw CompiledRulesError(
                .corrupted,
                "corrupted compiled rule file: payload checksum (CRC-32C) is \(checksumText(actual)), the header records \(checksumText(payloadChecksum))"
            )
        }
    }
}

extension CompiledRulesHeader {
    /// Checks the cold part's bytes (`cold`, exactly ``coldLength`` of them): its CRC-32C against
    /// the header's, and its first bytes, the payload's length and CRC-32C, against the
    /// header's, so that a cold part is only ever used with the hot part it was written with.
    public func verifyCold(_ cold: UnsafeRawBufferPointer) throws(CompiledRulesError) {
        guard cold.count == coldLength else {
            throw CompiledRulesError(
                .truncated, "truncated compiled rule file: the cold part (examples and conditions) has \(cold.count) of \(coldLength) bytes")
        }
        let actual = CRC32C.checksum(cold)
        guard actual == coldChecksum else {
            throw CompiledRulesError(
                .corrupted,
                "corrupted compiled rule file: cold part (examples and conditions) checksum (CRC-32C) is \(checksumText(actual)), the header records \(checksumText(coldChecksum))"
            )
        }
        let tiedLength = CompiledRulesHeader.u64(cold, 0)
        let tiedChecksum = CompiledRulesHeader.u32(cold, 8)
        guard tiedLength == UInt64(payloadLength), tiedChecksum == payloadChecksum, CompiledRulesHeader.u32(cold, 12) == 0 else {
            throw CompiledRulesError(
                .corrupted,
                "corrupted compiled rule file: the cold part (examples and conditions) was written with another payload (\(tiedLength) bytes, CRC-32C \(checksumText(tiedChecksum)))"
            )
        }
    }
}

/// `0x` and eight hex digits.
func checksumText(_ v: UInt32) -> String {
    let digits = String(v, radix: 16)
    return "0x" + String(repeating: "0", count: max(0, 8 - digits.count)) + digits
}
