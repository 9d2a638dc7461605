import Testing

@testable import Invigil

/// The scanner's own storage (`StringTables`, `EventValues`) against the plain
/// structures it stands for, on generated inputs.
@Suite("Scanner storage")
struct ScannerStorageTests {
    struct Generator {
        var state: UInt64
        mutating func next(_ bound: Int) -> Int {
            state = state &* 6_364_136_223_846_793_005 &+ 1_442_695_040_888_963_407
            return Int(state >> 33) % bound
        }
        /// Short strings over a small alphabet, so that tables collide and look-ups of absent
        /// strings are often near misses (same length, one byte off; prefixes).
        mutating func string() -> [UInt8] {
            let alphabet = Array("ab.cA-\u{0}é".utf8)
            return (0..<next(12)).map { _ in alphabet[next(alphabet.count)] }
        }
    }

    /// Every look-up in every table agrees with `ByteStringTable.find` on the same strings:
    /// tables of 0 to 80 strings with repeats, keys present and absent, each looked up twice in a
    /// row and followed by an earlier one.
    /// The hash's tail, read by at most three loads, against the byte loop it replaced: the same
    /// value for every length to 40 and every offset in a buffer (loads stay inside the key).
    @Test func hashAgreesWithItsByteLoop() {
        func reference(_ bytes: ArraySlice<UInt8>) -> UInt64 {
            let key = Array(bytes)
            var h: UInt64 = 0x9E37_79B9_7F4A_7C15 ^ UInt64(key.count)
            var i = 0
            while i + 8 <= key.count {
                var word: UInt64 = 0
                for k in 0..<8 { word |= UInt64(key[i + k]) << UInt64(8 * k) }
                h = (h ^ word) &* 0xBF58_476D_1CE4_E5B9
                h ^= h >> 31
                i += 8
            }
            var tail: UInt64 = 0
            var shift: UInt64 = 0
            while i < key.count {
                tail |= UInt64(key[i]) << shift
                shift += 8
                i += 1
            }
            h = (h ^ tail) &* 0x94D0_49BB_1331_11EB
            h ^= h >> 32
            h &*= 0xD6E8_FEB8_6659_FD93
            return h ^ (h >> 32)
        }
        var rng = SystemRandomNumberGenerator()
        let buffer = (0..<64).map { _ in UInt8.random(in: 0...255, using: &rng) }
        for offset in 0..<8 {
            for length in 0...40 {
                let slice = buffer[offset..<(offset + length)]
                let got = Array(slice).withUnsafeBufferPointer { ByteStringTable.hash($0) }
                let inPlace = buffer.withUnsafeBufferPointer { ByteStringTable.hash(UnsafeBufferPointer(rebasing: $0[offset..<(offset + length)])) }
                #expect(got == reference(slice) && inPlace == got, "length \(length) offset \(offset)")
            }
        }
    }

    @Test func stringTablesAgreeWithByteStringTable() {
        var g = Generator(state: 5)
        for _ in 0..<60 {
            let tables = (0..<g.next(6)).map { _ in (0..<g.next(81)).map { _ in g.string() } }
            let reference = tables.map { ByteStringTable($0) }
            let flat = StringTables(reference)
            #expect(flat.tableCount == tables.count)
            for (t, table) in tables.enumerated() {
                #expect(reference[t].strings.count == reference[t].count)
                var keys = table
                for _ in 0..<100 { keys.append(g.string()) }
                // Each key twice in a row, then an earlier one: a look-up leaves nothing behind
                // that changes the next.
                for (k, key) in keys.enumerated() {
                    for probe in [key, key, keys[g.next(k + 1)]] {
                        let expected = reference[t].find(probe)
                        let got = probe.withUnsafeBufferPointer { flat.find($0, in: t) }
                        #expect(got == expected, "table \(t), key \(probe)")
                        if let i = expected { #expect(reference[t].strings[i] == probe) }
                    }
                }
            }
        }
    }

    /// Random appends, clears and replacements of values, field by field, against an array of
    /// arrays: the same values, counts, first and last values and largest element.
    @Test func eventValuesAgreeWithArraysOfArrays() {
        var g = Generator(state: 9)
        for round in 0..<40 {
            let fieldCount = 1 + g.next(7)
            let store = EventValues(fieldCount: fieldCount)
            var model = [[EventValue]](repeating: [], count: fieldCount)
            var maxElement = [Int32](repeating: -1, count: fieldCount)
            for _ in 0..<2_000 {
                let f = g.next(fieldCount)
                switch g.next(10) {
                case 0:
                    store.removeAll(f)
                    model[f].removeAll()
                    maxElement[f] = -1
                case 1 where !model[f].isEmpty:
                    let i = g.next(model[f].count)
                    let v = EventValue(element: model[f][i].element, a: Int64(g.next(1000)), b: 7)
                    store[f, i] = v
                    model[f][i] = v
                case 2:
                    store.removeAllFields()
                    model = model.map { _ in [] }
                    maxElement = maxElement.map { _ in -1 }
                default:
                    let v = EventValue(element: Int32(g.next(50)), a: Int64(g.next(1 << 20)), b: Int64(round))
                    store.append(f, v)
                    model[f].append(v)
                    maxElement[f] = max(maxElement[f], v.element)
                }
                for field in 0..<fieldCount {
                    #expect(store.count(field) == model[field].count)
                    #expect(store.isEmpty(field) == model[field].isEmpty)
                    #expect(store.maxElement(field) == maxElement[field])
                    #expect(store.first(field).map(\.a) == model[field].first.map(\.a))
                    #expect(store.last(field).map(\.a) == model[field].last.map(\.a))
                }
                #expect(store.of(f).map(\.a) == model[f].map(\.a))
                #expect(store.of(f).map(\.element) == model[f].map(\.element))
            }
        }
    }
}
