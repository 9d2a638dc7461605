@testable import InvigilArchive

/// A small DEFLATE encoder written for the tests as a reference for `Inflate`: it emits stored and
/// fixed-Huffman blocks (RFC 1951 §3.2.4, §3.2.6) at sizes a random generator picks, with a plain
/// LZ77 search, so that what it writes is known to decode to its input. Dynamic-Huffman blocks
/// come from zlib's fixtures instead (Tests/Fixtures/archive/whatsapp-zip/inflate-cases.zip).
struct DeflateReference {
    private(set) var bytes: [UInt8] = []
    private var buffer: UInt64 = 0
    private var count = 0

    /// `n` bits of `value`, first bit lowest.
    mutating func put(_ value: Int, _ n: Int) {
        buffer |= UInt64(value) << UInt64(count)
        count += n
        while count >= 8 {
            bytes.append(UInt8(truncatingIfNeeded: buffer))
            buffer >>= 8
            count -= 8
        }
    }

    /// A Huffman code of `length` bits: most significant bit first.
    mutating func putCode(_ code: Int, _ length: Int) {
        for i in stride(from: length - 1, through: 0, by: -1) { put((code >> i) & 1, 1) }
    }

    mutating func align() { if count > 0 { put(0, 8 - count) } }

    mutating func storedBlock(_ data: ArraySlice<UInt8>, final: Bool) {
        precondition(data.count <= 0xFFFF)
        put(final ? 1 : 0, 1)
        put(0, 2)
        align()
        put(data.count, 16)
        put(data.count ^ 0xFFFF, 16)
        bytes += data
    }

    mutating func fixedLiteral(_ symbol: Int) {
        switch symbol {
        case 0...143: putCode(0x30 + symbol, 8)
        case 144...255: putCode(0x190 + symbol - 144, 9)
        case 256...279: putCode(symbol - 256, 7)
        default: putCode(0xC0 + symbol - 280, 8)
        }
    }

    mutating func fixedMatch(length: Int, distance: Int) {
        var l = Inflate.lengthBase.lastIndex { $0 <= length }!
        if length == 258 { l = 28 } else if l == 28 { l = 27 }
        fixedLiteral(257 + l)
        put(length - Inflate.lengthBase[l], Inflate.lengthExtra[l])
        let d = Inflate.distanceBase.lastIndex { $0 <= distance }!
        putCode(d, 5)
        put(distance - Inflate.distanceBase[d], Inflate.distanceExtra[d])
    }

    /// A fixed-Huffman block of `data[start..<end]`, with matches that may reach back into earlier
    /// blocks (to the start of `data`, at most 32,768 bytes).
    mutating func fixedBlock(_ data: [UInt8], _ start: Int, _ end: Int, final: Bool, matches: Bool) {
        put(final ? 1 : 0, 1)
        put(1, 2)
        var i = start
        while i < end {
            var bestLength = 0, bestDistance = 0
            if matches && end - i >= 3 {
                // Plain search: every earlier position in the window with the same first byte,
                // nearest first, up to a budget (a reference needs to be right, not fast).
                var j = i - 1
                var tried = 0
                while j >= max(0, i - 32768) && tried < 64 {
                    if data[j] == data[i] {
                        tried += 1
                        var n = 0
                        while n < 258 && i + n < end && data[j + n] == data[i + n] { n += 1 }
                        if n > bestLength { bestLength = n; bestDistance = i - j }
                    }
                    j -= 1
                }
            }
            if bestLength >= 3 {
                fixedMatch(length: bestLength, distance: bestDistance)
                i += bestLength
            } else {
                fixedLiteral(Int(data[i]))
                i += 1
            }
        }
        fixedLiteral(256)
    }

