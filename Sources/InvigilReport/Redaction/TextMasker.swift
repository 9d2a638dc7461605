import Invigil
import InvigilArchive

/// Masks personal data in a piece of text (an evidence window, an excerpt, an identifier) for
/// `--redact` and `--pseudonymise`, and moves the match offsets to the masked text.
///
/// What it masks, in this order of precedence where spans overlap (the union is masked):
/// - phone numbers, also spelled out (`oh seven seven…`), as `[phone]` (the core's detectors);
/// - email addresses as `[email]`, URLs and bare host names with a common top-level domain as `[url]`;
/// - the directory's names: the full name, case and runs of spaces ignored, and each part of
///   three letters or more (`Jamie`, `Harrow`) where the text writes it with a capital, as `[name]`;
/// - at a window's cut edge, the cut token when it holds a digit, `@` or `/` (what is left of a
///   number, address or link that the cut hid from the detectors).
/// With pseudonyms, a directory person's name, email address or phone number becomes their
/// pseudonym instead. Protected ranges (the matched policy words) are never masked: a span that
/// overlaps one is masked around it.
public struct TextMasker: Sendable {
    /// What a span is replaced with.
    public enum Label: Sendable, Equatable {
        case phone, email, url, name
        case pseudonym(String)

        public var text: String {
            switch self {
            case .phone: return "[phone]"
            case .email: return "[email]"
            case .url: return "[url]"
            case .name: return "[name]"
            case .pseudonym(let p): return p
            }
        }
    }

    /// Mask phone numbers, email addresses and URLs (`--redact`).
    public var masksContacts: Bool
    /// Mask the directory's names as `[name]` (`--redact`).
    public var masksNames: Bool
    /// The directory's people and their pseudonyms, when pseudonymising.
    public var pseudonyms: Pseudonymiser?
    private var nameIndex: [UInt8: [(key: [UInt8], person: Int, isPart: Bool)]] = [:]
    private var names: [String] = []
    private var addressOwner: [String: Int] = [:]

    /// - Parameters:
    ///   - names: the directory's people as (name, addresses) — a person's name is the key that
    ///     ties their rows together.
    public init(masksContacts: Bool, masksNames: Bool, people: [(name: String, addresses: [String])] = [], pseudonyms: Pseudonymiser? = nil) {
        self.masksContacts = masksContacts
        self.masksNames = masksNames
        self.pseudonyms = pseudonyms
        for p in people {
            guard let key = PersonKey.name(p.name) else { continue }
            let index = names.count
            names.append(key)
            for a in p.addresses { if let k = PersonKey.address(a) { addressOwner[k] = index } }
            let full = Array(key.utf8)
            nameIndex[full[0], default: []].append((full, index, false))
            for part in key.split(separator: " ") where part.utf8.count >= 3 && key.contains(" ") {
                let bytes = Array(part.utf8)
                nameIndex[bytes[0], default: []].append((bytes, index, true))
            }
        }
        // Longest first, so that a full name wins over its parts at the same place.
        for k in nameIndex.keys { nameIndex[k]!.sort { $0.key.count > $1.key.count } }
    }

    /// Whether masking changes anything at all.
    public var isActive: Bool { masksContacts || masksNames || pseudonyms != nil }

    /// The label for a directory person.
    private func label(person: Int) -> Label {
        if let pseudonyms { return .pseudonym(pseudonyms.pseudonym(forKey: "name:" + names[person])) }
        return .name
    }

