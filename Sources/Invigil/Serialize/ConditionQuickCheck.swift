/// The load's check of the stored conditions, fast path: the same rules as `ConditionCoding.check`
/// (every index in range, every comparison of a type the checker allows, `any` not nested, depth
/// bounded, every list or detector test one of the program's keys), in one loop over raw bytes
/// with an explicit stack instead of a recursive reader that carries an error message per read.
///
/// It answers only "certainly valid": on anything it does not accept it returns false and the
/// loader runs `ConditionCoding.check`, which throws with the message naming what is wrong (or,
/// should the two ever disagree, accepts). So it must never accept what `ConditionCoding.check`
/// refuses; the tests run both on the packs, generated rule sets and every damaged condition.
final class ConditionQuickCheck {
    /// Per field, what its kind allows (bits below).
    private let fieldBits: UnsafeMutableBufferPointer<UInt8>
    /// Per field, its number of enum values.
    private let enumCounts: UnsafeMutableBufferPointer<Int>
    /// Per level of the tree being walked, the nodes that remain to be read there.
    private let pending: UnsafeMutablePointer<Int>
    private let groupCount: Int
    private let phraseListCount: Int
    private let hostListCount: Int
    private let scheduleCount: Int
    private let keys: ProgramKeySet?
    /// Per stored operator, whether it may compare a field of any kind (== and !=).
    private let anyKindOperator: [Bool]

    private static let intOrTime: UInt8 = 1, bool: UInt8 = 2, enumeration: UInt8 = 4, stringOrText: UInt8 = 8, time: UInt8 = 16
    private static let maximumDepth = Limits.conditionDepth * 2 + 8

    init(_ scope: ConditionCoding.Scope) {
        let fields = scope.fields
        fieldBits = .allocate(capacity: fields.count)
        enumCounts = .allocate(capacity: fields.count)
        for i in 0..<fields.count {
            let bits: UInt8
            switch fields[i].kind {
            case .int: bits = Self.intOrTime
            case .time: bits = Self.intOrTime | Self.time
            case .bool: bits = Self.bool
            case .enumeration: bits = Self.enumeration
            case .string, .text: bits = Self.stringOrText
            }
            fieldBits[i] = bits
            enumCounts[i] = fields[i].enumValues.count
        }
        pending = .allocate(capacity: Self.maximumDepth + 2)
        groupCount = scope.groupCount
        phraseListCount = scope.phraseListCount
        hostListCount = scope.hostListCount
        scheduleCount = scope.scheduleCount
        keys = scope.programKeys
        anyKindOperator = ConditionCoding.operators.map { $0 == .eq || $0 == .ne }
    }

    deinit {
        fieldBits.deallocate()
        enumCounts.deallocate()
        pending.deallocate()
    }

    /// Whether the condition at `offset` of `base[..<end]` is certainly valid; if so, `offset`
    /// is moved past it.
    func accepts(_ base: UnsafeRawPointer, end: Int, offset: inout Int) -> Bool {
        walk(base, end: end, offset: &offset, pending: pending, bits: UnsafeBufferPointer(fieldBits), enums: UnsafeBufferPointer(enumCounts))
    }

