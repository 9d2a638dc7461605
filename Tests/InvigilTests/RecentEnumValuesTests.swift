import Testing

@testable import Invigil

/// The scanner's memory of each enum field's recent values (`RecentEnumValues`) against a plain
/// reference: a dictionary from slot and bytes to the index last remembered for them. The memory
/// may forget a value (another took its entry), but what it answers is always the reference's
/// answer, and the value remembered last is always answered. Generated values of every length
/// around the packing's cases (0–3, 4–7, 8–16 bytes, and longer ones it never keeps) over a
/// small alphabet, so that near misses (same length, one byte apart; one a prefix of the other)
/// are common.
@Suite("Event JSON: recent enum values")
struct RecentEnumValuesTests {
    @Test func answersAsTheReferenceDoesOrNotAtAll() {
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
        struct Key: Hashable {
            var slot: Int
            var bytes: [UInt8]
        }
        var reference: [Key: Int32] = [:]
        var hits = 0, misses = 0, wrong = 0, forgotten = 0
        for _ in 0..<40_000 {
            let slot = pick(slots)
            let value = pool[pick(pool.count)]
            let found = value.withUnsafeBufferPointer { recent.index(of: $0, slot: slot) }
            if let found {
                hits += 1
                if found != reference[Key(slot: slot, bytes: value)] { wrong += 1 }
            } else {
                misses += 1
            }
            if pick(3) == 0 {
                let index = Int32(pick(100))
                value.withUnsafeBufferPointer { recent.remember($0, index: index, slot: slot) }
                // Values longer than the memory holds are not remembered.
                if value.count <= RecentEnumValues.longest {
                    reference[Key(slot: slot, bytes: value)] = index
                    let again = value.withUnsafeBufferPointer { recent.index(of: $0, slot: slot) }
                    if again != index { forgotten += 1 }
                } else if value.withUnsafeBufferPointer({ recent.index(of: $0, slot: slot) }) != nil {
                    wrong += 1
                }
            }
        }
        #expect(wrong == 0)
        #expect(forgotten == 0)
        #expect(hits > 1_000 && misses > 1_000)
        // Out-of-range slots are answered with nothing and remember nothing.
        ([0x61] as [UInt8]).withUnsafeBufferPointer { b in
            recent.remember(b, index: 1, slot: slots)
            #expect(recent.index(of: b, slot: slots) == nil)
            #expect(recent.index(of: b, slot: -1) == nil)
        }
    }

    /// A field whose events take a few values in turn (a `role` of `staff`, `pupil`, `parent`)
    /// keeps most of them: the one-value memory this replaced answered none of the alternations.
    @Test func keepsSeveralValuesOfAField() {
        let recent = RecentEnumValues(slotCount: 3)
        let values: [[UInt8]] = ["staff", "pupil", "parent", "visitor"].map { Array($0.utf8) }
        for (i, v) in values.enumerated() { v.withUnsafeBufferPointer { recent.remember($0, index: Int32(i), slot: 1) } }
        var kept = 0
        for (i, v) in values.enumerated() {
            let found = v.withUnsafeBufferPointer { recent.index(of: $0, slot: 1) }
            if let found {
                #expect(found == Int32(i))
                kept += 1
            }
            // Another field's memory is apart.
            #expect(v.withUnsafeBufferPointer { recent.index(of: $0, slot: 0) } == nil)
        }
        #expect(kept >= 2)
    }
}
