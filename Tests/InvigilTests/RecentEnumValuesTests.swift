import Testing

@testable import Invigil

/// The scanner's memory of each enum field's last value (`RecentEnumValues`) against a plain
/// reference: a dictionary from slot to the last bytes remembered and their index. Generated
/// values of every length around the packing's cases (0–3, 4–7, 8–16 bytes, and longer ones it
/// never keeps) over a small alphabet, so that near misses (same length, one byte apart; one a
/// prefix of the other) are common.
@Suite("Event JSON: recent enum values")
struct RecentEnumValuesTests {
    @Test func answersAsTheLastRememberedValueDoes() {
        var rng = SplitMix(seed: 16)
        func pick(_ bound: Int) -> Int { Int(rng.next() % UInt64(bound)) }
        // A pool of values with many near misses: every length from 0 to 20, each with variants
        // that differ in one byte (first, middle or last) or are one byte shorter.
        var pool: [[UInt8]] = []
        for length in 0...20 {
            let base = (0..<length).map { _ in [0x61, 0x62, 0x00, 0xFF][pick(4)] as UInt8 }
            pool.append(base)
            for position in Set([0, length / 2, length - 1]) where length > 0 {
                var variant = base
                variant[position] ^= 0x01
                pool.append(variant)
            }
            if length > 0 { pool.append(Array(base.dropLast())) }
        }
        let slots = 5
        let recent = RecentEnumValues(slotCount: slots)
        var reference: [Int: ([UInt8], Int32)] = [:]
        var hits = 0, misses = 0, wrong = 0
        for _ in 0..<40_000 {
            let slot = pick(slots)
            let value = pool[pick(pool.count)]
            let found = value.withUnsafeBufferPointer { recent.index(of: $0, slot: slot) }
            let expected: Int32? = reference[slot].flatMap { $0.0 == value ? $0.1 : nil }
            if found != expected { wrong += 1 }
            if found != nil { hits += 1 } else { misses += 1 }
            if pick(3) == 0 {
                let index = Int32(pick(100))
                value.withUnsafeBufferPointer { recent.remember($0, index: index, slot: slot) }
                // Values longer than the memory holds are not remembered: the last shorter one stays.
                if value.count <= RecentEnumValues.longest { reference[slot] = (value, index) }
            }
        }
        #expect(wrong == 0)
        #expect(hits > 200 && misses > 1_000)
        // Out-of-range slots are answered with nothing and remember nothing.
        ([0x61] as [UInt8]).withUnsafeBufferPointer { b in
            recent.remember(b, index: 1, slot: slots)
            #expect(recent.index(of: b, slot: slots) == nil)
            #expect(recent.index(of: b, slot: -1) == nil)
        }
    }
}
