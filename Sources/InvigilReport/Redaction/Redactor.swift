import Invigil
import InvigilArchive

/// `--redact` and `--pseudonymise` applied to a finding's parts, the same way for `scan` (every
/// output format) and `report`. See `TextMasker` for what is masked in text; in addition:
/// - people (`author`, `recipients`): with pseudonyms, `id` and `name` become the person's
///   pseudonym; with `--redact` alone, `name` becomes `[name]` and `id` is masked as text (an
///   email address or phone number used as an id becomes `[email]` or `[phone]`); `role` stays;
/// - the event's id is masked as text (a Message-ID holds an email address); `source`
///   (`file:line`) stays, so that the safeguarding team can find the message in the archive;
/// - matches: an excerpt of a policy word (a phrase or host list) stays; a detector's excerpt
///   (`phone`, `email`, `url`) is masked.
public struct Redactor: Sendable {
    public let masker: TextMasker
    public let pseudonyms: Pseudonymiser?
    public let redacts: Bool

    /// No masking at all.
    public static let none = Redactor(redact: false, pseudonyms: nil, directory: nil)

    public init(redact: Bool, pseudonyms: Pseudonymiser?, directory: PeopleDirectory?) {
        self.redacts = redact
        self.pseudonyms = pseudonyms
        var people: [String: [String]] = [:]
        var order: [String] = []
        for p in directory?.everyone ?? [] {
            if people[p.name] == nil { order.append(p.name) }
            people[p.name, default: []].append(p.address)
        }
        masker = TextMasker(masksContacts: redact, masksNames: redact, people: order.map { ($0, people[$0]!) }, pseudonyms: pseudonyms)
    }

    public var isActive: Bool { redacts || pseudonyms != nil }

    /// Whether a match pattern is one of the core's detectors (its excerpt is personal data,
    /// not a policy word).
    public static func isDetector(pattern: String) -> Bool {
        Detector.allCases.contains { $0.name == pattern }
    }

    /// A person with their name and id masked or pseudonymised (role kept).
    public func person(id: String?, name: String?, role: String?) -> (id: String?, name: String?, role: String?) {
        guard isActive else { return (id, name, role) }
        if let pseudonyms, let p = pseudonyms.pseudonym(id: id, name: name) {
            return (id == nil ? nil : p, name == nil ? nil : p, role)
        }
        return (id.map { masker.mask($0).text }, name == nil ? nil : TextMasker.Label.name.text, role)
    }

    public func person(_ p: FindingRecord.Person) -> FindingRecord.Person {
        let r = person(id: p.id, name: p.name, role: p.role)
        return FindingRecord.Person(id: r.id, name: r.name, role: r.role)
    }

    /// An identifier or other short text, masked.
    public func text(_ s: String) -> String { isActive ? masker.mask(s).text : s }

    /// A match's excerpt: a policy word stays, a detector's match is masked.
    public func excerpt(_ s: String, pattern: String) -> String {
        guard isActive, Self.isDetector(pattern: pattern) else { return s }
        return masker.mask(s).text
    }

    /// An evidence window's text and merged matches, with the policy words (`protected`, offsets
    /// in `text`) kept.
    public func window(text: String, matches: [Range<Int>], protected: [Range<Int>], cutBefore: Bool, cutAfter: Bool) -> (
        text: String, matches: [Range<Int>]
    ) {
        guard isActive else { return (text, matches) }
        return masker.mask(text, protected: protected, matches: matches, cutBefore: cutBefore, cutAfter: cutAfter)
    }

    /// A whole finding read from JSONL. The window's policy words are the matches of phrase and
    /// host lists that fall in it; its end is taken as cut, since JSONL does not say the value's length.
    public func redact(_ f: FindingRecord) -> FindingRecord {
        guard isActive else { return f }
        var r = f
        r.event = text(f.event)
        r.author = f.author.map(person)
        r.recipients = f.recipients.map(person)
        r.matches = f.matches.map { m in
            var m = m
            m.excerpt = excerpt(m.excerpt, pattern: m.pattern)
            return m
        }
        if let w = f.window {
            var protected: [Range<Int>] = []
            let length = w.text.utf8.count
            for m in f.matches where !Self.isDetector(pattern: m.pattern) && m.field == w.field && m.index == w.index {
                let s = max(0, m.start - w.start), e = min(length, m.end - w.start)
                if s < e { protected.append(s..<e) }
            }
            let masked = window(text: w.text, matches: w.matches, protected: protected, cutBefore: w.start > 0, cutAfter: true)
            r.window = FindingRecord.Window(text: masked.text, field: w.field, index: w.index, start: w.start, end: w.end, matches: masked.matches)
        }
        return r
    }
}