    /// The spans to mask in `text`, sorted and disjoint, each with its label.
    public func spans(in text: [UInt8], cutBefore: Bool = false, cutAfter: Bool = false) -> [(range: Range<Int>, label: Label)] {
        var found: [(range: Range<Int>, label: Label)] = []
        text.withUnsafeBufferPointer { t in
            Detectors.phones(in: t) { s, e in
                if let l = contactLabel(t, s, e, .phone) { found.append((s..<e, l)) }
            }
            Detectors.obfuscatedPhones(in: t) { s, e in
                if masksContacts { found.append((s..<e, .phone)) }
            }
            Detectors.emails(in: t) { s, e, _ in
                if let l = contactLabel(t, s, e, .email) { found.append((s..<e, l)) }
            }
            Detectors.urls(in: t) { s, e, _, _ in
                if masksContacts { found.append((s..<e, .url)) }
            }
        }
        if masksNames || pseudonyms != nil { found += nameSpans(text) }
        if masksContacts {
            if cutBefore, let r = edgeToken(text, atStart: true) { found.append(r) }
            if cutAfter, let r = edgeToken(text, atStart: false) { found.append(r) }
        }
        // Union of overlapping spans; the earliest (then longest) span's label names the union.
        found.sort { $0.range.lowerBound != $1.range.lowerBound ? $0.range.lowerBound < $1.range.lowerBound : $0.range.count > $1.range.count }
        var out: [(range: Range<Int>, label: Label)] = []
        for f in found where !f.range.isEmpty {
            if let last = out.last, f.range.lowerBound < last.range.upperBound {
                out[out.count - 1].range = last.range.lowerBound..<max(last.range.upperBound, f.range.upperBound)
            } else {
                out.append(f)
            }
        }
        return out
    }

    /// A detected phone number or email address: the owner's pseudonym when the directory knows
    /// it and pseudonyms are on, else the plain label when contacts are masked, else nothing.
    private func contactLabel(_ t: UnsafeBufferPointer<UInt8>, _ s: Int, _ e: Int, _ plain: Label) -> Label? {
        if pseudonyms != nil, !addressOwner.isEmpty,
            let key = PersonKey.address(String(decoding: UnsafeBufferPointer(rebasing: t[s..<e]), as: UTF8.self)),
            let owner = addressOwner[key]
        {
            return label(person: owner)
        }
        return masksContacts ? plain : nil
    }

    @inline(__always) private static func lower(_ b: UInt8) -> UInt8 { b >= 0x41 && b <= 0x5A ? b | 0x20 : b }
    @inline(__always) private static func isWord(_ b: UInt8) -> Bool {
        (b >= 0x30 && b <= 0x39) || ((b | 0x20) >= 0x61 && (b | 0x20) <= 0x7A) || b == 0x5F || b >= 0x80
    }
    @inline(__always) private static func isSpace(_ b: UInt8) -> Bool { b == 0x20 || b == 0x09 || b == 0x0A || b == 0x0D }

    /// The directory's names in the text, on word boundaries: whole names in any case with any
    /// run of white space between their words; parts only where written with a capital.
    private func nameSpans(_ text: [UInt8]) -> [(range: Range<Int>, label: Label)] {
        var out: [(range: Range<Int>, label: Label)] = []
        var i = 0
        let n = text.count
        while i < n {
            if i > 0 && Self.isWord(text[i - 1]) { i += 1; continue }
            guard let candidates = nameIndex[Self.lower(text[i])] else { i += 1; continue }
            var matchedEnd: Int? = nil
            for c in candidates {
                if c.isPart, !(text[i] >= 0x41 && text[i] <= 0x5A || text[i] >= 0x80) { continue }
                var j = i, k = 0
                while k < c.key.count, j < n {
                    if c.key[k] == 0x20 {
                        guard Self.isSpace(text[j]) else { break }
                        while j < n, Self.isSpace(text[j]) { j += 1 }
                        k += 1
                    } else if Self.lower(text[j]) == c.key[k] {
                        j += 1; k += 1
                    } else {
                        break
                    }
                }
                if k == c.key.count, j == n || !Self.isWord(text[j]) {
                    out.append((i..<j, label(person: c.person)))
                    matchedEnd = j
                    break
                }
            }
            i = matchedEnd ?? (i + 1)
        }
        return out
    }

