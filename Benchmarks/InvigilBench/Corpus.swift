// Deterministic corpora and phrase sets.
//
// The vocabulary is ~120 common English words followed by ~24,000 generated English-like words
// (syllables), drawn with a Zipf law (s = 1) by rank, so a few words are very frequent and most are
// rare, as in real messages. Messages are 120–280 bytes (≈200 on average) of sentences with
// capitals and punctuation, one per line. Phrase sets mix single words (uniform over the rarer
// ranks), two-word and three-word phrases, all lower case; scanning is ASCII case-insensitive.

let commonWords: [String] = """
    the of and to a in is it you that he was for on are with as i his they be at one have this from or had \
    by word but not what all were we when your can said there use an each which she do how their if will up \
    other about out many then them these so some her would make like him into time has look two more write \
    go see number no way could people my than first water been call who oil its now find long down day did \
    get come made may part over new sound take only little work know place year live me back give most very \
    after thing our just name good sentence man think say great where help through much before line right too \
    mean old any same tell boy follow came want show also around form three small set put end does another \
    well large must big even such because turn here why ask went men read need land different home us move \
    try kind hand picture again change off play spell air away animal house point page letter mother answer \
    found study still learn should school teacher class lesson today tomorrow homework
    """.split(separator: " ").map { String($0).trimmingSpaces() }.filter { !$0.isEmpty }

extension String {
    func trimmingSpaces() -> String { String(self.filter { $0 != "\n" && $0 != " " }) }
}

struct Vocabulary {
    var words: [[UInt8]]
    /// Cumulative Zipf weights by rank.
    var cumulative: [Double]

    init(size: Int = 24_000, seed: UInt64 = 0x1D1_6E11) {
        var rng = SplitMix(seed: seed)
        let onsets = [
            "b", "c", "d", "f", "g", "h", "j", "k", "l", "m", "n", "p", "r", "s", "t", "v", "w", "y",
            "ch", "sh", "th", "st", "tr", "br", "pl", "gr", "cl", "sp", "wh", ""
        ]
        let vowels = ["a", "e", "i", "o", "u", "ea", "ou", "ai", "ee", "oo", "y"]
        let codas = ["", "", "", "", "n", "r", "s", "t", "l", "m", "nd", "st", "ng", "ck", "ll", "rt", "sh"]
        var seen = Set<String>()
        var list: [String] = []
        for w in commonWords where seen.insert(w).inserted { list.append(w) }
        while list.count < size {
            let syllables = 1 + (rng.below(10) < 3 ? 0 : rng.below(10) < 6 ? 1 : 2)
            var w = ""
            for _ in 0..<syllables {
                w += onsets[rng.below(onsets.count)] + vowels[rng.below(vowels.count)] + codas[rng.below(codas.count)]
            }
            if w.count >= 3, seen.insert(w).inserted { list.append(w) }
        }
        words = list.map { Array($0.utf8) }
        var c: [Double] = []
        c.reserveCapacity(list.count)
        var total = 0.0
        for r in 0..<list.count {
            total += 1.0 / Double(r + 1)
            c.append(total)
        }
        cumulative = c.map { $0 / total }
    }

    /// A rank drawn by the Zipf law.
    func zipf(_ rng: inout SplitMix) -> Int {
        let u = rng.unit()
        var lo = 0, hi = cumulative.count - 1
        while lo < hi {
            let mid = (lo + hi) >> 1
            if cumulative[mid] < u { lo = mid + 1 } else { hi = mid }
        }
        return lo
    }
}

/// Appends one message (no newline) of about `target` bytes.
func appendMessage(_ out: inout [UInt8], _ vocab: Vocabulary, _ rng: inout SplitMix, target: Int) {
    let start = out.count
    var sentenceStart = true
    while out.count - start < target {
        var w = vocab.words[vocab.zipf(&rng)]
        if sentenceStart, let f = w.first, f >= 0x61, f <= 0x7A { w[0] = f - 32 }
        if rng.below(40) == 0 { for i in w.indices where w[i] >= 0x61 && w[i] <= 0x7A { w[i] -= 32 } }  // shouting
        if out.count > start { out.append(0x20) }
        out.append(contentsOf: w)
        sentenceStart = false
        let p = rng.below(100)
        if p < 7 {
            out.append(0x2E); sentenceStart = true
        } else if p < 10 {
            out.append(0x2C)
        } else if p == 10 {
            out.append(0x3F); sentenceStart = true
        } else if p == 11 {
            out.append(0x21); sentenceStart = true
        }
    }
    if !sentenceStart { out.append(0x2E) }
}

/// `bytes` of newline-separated messages; also returns each message's range (without the newline).
func makeTextCorpus(bytes: Int, vocab: Vocabulary, seed: UInt64 = 7) -> (text: [UInt8], messages: [Range<Int>]) {
    var rng = SplitMix(seed: seed)
    var text: [UInt8] = []
    text.reserveCapacity(bytes + 512)
    var ranges: [Range<Int>] = []
    ranges.reserveCapacity(bytes / 190)
    while text.count < bytes {
        let s = text.count
        appendMessage(&text, vocab, &rng, target: 110 + rng.below(170))
        ranges.append(s..<text.count)
        text.append(0x0A)
    }
    return (text, ranges)
}

