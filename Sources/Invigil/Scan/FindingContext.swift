/// What a reviewer needs around a finding: who wrote the event, to whom, when, on which channel,
/// and the evidence window of text around the finding's matches.
///
/// ```swift
/// let scanner = Scanner(rules: rules)
/// try scanner.scanJSON(Array(line.utf8))
/// let context = scanner.context()
/// for finding in scanner.findings {
///     if let window = scanner.evidenceWindow(for: finding) { print(context.author?.name ?? "?", window.text) }
/// }
/// ```

/// A person as an event names them: only the keys the event has are set.
public struct EventPerson: Sendable, Equatable {
    /// The person's `id` in the event.
    public var id: String?
    /// The person's `name` in the event.
    public var name: String?
    /// The person's `role` in the event (`staff`, `pupil`).
    public var role: String?

    /// A person with the keys given.
    public init(id: String? = nil, name: String? = nil, role: String? = nil) {
        self.id = id
        self.name = name
        self.role = role
    }

    /// True when the event gave none of the three.
    public var isEmpty: Bool { id == nil && name == nil && role == nil }
}

/// The event's author, time, channel and recipients, as far as the event has them.
public struct EventContext: Sendable, Equatable {
    /// The event's `author`, when it names one.
    public var author: EventPerson?
    /// The event's `time` as given (for example `2024-03-12T21:04:00+00:00`).
    public var time: String?
    /// The event's `type` (`direct_message`, `email`, `post`).
    public var channelType: String?
    /// `account.platform` (`WhatsApp`, `Instagram`).
    public var platform: String?
    /// The event's `recipients`, in order.
    public var recipients: [EventPerson] = []
    /// The event's `school` code.
    public var school: String?

    /// An empty context.
    public init() {}
}

/// The evidence of a finding: the text around its matches in one value of one field, at most
/// about `maxBytes` long and cut on character boundaries, with overlapping matches merged.
public struct EvidenceWindow: Sendable, Equatable {
    /// Index into `RuleSet.fields`.
    public var field: Int
    /// Which value of a list field.
    public var valueIndex: Int
    /// Byte offsets of the window in the field's value.
    public var start: Int
    /// Byte offset just past the window in the field's value.
    public var end: Int
    /// The length of the whole value in bytes (so that a reader can tell a cut window).
    public var valueLength: Int
    /// The window's text (the value's bytes `start..<end`).
    public var text: String
    /// The merged matches inside the window, as byte offsets into `text`, in order.
    public var matches: [Range<Int>]
}

extension Scanner {
    /// A value of the current event in its textual form: strings as they are, enumeration values
    /// by name, booleans and integers in decimal, times as given in the event (or in UTC ISO 8601
    /// when set as a number). Nil when the field has no such value.
    public func textValue(field: Int, valueIndex: Int) -> String? {
        guard field >= 0, field < values.fieldCount, valueIndex >= 0, valueIndex < values.count(field) else { return nil }
        let v = values[field, valueIndex]
        switch rules.fieldKinds[field] {
        case .string, .text:
            return String(decoding: arena[Int(v.a)..<Int(v.a + v.b)], as: UTF8.self)
        case .enumeration:
            let names = rules.fields[field].enumValues
            return v.a >= 0 && Int(v.a) < names.count ? names[Int(v.a)] : nil
        case .bool:
            return v.a != 0 ? "true" : "false"
        case .int:
            return String(v.a)
        case .time:
            if let given = givenTimeText(v) { return given }
            return CivilTime.format(v.a)
        }
    }

    /// The value of list field `field` at a group element, or nil (also for a nil field).
    func textValue(field: Int?, element: Int32) -> String? {
        guard let field else { return nil }
        for (i, v) in values.of(field).enumerated() where v.element == element {
            return textValue(field: field, valueIndex: i)
        }
        return nil
    }

    /// The first value of `field`, or nil (also for a nil field).
    func textValue(field: Int?) -> String? { field.flatMap { textValue(field: $0, valueIndex: 0) } }

    /// The current event's author, time, channel, recipients and school, as far as it has them.
    public func context() -> EventContext {
        let slots = contextSlots
        var c = EventContext()
        let author = EventPerson(
            id: textValue(field: slots.authorID), name: textValue(field: slots.authorName), role: textValue(field: slots.authorRole))
        c.author = author.isEmpty ? nil : author
        c.time = textValue(field: slots.time)
        c.channelType = textValue(field: slots.type)
        c.platform = textValue(field: slots.platform)
        c.school = textValue(field: slots.school)
        if let group = slots.recipients {
            let count = Int(groupCounts[group])
            for e in 0..<min(count, 1000) {
                let element = Int32(e)
                var person = EventPerson(
                    id: textValue(field: slots.recipientID, element: element),
                    name: textValue(field: slots.recipientName, element: element),
                    role: textValue(field: slots.recipientRole, element: element))
                if person.name == nil { person.name = textValue(field: slots.recipientAddress, element: element) }
                c.recipients.append(person)
            }
        }
        return c
    }

