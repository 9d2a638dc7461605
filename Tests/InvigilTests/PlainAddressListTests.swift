@testable import InvigilArchive
import Testing

/// The plain address-list path against the full parser on generated lists: wherever the plain
/// path answers, it must give exactly the full parser's addresses and names.
@Suite("Plain address lists")
struct PlainAddressListTests {
    /// Bytes address lists are made of, weighted towards the plain case.
    static let alphabet: [UInt8] = Array("abcxyz019.-_+@@@@,,;;   \t\"\"()<<>>:\\[]=?'".utf8) + [0x0A, 0xC3, 0xA9, 0x00]

    @Test func sameAsTheFullParserOnGeneratedLists() {
        var rng = SplitMix(seed: 14)
        var answered = 0
        for round in 0..<30_000 {
            var list: [UInt8] = []
            if round % 2 == 0 {
                // Mostly well-formed: bare addresses with separators and spaces.
                for k in 0..<(1 + rng.below(4)) {
                    if k > 0 { list += rng.below(2) == 0 ? Array(", ".utf8) : Array(";".utf8) }
                    if rng.below(4) == 0 { list.append(0x20) }
                    let address = "user\(rng.below(50))@school\(rng.below(3)).example"
                    switch rng.below(5) {
                    case 0: list += Array("\"Lee, Ann \(rng.below(9))\" <\(address)>".utf8)
                    case 1: list += Array("Ann Lee\(rng.below(2) == 0 ? "" : " ")<\(address)>".utf8)
                    case 2: list += Array("<\(address)>".utf8)
                    case 3: list += Array("\"\(address)\" <\(address)>".utf8)
                    default: list += Array(address.utf8)
                    }
                    if rng.below(6) == 0 { list += Array(["  ", " x", " (c)", "x"][rng.below(4)].utf8) }
                }
            } else {
                for _ in 0..<rng.below(24) { list.append(Self.alphabet[rng.below(Self.alphabet.count)]) }
            }
            let full = parseAddressListInFull(list[...])
            guard let plain = parsePlainAddressList(list[...]) else { continue }
            answered += 1
            #expect(plain.map(\.address) == full.map(\.address), "\(String(decoding: list, as: UTF8.self))")
            #expect(plain.map(\.name) == full.map(\.name), "\(String(decoding: list, as: UTF8.self))")
        }
        #expect(answered > 10_000)
    }

    @Test func declinesCommentsGroupsAndEncodedNames() {
        for list in [
            "\"Ann\" a@b.example", "a@b.example (Ann)", "team: a@b.example;", "ann at b.example", "Ann Smith", "a@b.example\tc@d.example",
            "é@b.example", "Ann <a@b.example> x", "=?utf-8?q?Ann?= <a@b.example>", "\"A\\\"nn\" <a@b.example>", "Ann (x) <a@b.example>",
            "Ann <a b@c.example>", "a@b <c@d.example>", "<nobody>"
        ] {
            #expect(parsePlainAddressList(Array(list.utf8)[...]) == nil, "\(list)")
        }
        let read = parsePlainAddressList(Array(" a@b.example , ;c@d.example ".utf8)[...])
        #expect(read?.map(\.address) == ["a@b.example", "c@d.example"])
        let named = parsePlainAddressList(Array("\" Lee, Ann \" <a@b.example>; Bob  Day <b@c.example>,<c@d.example>".utf8)[...])
        #expect(named?.map(\.name) == ["Lee, Ann", "Bob  Day", ""])
        #expect(named?.map(\.address) == ["a@b.example", "b@c.example", "c@d.example"])
    }
}

extension SplitMix {
    /// Uniform in 0..<n.
    fileprivate mutating func below(_ n: Int) -> Int { Int(next() % UInt64(n)) }
}