/// `count` distinct phrases (distinct after ASCII case folding), deterministic for a count.
func makePhraseSet(count: Int, vocab: Vocabulary) -> [[UInt8]] {
    var rng = SplitMix(seed: 0xC0FFEE &+ UInt64(count))
    var seen = Set<[UInt8]>()
    var out: [[UInt8]] = []
    let V = vocab.words.count
    let singlesMax = V - 100
    var singles = 0
    while out.count < count {
        let kind = rng.below(10)
        var p: [UInt8]
        if kind < 5 && singles < singlesMax / 3 {
            p = vocab.words[100 + rng.below(V - 100)]
            if p.count < 5 { continue }  // short single words are substrings of half the text
        } else if kind < 9 {
            p = vocab.words[vocab.zipf(&rng)] + [0x20] + vocab.words[100 + rng.below(V - 100)]
        } else {
            p =
                vocab.words[100 + rng.below(V - 100)] + [0x20] + vocab.words[vocab.zipf(&rng)] + [0x20]
                + vocab.words[100 + rng.below(V - 100)]
        }
        if seen.insert(p).inserted {
            out.append(p)
            if kind < 5 { singles += 1 }
        }
    }
    return out
}

/// A JSONL archive of `bytes` following the bundled packs' schema. Event shapes come from the
/// sample archives when given (their text replaced by generated text 90% of the time, so about one
/// event in ten carries a sample's, often rule-breaking, text); otherwise from built-in templates.
func makeJSONLArchive(bytes: Int, vocab: Vocabulary, samples: [[UInt8]], seed: UInt64 = 11) -> [UInt8] {
    var rng = SplitMix(seed: seed)
    let builtin: [String] = [
        #"{"id":"ID","school":"DSAT","type":"email","time":"2024-03-13T15:15:00+00:00","author":{"id":"staff-151","role":"staff"},"account":{"kind":"school","platform":"email","email":"f.khan@chalkbourne.dsat.example.sch.uk"},"recipients":[{"id":"pupil-2355","role":"pupil","status":"current","family":false}],"device":"school","location":"building","subject":"Library","text":"TEXT"}"#,
        #"{"id":"ID","school":"DSAT","type":"post","time":"2024-03-14T18:00:00+00:00","author":{"id":"staff-148","role":"staff"},"account":{"kind":"personal","platform":"facebook"},"audience":{"scope":"friends"},"device":"personal","location":"off_site","text":"TEXT"}"#,
        #"{"id":"ID","school":"DSAT","type":"chat","time":"2024-03-12T09:05:00+00:00","author":{"id":"staff-112","role":"staff"},"account":{"kind":"school","platform":"teams"},"recipients":[{"id":"staff-101","role":"staff","status":"current","family":false}],"device":"school","location":"staff_room","text":"TEXT"}"#
    ]
    var templates: [(prefix: [UInt8], suffix: [UInt8], original: [UInt8])] = []
    for line in samples.isEmpty ? builtin.map({ Array($0.utf8) }) : samples {
        guard let r = textValueRange(line) else { continue }
        templates.append((Array(line[..<r.lowerBound]), Array(line[r.upperBound...]), Array(line[r])))
    }
    let noText = samples.filter { textValueRange($0) == nil }
    var out: [UInt8] = []
    out.reserveCapacity(bytes + 4096)
    var n = 0
    while out.count < bytes {
        n += 1
        if !noText.isEmpty && rng.below(12) == 0 {
            out += noText[rng.below(noText.count)]
            out.append(0x0A)
            continue
        }
        let t = templates[rng.below(templates.count)]
        out += t.prefix
        if rng.below(10) == 0 && !samples.isEmpty {
            out += t.original
        } else {
            appendMessage(&out, vocab, &rng, target: 110 + rng.below(170))
        }
        out += t.suffix
        out.append(0x0A)
    }
    return out
}

/// The byte range of the string value of the top-level `"text"` key of a JSON line.
func textValueRange(_ line: [UInt8]) -> Range<Int>? {
    let key = Array(#""text":""#.utf8)
    guard line.count > key.count else { return nil }
    var i = 0
    while i + key.count <= line.count {
        if line[i] == key[0], Array(line[i..<(i + key.count)]) == key {
            let start = i + key.count
            var j = start
            while j < line.count {
                if line[j] == 0x5C { j += 2; continue }
                if line[j] == 0x22 { return start..<j }
                j += 1
            }
            return nil
        }
        i += 1
    }
    return nil
}

/// Lines of the JSONL files in a folder, in file-name order.
func readSampleLines(folder: String) -> [[UInt8]] {
    var names: [String] = []
    guard let dir = opendir(folder) else { return [] }
    while let e = readdir(dir) {
        let name = withUnsafeBytes(of: e.pointee.d_name) { raw in
            String(decoding: raw.prefix(while: { $0 != 0 }), as: UTF8.self)
        }
        if name.hasSuffix(".jsonl") { names.append(name) }
    }
    closedir(dir)
    var lines: [[UInt8]] = []
    for name in names.sorted() {
        guard let bytes = readWholeFile(folder + "/" + name) else { continue }
        for l in bytes.split(separator: 0x0A) where !l.isEmpty { lines.append(Array(l)) }
    }
    return lines
}

#if canImport(Glibc)
import Glibc
#endif