    /// The token at a cut edge of a window, when it holds what is left of a number, address or
    /// link (a digit, `@` or `/`).
    private func edgeToken(_ text: [UInt8], atStart: Bool) -> (range: Range<Int>, label: Label)? {
        guard !text.isEmpty else { return nil }
        var r: Range<Int>
        if atStart {
            var e = 0
            while e < text.count, !Self.isSpace(text[e]) { e += 1 }
            r = 0..<e
        } else {
            var s = text.count
            while s > 0, !Self.isSpace(text[s - 1]) { s -= 1 }
            r = s..<text.count
        }
        let token = text[r]
        if token.contains(0x40) { return (r, .email) }
        if token.contains(0x2F) { return (r, .url) }
        if token.contains(where: { $0 >= 0x30 && $0 <= 0x39 }) { return (r, .phone) }
        return nil
    }

    /// Masks `text`, keeping the `protected` ranges (the policy words) as they are, and returns the
    /// masked text with `matches` moved to it. A match inside a masked span covers its label.
    public func mask(
        _ text: String, protected: [Range<Int>] = [], matches: [Range<Int>] = [],
        cutBefore: Bool = false, cutAfter: Bool = false
    ) -> (text: String, matches: [Range<Int>]) {
        guard isActive else { return (text, matches) }
        let bytes = Array(text.utf8)
        let spans = Self.subtract(spans(in: bytes, cutBefore: cutBefore, cutAfter: cutAfter), protected)
        if spans.isEmpty { return (text, matches) }
        var out: [UInt8] = []
        out.reserveCapacity(bytes.count)
        // For each span: where it starts and ends in the output.
        var placed: [(old: Range<Int>, new: Range<Int>)] = []
        var at = 0
        for s in spans {
            out += bytes[at..<s.range.lowerBound]
            let start = out.count
            out += Array(s.label.text.utf8)
            placed.append((s.range, start..<out.count))
            at = s.range.upperBound
        }
        out += bytes[at...]

        /// An offset of the original text in the masked one; inside a span, its label's start
        /// (for a match's start) or end (for its end).
        func moved(_ o: Int, isEnd: Bool) -> Int {
            var shift = 0
            for p in placed {
                if o <= p.old.lowerBound { break }
                if o < p.old.upperBound { return isEnd ? p.new.upperBound : p.new.lowerBound }
                shift = p.new.upperBound - p.old.upperBound
            }
            return o + shift
        }
        var moves: [Range<Int>] = []
        for m in matches where m.lowerBound >= 0 && m.upperBound <= bytes.count && !m.isEmpty {
            let s = moved(m.lowerBound, isEnd: false), e = moved(m.upperBound, isEnd: true)
            if s < e { moves.append(s..<e) }
        }
        return (String(decoding: out, as: UTF8.self), EvidenceWindows.merge(moves))
    }

    /// `spans` without the parts inside any of `protected`.
    static func subtract(_ spans: [(range: Range<Int>, label: Label)], _ protected: [Range<Int>]) -> [(range: Range<Int>, label: Label)] {
        let keep = EvidenceWindows.merge(protected)
        if keep.isEmpty { return spans }
        var out: [(range: Range<Int>, label: Label)] = []
        for s in spans {
            var lo = s.range.lowerBound
            for k in keep where k.upperBound > lo && k.lowerBound < s.range.upperBound {
                if k.lowerBound > lo { out.append((lo..<k.lowerBound, s.label)) }
                lo = max(lo, k.upperBound)
            }
            if lo < s.range.upperBound { out.append((lo..<s.range.upperBound, s.label)) }
        }
        return out
    }
}

/// The keys that tie a person's appearances together: a name's key (lower case, single spaces)
/// and an address's key (E.164 for phone numbers, lower case otherwise), as the directory has them.
public enum PersonKey {
    public static func name(_ name: String) -> String? { PeopleDirectory.nameKey(name) }
    public static func address(_ address: String) -> String? { PeopleDirectory.addressKey(address) }
}