    /// The evidence window of a finding of the current event: in the value that holds most of its
    /// matches (the first such value on a tie), or, for a finding without matches, the start of
    /// the event's `text`. Nil when there is no text to show.
    public func evidenceWindow(for finding: Finding, maxBytes: Int = EvidenceWindows.defaultBytes) -> EvidenceWindow? {
        let spans = matches[finding.matches]
        var best: (field: Int, value: Int, count: Int)? = nil
        // Per value, the spans seen so far in it: a finding has few spans, and a list is cheaper
        // than a dictionary made for every finding.
        var counts: [(field: Int, value: Int, count: Int)] = []
        for m in spans {
            let n: Int
            if let i = counts.firstIndex(where: { $0.field == m.field && $0.value == m.valueIndex }) {
                counts[i].count += 1
                n = counts[i].count
            } else {
                counts.append((m.field, m.valueIndex, 1))
                n = 1
            }
            if best == nil || n > best!.count { best = (m.field, m.valueIndex, n) }
        }
        let field: Int, valueIndex: Int
        var ranges: [Range<Int>] = []
        if let best {
            field = best.field
            valueIndex = best.value
            for m in spans where m.field == field && m.valueIndex == valueIndex && m.start < m.end { ranges.append(m.start..<m.end) }
        } else {
            guard let text = contextSlots.text, !values.isEmpty(text) else { return nil }
            field = text
            valueIndex = 0
        }
        // The value is read where it lies in the arena: a copy of it per finding was a third of
        // this function's instructions.
        guard let range = stringRange(field: field, valueIndex: valueIndex), !range.isEmpty else { return nil }
        return arena.withUnsafeBufferPointer { all in
            let value = UnsafeBufferPointer(rebasing: all[range])
            let w = EvidenceWindows.window(of: value, matches: ranges, maxBytes: maxBytes)
            return EvidenceWindow(
                field: field, valueIndex: valueIndex, start: w.start, end: w.end,
                valueLength: value.count, text: String(decoding: UnsafeBufferPointer(rebasing: value[w.start..<w.end]), as: UTF8.self),
                matches: w.matches)
        }
    }
}

/// The window arithmetic, apart from the scanner so that tests can check it against a reference.
public enum EvidenceWindows {
    /// About the size the output contract names (300 bytes).
    public static let defaultBytes = 300

    /// Merges overlapping ranges (empty ones dropped) into sorted, disjoint ranges.
    public static func merge(_ ranges: [Range<Int>]) -> [Range<Int>] {
        var out: [Range<Int>] = []
        for r in ranges.filter({ !$0.isEmpty }).sorted(by: { $0.lowerBound < $1.lowerBound }) {
            if let last = out.last, r.lowerBound < last.upperBound {
                out[out.count - 1] = last.lowerBound..<max(last.upperBound, r.upperBound)
            } else {
                out.append(r)
            }
        }
        return out
    }

    /// The window over `value` for `matches` (byte ranges in it): from the first merged match
    /// through as many of the following ones as fit in `maxBytes`, widened evenly on both sides up
    /// to `maxBytes`, then narrowed to UTF-8 character boundaries. A first match longer than
    /// `maxBytes` is cut. The matches it returns are the merged matches inside the window, clipped
    /// to it, as offsets from its start.
    public static func window(of value: [UInt8], matches: [Range<Int>], maxBytes: Int) -> (start: Int, end: Int, matches: [Range<Int>]) {
        value.withUnsafeBufferPointer { window(of: $0, matches: matches, maxBytes: maxBytes) }
    }

    /// The window over `value` (its bytes where they lie); see `window(of:matches:maxBytes:)`.
    public static func window(
        of value: UnsafeBufferPointer<UInt8>, matches: [Range<Int>], maxBytes: Int
    ) -> (start: Int, end: Int, matches: [Range<Int>]) {
        let limit = max(1, maxBytes)
        let merged = merge(matches.map { max(0, $0.lowerBound)..<min(value.count, max(0, $0.upperBound)) })
        var start = 0, end = min(value.count, limit)
        if let first = merged.first {
            start = first.lowerBound
            end = min(first.upperBound, start + limit)
            for r in merged.dropFirst() where r.upperBound - start <= limit { end = max(end, r.upperBound) }
            // Widen: half the room before, the rest after, giving unused room to the other side.
            let room = limit - (end - start)
            if room > 0 {
                var before = min(room / 2, start)
                let after = min(room - before, value.count - end)
                before = min(room - after, start)
                start -= before
                end += after
            }
        }
        // Character boundaries: never start or end inside a multi-byte character.
        while start < end, start < value.count, value[start] & 0xC0 == 0x80 { start += 1 }
        while end > start, end < value.count, value[end] & 0xC0 == 0x80 { end -= 1 }
        var inside: [Range<Int>] = []
        for r in merged {
            let lo = max(r.lowerBound, start), hi = min(r.upperBound, end)
            if lo < hi { inside.append((lo - start)..<(hi - start)) }
        }
        return (start, end, inside)
    }
}

/// The slots of the fields a finding's context names, looked up once per scanner rather than by
/// name for every event with findings.
struct ContextSlots {
    let authorID: Int?, authorName: Int?, authorRole: Int?
    let time: Int?, type: Int?, platform: Int?, school: Int?, text: Int?
    /// The `recipients` group, and its members' fields.
    let recipients: Int?
    let recipientID: Int?, recipientName: Int?, recipientRole: Int?, recipientAddress: Int?

    init(rules: RuleSet) {
        let slot = { (name: String) in rules.fieldIndex[name] }
        authorID = slot("author.id")
        authorName = slot("author.name")
        authorRole = slot("author.role")
        time = slot("time")
        type = slot("type")
        platform = slot("account.platform")
        school = slot("school")
        text = slot("text")
        recipients = rules.groups.firstIndex(where: { $0 == "recipients" })
        recipientID = slot("recipients.id")
        recipientName = slot("recipients.name")
        recipientRole = slot("recipients.role")
        recipientAddress = slot("recipients.address")
    }
}