    /// Compresses `data` into blocks of random kinds and sizes (some empty).
    static func compress(_ data: [UInt8], using rng: inout some RandomNumberGenerator) -> [UInt8] {
        var encoder = DeflateReference()
        var i = 0
        repeat {
            let size = min(data.count - i, Int.random(in: 0...max(1, min(70_000, data.count)), using: &rng))
            let final = i + size == data.count && Bool.random(using: &rng)
            switch Int.random(in: 0..<3, using: &rng) {
            case 0 where size <= 0xFFFF: encoder.storedBlock(data[i..<(i + size)], final: final)
            case 1: encoder.fixedBlock(data, i, i + size, final: final, matches: false)
            default: encoder.fixedBlock(data, i, i + size, final: final, matches: true)
            }
            i += size
            if final { break }
            if i == data.count {
                encoder.fixedBlock(data, i, i, final: true, matches: false)
                break
            }
        } while true
        encoder.align()
        return encoder.bytes
    }
}

/// A deterministic generator (SplitMix64) so that failures can be replayed from their seed.
struct SeededGenerator: RandomNumberGenerator {
    var state: UInt64
    init(seed: UInt64) { state = seed }
    mutating func next() -> UInt64 {
        state &+= 0x9E37_79B9_7F4A_7C15
        var z = state
        z = (z ^ (z >> 30)) &* 0xBF58_476D_1CE4_E5B9
        z = (z ^ (z >> 27)) &* 0x94D0_49BB_1331_11EB
        return z ^ (z >> 31)
    }
}

/// Writes zip archives for the tests, with every field under the test's control (sizes, flags,
/// method and disk numbers may lie).
struct TestZip {
    struct Entry {
        var name: String
        var data: [UInt8]
        /// The bytes stored (the data itself, or its deflate stream).
        var packed: [UInt8]
        var method: UInt16 = 0
        var flags: UInt16 = 0
        var crc: UInt32? = nil
        var declaredSize: Int? = nil

        static func stored(_ name: String, _ data: [UInt8]) -> Entry { Entry(name: name, data: data, packed: data) }

        static func deflated(_ name: String, _ data: [UInt8]) -> Entry {
            var rng = SeededGenerator(seed: UInt64(data.count))
            return Entry(name: name, data: data, packed: DeflateReference.compress(data, using: &rng), method: 8)
        }
    }

    static func le16(_ v: Int, _ out: inout [UInt8]) { out += [UInt8(v & 0xFF), UInt8((v >> 8) & 0xFF)] }
    static func le32(_ v: Int, _ out: inout [UInt8]) { le16(v & 0xFFFF, &out); le16((v >> 16) & 0xFFFF, &out) }

    static func make(_ entries: [Entry], disk: Int = 0, countOverride: Int? = nil) -> [UInt8] {
        var out: [UInt8] = []
        var central: [UInt8] = []
        for e in entries {
            let offset = out.count
            let crc = Int(e.crc ?? CRC32.checksum(e.data))
            let size = e.declaredSize ?? e.data.count
            let name = Array(e.name.utf8)
            out += [0x50, 0x4B, 0x03, 0x04]
            le16(20, &out); le16(Int(e.flags), &out); le16(Int(e.method), &out); le16(0, &out); le16(0, &out)
            le32(crc, &out); le32(e.packed.count, &out); le32(size, &out); le16(name.count, &out); le16(0, &out)
            out += name
            out += e.packed
            central += [0x50, 0x4B, 0x01, 0x02]
            le16(20, &central); le16(20, &central); le16(Int(e.flags), &central); le16(Int(e.method), &central)
            le16(0, &central); le16(0, &central); le32(crc, &central); le32(e.packed.count, &central); le32(size, &central)
            le16(name.count, &central); le16(0, &central); le16(0, &central); le16(0, &central); le16(0, &central)
            le32(0, &central); le32(offset, &central)
            central += name
        }
        let directoryOffset = out.count
        out += central
        out += [0x50, 0x4B, 0x05, 0x06]
        le16(disk, &out); le16(disk, &out)
        le16(countOverride ?? entries.count, &out); le16(countOverride ?? entries.count, &out)
        le32(central.count, &out); le32(directoryOffset, &out); le16(0, &out)
        return out
    }
}
