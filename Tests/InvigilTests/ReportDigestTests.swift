import Testing
import InvigilReport

/// The in-house SHA-256 and HMAC-SHA-256 against published vectors (FIPS 180-4 examples,
/// RFC 4231), and incremental hashing against one-shot hashing on generated inputs.
@Suite("SHA-256 and HMAC")
struct ReportDigestTests {
    static func hex(_ s: String) -> [UInt8] {
        var out: [UInt8] = []
        var it = s.utf8.makeIterator()
        func nibble(_ c: UInt8) -> UInt8 { c <= 0x39 ? c - 0x30 : (c | 0x20) - 0x61 + 10 }
        while let a = it.next(), let b = it.next() { out.append(nibble(a) << 4 | nibble(b)) }
        return out
    }

    @Test func knownVectors() {
        let cases: [(String, String)] = [
            ("", "e3b0c44298fc1c149afbf4c8996fb92427ae41e4649b934ca495991b7852b855"),
            ("abc", "ba7816bf8f01cfea414140de5dae2223b00361a396177a9cb410ff61f20015ad"),
            ("abcdbcdecdefdefgefghfghighijhijkijkljklmklmnlmnomnopnopq", "248d6a61d20638b8e5c026930c3e6039a33ce45964ff2167f6ecedd419db06c1"),
            (
                "abcdefghbcdefghicdefghijdefghijkefghijklfghijklmghijklmnhijklmnoijklmnopjklmnopqklmnopqrlmnopqrsmnopqrstnopqrstu",
                "cf5b16a778af8380036ce59e7b0492370b249b11e8f07a51afac45037afee9d1"
            ),
            ("The quick brown fox jumps over the lazy dog", "d7a8fbb307d7809469ca9abcb0082e4f8d5651e46d3cdb762d02d0bf37c9e592")
        ]
        for (input, digest) in cases {
            #expect(SHA256.hex(SHA256.digest(Array(input.utf8))) == digest, "\(input)")
        }
    }

    @Test func millionAs() {
        var h = SHA256()
        let chunk = [UInt8](repeating: 0x61, count: 1000)
        for _ in 0..<1000 { h.update(chunk) }
        #expect(SHA256.hex(h.finish()) == "cdc76e5c9914fb9281a1c7e284d73e67f1809a48a497200e046d39ccc7112cd0")
    }

    /// Fed in pieces of every size (contiguous arrays and a non-contiguous collection), the digest
    /// is the one-shot digest; lengths around the 55/56/64-byte padding edges included.
    @Test func incrementalEqualsOneShot() {
        var rng = SystemRandomNumberGenerator()
        for length in Array(0...130) + [1000, 4097] {
            let data = (0..<length).map { _ in UInt8.random(in: 0...255, using: &rng) }
            let whole = SHA256.digest(data)
            var h = SHA256()
            var at = 0
            while at < data.count {
                let n = Int.random(in: 1...70, using: &rng)
                let end = min(data.count, at + n)
                if n % 2 == 0 { h.update(data[at..<end]) } else { h.update(data[at..<end].lazy.map { $0 }) }
                at = end
            }
            #expect(h.finish() == whole, "length \(length)")
        }
    }

    /// RFC 4231 test cases 1, 2, 3, 4, 6 and 7 (case 5 is truncated output).
    @Test func hmacRFC4231() {
        let cases: [([UInt8], [UInt8], String)] = [
            (
                [UInt8](repeating: 0x0b, count: 20), Array("Hi There".utf8),
                "b0344c61d8db38535ca8afceaf0bf12b881dc200c9833da726e9376c2e32cff7"
            ),
            (
                Array("Jefe".utf8), Array("what do ya want for nothing?".utf8),
                "5bdcc146bf60754e6a042426089575c75a003f089d2739839dec58b964ec3843"
            ),
            (
                [UInt8](repeating: 0xaa, count: 20), [UInt8](repeating: 0xdd, count: 50),
                "773ea91e36800e46854db8ebd09181a72959098b3ef8c122d9635514ced565fe"
            ),
            (
                Self.hex("0102030405060708090a0b0c0d0e0f10111213141516171819"), [UInt8](repeating: 0xcd, count: 50),
                "82558a389a443c0ea4cc819899f2083a85f0faa3e578f8077a2e3ff46729665b"
            ),
            (
                [UInt8](repeating: 0xaa, count: 131), Array("Test Using Larger Than Block-Size Key - Hash Key First".utf8),
                "60e431591ee0b67f0d8a26aacbf5b77f8e0bc6213728c5140546040f0ee37f54"
            ),
            (
                [UInt8](repeating: 0xaa, count: 131),
                Array(
                    "This is a test using a larger than block-size key and a larger than block-size data. The key needs to be hashed before being used by the HMAC algorithm."
                        .utf8),
                "9b09ffa71b942fcb27635fbcd5b0e944bfdc63644f0713938a7f51535c3a35e2"
            )
        ]
        for (key, message, code) in cases {
            #expect(SHA256.hex(HMACSHA256.code(key: key, message: message)) == code)
        }
    }
}
