@testable import Invigil

/// `shortcuts`: differential. The scanner's fast paths against the code they stand in for, on the
/// input as text (made valid UTF-8, as the scanner requires of text fields):
/// - the normaliser without origins against the normaliser with them (same bytes), under all 15
///   combinations of modes, with every origin span inside the text, and its runs of ASCII written
///   through raw memory against its byte-at-a-time path (same bytes, same origins);
/// - for ASCII text, the byte-for-byte table path (modes without `spaced`, where output byte k
///   must come from input byte k) and the one-pass `spaced` path against the full normaliser;
/// - the URL detector with its `memchr` prefilter against the walk without it;
/// - the in-place scheme test and the packed digit-word look-up against plain comparisons.
enum FuzzShortcuts {
    static let modes: [NormalizeMode] = (1..<16).map { NormalizeMode(rawValue: UInt8($0)) }

    static func run(_ data: UnsafeBufferPointer<UInt8>) {
        let bytes = validUTF8(Array(data)) ? Array(data) : Array(String(decoding: data, as: UTF8.self).utf8)
        bytes.withUnsafeBufferPointer { t in
            normalization(t)
            urls(t)
            schemesAndDigitWords(t)
        }
    }

    static func normalization(_ t: UnsafeBufferPointer<UInt8>) {
        var full: [UInt8] = [], bare: [UInt8] = [], fast: [UInt8] = [], slow: [UInt8] = []
        var origin: [SIMD4<Int32>] = [], none: [SIMD4<Int32>] = [], slowOrigin: [SIMD4<Int32>] = []
        let ascii = t.allSatisfy { $0 < 0x80 }
        for mode in modes {
            Normalizer.normalize(t, mode: mode, into: &full, origin: &origin)
            Normalizer.normalize(t, mode: mode, into: &bare, origin: &none, trackOrigin: false)
            if full != bare { fuzzFail("normalize \(mode.description): \(full.count) bytes with origins, \(bare.count) without") }
            if origin.count != full.count || !none.isEmpty {
                fuzzFail("normalize \(mode.description): \(origin.count) origins for \(full.count) bytes")
            }
            for o in origin where !(0 <= o.x && o.x < o.y && o.y <= Int32(t.count) && 0 <= o.z && o.z < o.w && o.w <= Int32(t.count)) {
                fuzzFail("normalize \(mode.description): origin \(o) outside 0..<\(t.count)")
            }
            // Runs of ASCII written through raw memory against the byte-at-a-time path.
            var separator = false
            _ = Normalizer.normalize(
                t, from: 0, upTo: t.count, mode: mode, into: &slow, origin: &slowOrigin, trackOrigin: true,
                separatorSinceLast: &separator, asciiRuns: false)
            if slow != full || slowOrigin != origin { fuzzFail("normalize \(mode.description): ASCII runs differ from the byte loop") }
            slow.removeAll(keepingCapacity: true)
            slowOrigin.removeAll(keepingCapacity: true)
            guard ascii else { continue }
            if mode.contains(.spaced) {
                Normalizer.normalizeASCIISpaced(t, leet: mode.contains(.leet), into: &fast)
            } else {
                Normalizer.normalizeASCIIInPlace(t, leet: mode.contains(.leet), into: &fast)
                for (k, o) in origin.enumerated() where o != SIMD4(Int32(k), Int32(k + 1), Int32(k), Int32(k + 1)) {
                    fuzzFail("normalize \(mode.description): ASCII output byte \(k) comes from \(o)")
                }
            }
            if fast != full { fuzzFail("ASCII path of \(mode.description) differs from the normaliser") }
        }
    }

    static func urls(_ t: UnsafeBufferPointer<UInt8>) {
        var filtered: [Int] = [], unfiltered: [Int] = []
        Detectors.urls(in: t) { filtered += [$0, $1, $2, $3] }
        Detectors.urlsWithoutPrefilter(in: t) { unfiltered += [$0, $1, $2, $3] }
        if filtered != unfiltered { fuzzFail("URL prefilter: \(filtered) against \(unfiltered)") }
    }

    static func schemesAndDigitWords(_ t: UnsafeBufferPointer<UInt8>) {
        let schemes = [Array("https://".utf8), Array("http://".utf8)]
        var wordStart = 0
        for i in 0...t.count {
            let naive = schemes.lazy.compactMap { s -> Int? in
                guard i + s.count <= t.count else { return nil }
                for k in 0..<s.count where (s[k] >= 0x61 ? t[i + k] | 0x20 : t[i + k]) != s[k] { return nil }
                return i + s.count
            }.first
            if Detectors.matchScheme(t, i) != naive { fuzzFail("matchScheme at \(i)") }
            // Words: runs of ASCII letters.
            if i == t.count || !Detectors.isAlpha(t[i]) {
                if i > wordStart {
                    let word = Array(t[wordStart..<i])
                    let expected = Detectors.digitWordList.first { w, _ in
                        w.count == word.count && zip(w, word).allSatisfy { $0 == ($1 | 0x20) }
                    }?.1
                    if Detectors.digitWord(t, wordStart, i) != expected { fuzzFail("digitWord of \(String(decoding: word, as: UTF8.self))") }
                }
                wordStart = i + 1
            }
        }
    }
}