    // The walk keeps, per level of the tree, how many nodes remain to be read there; a node at
    // level L has depth L, as in `ConditionCoding.node`.
    private func walk(
        _ base: UnsafeRawPointer, end: Int, offset: inout Int, pending: UnsafeMutablePointer<Int>,
        bits: UnsafeBufferPointer<UInt8>, enums: UnsafeBufferPointer<Int>
    ) -> Bool {
        var p = offset
        var levels = 1
        pending[0] = 1
        var anyLevel = -1  // the level of an `any`'s child, while inside it
        let fieldCount = bits.count
        @inline(__always) func u8(_ at: Int) -> UInt8 { base.load(fromByteOffset: at, as: UInt8.self) }
        @inline(__always) func u32(_ at: Int) -> Int { Int(UInt32(littleEndian: base.loadUnaligned(fromByteOffset: at, as: UInt32.self))) }
        @inline(__always) func i64(_ at: Int) -> Int64 { Int64(littleEndian: base.loadUnaligned(fromByteOffset: at, as: Int64.self)) }
        // A constant for field f at p: moves p past it, or returns false.
        @inline(__always) func constant(_ f: Int, _ p: inout Int) -> Bool {
            guard end - p >= 1 else { return false }
            let kind = bits[f]
            switch u8(p) {
            case 0:
                guard end - p >= 9, kind & Self.intOrTime != 0 else { return false }
                p += 9
            case 1:
                guard end - p >= 2, u8(p + 1) <= 1, kind & Self.bool != 0 else { return false }
                p += 2
            case 2:
                guard end - p >= 5, kind & Self.enumeration != 0 else { return false }
                let v = Int32(bitPattern: UInt32(u32(p + 1)))
                guard v >= 0, Int(v) < enums[f] else { return false }
                p += 5
            case 3:
                guard end - p >= 5, kind & Self.stringOrText != 0 else { return false }
                let n = u32(p + 1)
                guard n <= end - p - 5 else { return false }
                p += 5 + n
            default: return false
            }
            return true
        }
        // A matcher (kind byte, index) at p: its number in the key table, or -1.
        @inline(__always) func matcher(_ p: Int) -> Int {
            let i = u32(p + 1)
            switch u8(p) {
            case 0: return i < phraseListCount ? i : -1
            case 1: return i < hostListCount ? phraseListCount + i : -1
            case 2: return i < Detector.allCases.count ? phraseListCount + hostListCount + i : -1
            default: return -1
            }
        }
        @inline(__always) func hasKey(_ m: Int, _ f: Int) -> Bool { keys?.contains(number: m, field: f) ?? true }

        while true {
            while pending[levels - 1] == 0 {
                levels -= 1
                if levels - 1 < anyLevel { anyLevel = -1 }
                if levels == 0 {
                    offset = p
                    return true
                }
            }
            pending[levels - 1] -= 1
            let depth = levels - 1
            guard depth <= Self.maximumDepth, end - p >= 1 else { return false }
            let tag = u8(p)
            p += 1
            switch tag {
            case 0, 1:
                guard end - p >= 4 else { return false }
                let n = u32(p)
                p += 4
                guard n <= end - p else { return false }
                pending[levels] = n
                levels += 1
            case 2:
                pending[levels] = 1
                levels += 1
            case 3:
                guard end - p >= 5 else { return false }
                let f = u32(p), op = Int(u8(p + 4))
                guard f < fieldCount, op < anyKindOperator.count else { return false }
                p += 5
                guard constant(f, &p) else { return false }
                guard anyKindOperator[op] || bits[f] & Self.intOrTime != 0 else { return false }
            case 4:
                guard end - p >= 8 else { return false }
                let f = u32(p), n = u32(p + 4)
                p += 8
                guard f < fieldCount, n <= (end - p) / 2 else { return false }
                for _ in 0..<n { guard constant(f, &p) else { return false } }
            case 5:
                guard end - p >= 4, u32(p) < fieldCount else { return false }
                p += 4
            case 6:
                guard end - p >= 18 else { return false }
                let m = matcher(p), f = u32(p + 5)
                guard m >= 0, f < fieldCount, bits[f] & Self.stringOrText != 0, Int(u8(p + 9)) < anyKindOperator.count, hasKey(m, f)
                else { return false }
                p += 18
            case 7:
                guard end - p >= 17 else { return false }
                let f = u32(p), zoneOffset = i64(p + 9)
                guard f < fieldCount, bits[f] & Self.time != 0, u32(p + 4) < scheduleCount, u8(p + 8) <= 2,
                    zoneOffset >= -ConditionCoding.maximumZoneOffset, zoneOffset <= ConditionCoding.maximumZoneOffset
                else { return false }
                p += 17
            case 8:
                guard anyLevel < 0, end - p >= 4, u32(p) < groupCount else { return false }
                p += 4
                pending[levels] = 1
                anyLevel = levels
                levels += 1
            case 9:
                guard end - p >= 1, u8(p) <= 1 else { return false }
                p += 1
            case 10:
                guard end - p >= 19 else { return false }
                let first = matcher(p), second = matcher(p + 5), f = u32(p + 10)
                guard first >= 0, second >= 0, f < fieldCount, bits[f] & Self.stringOrText != 0, u32(p + 14) <= Limits.proximityWords,
                    u8(p + 18) <= 1, hasKey(first, f), hasKey(second, f)
                else { return false }
                p += 19
            default:
                return false
            }
        }
    }
}
