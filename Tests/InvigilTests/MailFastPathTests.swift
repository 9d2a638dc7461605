import Glibc
@testable import InvigilArchive
import Testing

/// The mail parser's fast paths against the general readers they stand in for, on generated
/// inputs: wherever a fast path answers, it must give exactly the general reader's answer.
@Suite("Mail parser fast paths")
struct MailFastPathTests {
    /// Bytes content types are made of, weighted towards the plain case, with every byte that
    /// sends a header to the full parser.
    static let typeAlphabet: [UInt8] =
        Array("textplainhmlTEXT/;;;;===\"\"  charsetCHARSETboundaryname*'\\?-_.0123456789".utf8) + [0x09, 0x0A, 0x0D, 0xC3, 0xA9]

    static func contentType(_ rng: inout SplitMix) -> [UInt8] {
        if rng.below(3) == 0 {
            return (0..<rng.below(40)).map { _ in typeAlphabet[rng.below(typeAlphabet.count)] }
        }
        var text = [
            "text/plain", "TEXT/Plain", " text/html ", "multipart/alternative", "multipart/mixed", "attachment", "inline", "Inline",
            "", "plain", "text/pl\"ain", "message/rfc822", "image/png"
        ][rng.below(13)]
        for _ in 0..<rng.below(4) {
            text += [";", "; ", " ;", ";;", "; ;"][rng.below(5)]
            let key = ["charset", "CHARSET", "boundary", "name", "filename", "format", "", " charset ", "name*", "x"][rng.below(10)]
            let value = [
                "utf-8", "\"utf-8\"", " UTF-8 ", "\"b1\"", "----=_Part_1", "\"a b\" x", "\"unclosed", "=?utf-8?q?r=C3=A9?=",
                "\"=?utf-8?b?cmVw?=.pdf\"", "file.pdf", "", "\"\"", "a?b", "a=b"
            ][rng.below(14)]
            text += rng.below(8) == 0 ? key : key + "=" + value
        }
        return Array(text.utf8)
    }

    @Test func plainContentTypesReadAsTheFullParserReadsThem() {
        var rng = SplitMix(seed: 55)
        var answered = 0
        for round in 0..<40_000 {
            let raw = Self.contentType(&rng)
            let def = round % 2 == 0 ? "text/plain" : "inline"
            let full = parseContentTypeInFull(raw[...], default: def)
            guard let plain = parsePlainContentType(raw[...], default: def) else { continue }
            answered += 1
            #expect(plain.type == full.type, "\(String(decoding: raw, as: UTF8.self).debugDescription)")
            #expect(plain.params.dictionary == full.params.dictionary, "\(String(decoding: raw, as: UTF8.self).debugDescription)")
        }
        #expect(answered > 15_000)
        let read = parseContentType(Array("Text/Plain; charset=\"UTF-8\"; format=flowed".utf8)[...], default: "x")
        #expect(read.type == "text/plain")
        #expect(read.params.dictionary == ["charset": "UTF-8", "format": "flowed"])
        for declined in ["text/plain;\tcharset=utf-8", "text/plain; name*=utf-8''r%C3%A9", "text/plain; name=\"a\\\"b\"", "a/b; name==?x?="] {
            #expect(parsePlainContentType(Array(declined.utf8)[...], default: "x") == nil, "\(declined)")
        }
    }

    @Test func parametersKeepTheFirstValueAndRemoveOnNil() {
        var params: ContentParameters = ["a": "1"]
        params["b"] = "2"
        params["a"] = "3"
        #expect(params.dictionary == ["a": "3", "b": "2"])
        params["a"] = nil
        #expect(params["a"] == nil)
        #expect(params["b"] == "2")
    }

    /// Header names: the byte comparison names the fields the lowercased string names.
    @Test func headerNamesAreToldApartAsLowercasedStringsWould() {
        let known: [(String, HeaderName)] = [
            ("message-id", .messageID), ("subject", .subject), ("date", .date), ("from", .from), ("to", .to), ("cc", .cc), ("bcc", .bcc),
            ("content-type", .contentType), ("content-disposition", .contentDisposition),
            ("content-transfer-encoding", .contentTransferEncoding)
        ]
        func byString(_ bytes: [UInt8]) -> HeaderName {
            let name = lowercasedASCII(bytes)
            return known.first { $0.0 == name }?.1 ?? .other
        }
        var rng = SplitMix(seed: 56)
        for _ in 0..<20_000 {
            var name = Array(known[rng.below(known.count)].0.utf8)
            switch rng.below(5) {
            case 0: name = name.map { rng.below(2) == 0 ? $0 : ($0 >= 0x61 && $0 <= 0x7A ? $0 - 0x20 : $0) }  // mixed case
            case 1: name[rng.below(name.count)] ^= UInt8(1 << rng.below(8))  // one bit changed
            case 2: name.removeLast()
            case 3: name.append(Array("-xs".utf8)[rng.below(3)])
            default: break
            }
            let got = name.withUnsafeBufferPointer { HeaderName($0) }
            #expect(got == byString(name), "\(String(decoding: name, as: UTF8.self).debugDescription)")
        }
    }

