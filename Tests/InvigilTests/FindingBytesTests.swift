import Foundation
import InvigilReport
import Testing

/// The JSONL writer's record buffer (`FindingBytes`): its appends, escapes and numbers against
/// naive references over generated inputs, across its growth.
@Suite struct FindingBytesTests {
    /// The escapes as the output contract reads: `\"`, `\\`, `\n`, `\r`, `\t` by name, other
    /// control characters as `\u00XX`, every other byte as itself.
    static func naiveJSONString(_ bytes: [UInt8]) -> [UInt8] {
        var out: [UInt8] = [0x22]
        for b in bytes {
            switch b {
            case 0x22: out += Array("\\\"".utf8)
            case 0x5C: out += Array("\\\\".utf8)
            case 0x0A: out += Array("\\n".utf8)
            case 0x0D: out += Array("\\r".utf8)
            case 0x09: out += Array("\\t".utf8)
            case 0..<0x20: out += Array(String(format: "\\u%04x", Int(b)).utf8)
            default: out.append(b)
            }
        }
        out.append(0x22)
        return out
    }

    static func randomText(_ rng: inout SplitMix) -> [UInt8] {
        let n = Int(rng.next() % 90)
        let rate = [0, 2, 10, 50][Int(rng.next() % 4)]
        let multibyte: [[UInt8]] = [Array("é".utf8), Array("€".utf8), Array("😀".utf8)]
        var out: [UInt8] = []
        while out.count < n {
            let r = Int(rng.next() % 100)
            if r < rate {
                out.append([0x22, 0x5C, 0x0A, 0x0D, 0x09, 0x00, 0x01, 0x1F, 0x08, 0x0C][Int(rng.next() % 10)])
            } else if r < rate + 5 {
                out += multibyte[Int(rng.next() % 3)]
            } else {
                out.append(UInt8(0x20 + rng.next() % 0x60))
            }
        }
        return out
    }

    @Test func jsonStringsAreTheNaiveEscapesAndReadBack() throws {
        var rng = SplitMix(seed: 5)
        let record = FindingBytes(capacity: 16)
        for _ in 0..<4000 {
            let text = Self.randomText(&rng)
            record.removeAll()
            text.withUnsafeBufferPointer { record.appendJSONString($0) }
            let written = Array(record.bytes)
            #expect(written == Self.naiveJSONString(text))
            // And as a String: the same bytes.
            record.removeAll()
            record.appendJSONString(String(decoding: text, as: UTF8.self))
            #expect(Array(record.bytes) == written)
            let decoded = try JSONSerialization.jsonObject(with: Data(written), options: [.fragmentsAllowed]) as? String
            #expect(decoded.map { Array($0.utf8) } == text)
        }
    }

    @Test func decimalsAreSwiftsOwn() {
        var rng = SplitMix(seed: 6)
        let record = FindingBytes(capacity: 16)
        var values: [Int] = [0, 1, -1, 9, 10, -10, 99, 100, Int.max, Int.min, Int.max - 1, Int.min + 1]
        for _ in 0..<2000 { values.append(Int(bitPattern: UInt(rng.next())) >> Int(rng.next() % 64)) }
        for v in values {
            record.removeAll()
            record.appendLiteral("x")
            record.appendDecimal(v)
            #expect(Array(record.bytes) == Array("x\(v)".utf8))
        }
    }

    /// A negative number at every distance from the end of the buffer's room: the sign and the
    /// digits' field stay inside it (the address sanitizer checks the writes).
    @Test func negativeDecimalsAtTheEdgeOfTheRoom() {
        for fill in 0..<70 {
            let record = FindingBytes(capacity: 16)
            var expected: [UInt8] = []
            for _ in 0..<fill {
                record.append(0x61)
                expected.append(0x61)
            }
            for v in [Int.min, -1, -1_234_567_890_123] {
                record.appendDecimal(v)
                expected += Array("\(v)".utf8)
            }
            #expect(Array(record.bytes) == expected)
        }
    }

    /// Random appends of every kind, from a buffer made small so that it grows many times, give
    /// what the same appends to an array give.
    @Test func appendsMatchAnArrayAcrossGrowth() {
        var rng = SplitMix(seed: 7)
        for round in 0..<200 {
            let record = FindingBytes(capacity: 1)
            var expected: [UInt8] = []
            if round % 2 == 1 {
                // A reused buffer starts over.
                record.appendLiteral("left over")
                record.removeAll()
            }
            for _ in 0..<Int(rng.next() % 60) {
                switch rng.next() % 5 {
                case 0:
                    let b = UInt8(truncatingIfNeeded: rng.next())
                    record.append(b)
                    expected.append(b)
                case 1:
                    let bytes = (0..<Int(rng.next() % 40)).map { _ in UInt8(truncatingIfNeeded: rng.next()) }
                    record.append(bytes)
                    expected += bytes
                case 2:
                    let bytes = (0..<Int(rng.next() % 300)).map { _ in UInt8(truncatingIfNeeded: rng.next()) }
                    bytes.withUnsafeBufferPointer { record.append($0) }
                    expected += bytes
                case 3:
                    record.appendLiteral(",\"matches\":[")
                    expected += Array(",\"matches\":[".utf8)
                default:
                    let text = Self.randomText(&rng)
                    text.withUnsafeBufferPointer { record.appendJSONString($0) }
                    expected += Self.naiveJSONString(text)
                }
            }
            #expect(Array(record.bytes) == expected)
            #expect(record.bytes.count == expected.count)
        }
    }
}