    /// Header values without encoded words, folding or tabs are decoded in place; everything
    /// else goes through the general reader, which must agree wherever the plain path answers.
    @Test func plainHeaderValuesDecodeAsTheGeneralReaderDecodesThem() {
        let alphabet: [UInt8] = Array("ab c=?_Q".utf8) + [0x09, 0x0A, 0x0D, 0xC3, 0xA9, 0xE9, 0x80, 0xFF, 0x00]
        var rng = SplitMix(seed: 57)
        let decoder = CharsetDecoder()
        for round in 0..<20_000 {
            var value: [UInt8] = (0..<rng.below(30)).map { _ in alphabet[rng.below(alphabet.count)] }
            if round % 5 == 0 { value += Array("=?utf-8?q?caf=C3=A9?=".utf8) }
            #expect(
                decodeHeaderValue(value[...], decoder: decoder) == decodeHeaderValueInFull(value[...], decoder: decoder),
                "\(value)")
        }
    }

    /// Quoted-printable decoded in runs between `=` signs, against the byte-at-a-time decoder.
    @Test func quotedPrintableRunsDecodeAsTheByteLoopDoes() {
        let alphabet: [UInt8] = Array("ab =====3D3d0Fzg \t\t\r\n\n_".utf8)
        var rng = SplitMix(seed: 59)
        for _ in 0..<20_000 {
            let text: [UInt8] = (0..<rng.below(80)).map { _ in alphabet[rng.below(alphabet.count)] }
            var runs: [UInt8] = [1, 2]
            var bytes: [UInt8] = [1, 2]
            decodeQuotedPrintable(text[...], into: &runs)
            decodeQuotedPrintableByBytes(text[...], into: &bytes)
            #expect(runs == bytes, "\(String(decoding: text, as: UTF8.self).debugDescription)")
        }
    }

    /// The first byte that is not valid UTF-8, found 32 and 8 bytes a step over ASCII, against a
    /// sequence-by-sequence walk.
    @Test func firstInvalidUTF8FindsWhatTheSequenceWalkFinds() {
        let pieces: [[UInt8]] = [
            [0x61], [0x20], [0xC3, 0xA9], [0xE2, 0x82, 0xAC], [0xF0, 0x9F, 0x98, 0x80], [0x80], [0xC3], [0xFF], [0xED, 0xA0, 0x80]
        ]
        var rng = SplitMix(seed: 60)
        for _ in 0..<20_000 {
            var text: [UInt8] = Array(repeating: 0x61, count: rng.below(70))
            for _ in 0..<rng.below(3) { text.insert(contentsOf: pieces[rng.below(pieces.count)], at: rng.below(text.count + 1)) }
            let walk: Int? = text.withUnsafeBufferPointer { b in
                var i = 0
                while i < b.count {
                    let l = utf8SequenceLength(b, i)
                    if l == 0 { return i }
                    i += l
                }
                return nil
            }
            #expect(text.withUnsafeBufferPointer(firstInvalidUTF8) == walk, "\(text)")
        }
    }

    /// The transfer encoding read from the header's bytes, against the lowercased string's prefix.
    @Test func transferEncodingsAreReadAsTheirStringsWould() throws {
        let values = [
            "base64", "BASE64", " Base64 ", "base64x", "base6", "quoted-printable", "Quoted-Printable\r\n", "quoted", "7bit", "",
            "base64\u{301}", "\u{e9}base64", "quoted-printable\u{e9}"
        ]
        for value in values {
            let message = Array("From: a@b.example\nContent-Transfer-Encoding: \(value)\n\nx\n".utf8)
            let parser = MailParser()
            parser.msg = message
            let (headers, _, _) = try parser.parseHeaders(0..<message.count)
            let expected = lowercasedASCII(trimmed(Array(value.utf8)))
            let want: MailParser.TransferEncoding =
                expected.hasPrefix("base64") ? .base64 : expected.hasPrefix("quoted-printable") ? .quotedPrintable : .identity
            #expect(parser.transferEncoding(headers) == want, "\(value.debugDescription)")
        }
    }

    /// A Maildir's messages opened through their folder (`openat`) read as each file's path reads:
    /// the same sources, fields and rejections.
    @Test func maildirMessagesReadAsTheirPathsRead() throws {
        let root = ArchiveTest.tempDir()
        for sub in ["", "/cur", "/new", "/tmp", "/.Sent", "/.Sent/cur"] { mkdir(root + sub, 0o755) }
        var rng = SplitMix(seed: 58)
        for k in 0..<40 {
            let sub = ["cur", "new", "tmp", ".Sent/cur"][rng.below(4)]
            let subject = k % 7 == 3 ? "=?utf-8?q?caf=C3=A9?=" : "message \(k)"
            let body = k % 9 == 4 ? "x\u{0}y" : "hello \(k)"
            ArchiveTest.write(root + "/\(sub)/\(k).host:2,S", "From: a\(k)@school.example\nTo: b@school.example\nSubject: \(subject)\n\n\(body)\n")
        }
        // Messages at, under and over the 64 KB block the reader reads first.
        for (k, size) in [(64 << 10) - 1, 64 << 10, (64 << 10) + 1, 200_000].enumerated() {
            let head = "From: big\(k)@school.example\nSubject: big\n\n"
            ArchiveTest.write(root + "/new/big\(k)", head + String(repeating: "word ", count: (size - head.utf8.count) / 5) + "\n")
        }
        symlink(root + "/cur/missing", root + "/cur/zz-broken-link")
        mkdir(root + "/new/folder", 0o755)
        let source = try MaildirSource(path: root + "/")
        var read: [String] = []
        while let r = source.next() { read.append(r.source + " " + String(describing: r.payload)) }
        var expected: [String] = []
        for path in try MaildirSource(path: root).messageFiles() {
            let eml = try? EMLSource(path: path)
            if let r = eml?.next() {
                expected.append(r.source + " " + String(describing: r.payload))
            } else {
                // A broken link cannot be opened at all; its record is the open failure.
                let (record, _) = mailRecord(path: path, parser: MailParser(), directory: nil)
                expected.append(record.source + " " + String(describing: record.payload))
            }
        }
        #expect(read.count == 45)
        #expect(read == expected)
    }
}

extension SplitMix {
    /// Uniform in 0..<n.
    fileprivate mutating func below(_ n: Int) -> Int { Int(next() % UInt64(n)) }
}
