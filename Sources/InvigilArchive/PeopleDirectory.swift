/// A directory of people (`--directory people.csv`) that gives mail and chat authors and
/// recipients their roles: `author.role` from `account.email` (or, failing that, `author.name`),
/// and `recipients.role` at the same element as `recipients.address` (or `recipients.name`). A
/// relation of `family` sets `recipients.family = true` on that recipient. Fields already set are
/// kept.
///
/// The CSV has rows `address,name,role[,relation]`. A first row whose cells are column names
/// (`email,name,role`, `name,phone,role,relation`, in any order) is a header and says the order.
/// An address is an email address or a phone number. People are found:
/// - by email address, ignoring case;
/// - by phone number in E.164 form, however it is written (`07700 900111`, `+44 7700 900111`,
///   `0044 (0)7700-900111`): UK national numbers (a leading 0) are read as +44;
/// - by name, ignoring case and runs of spaces (`Jo  Bloggs` is `jo bloggs`).
///
/// ```swift
/// let people = PeopleDirectory(people: [.init(address: "+44 7700 900111", name: "Jo Bloggs", role: "staff", relation: "")])
/// people.person(address: "07700900111")?.role   // "staff"
/// ```
public struct PeopleDirectory: Sendable {
    /// One person of the directory.
    public struct Person: Sendable, Equatable {
        /// An email address or phone number (`07700 900111`, `+44 7700 900111`).
        public var address: String
        /// The name messages show for the person.
        public var name: String
        /// One of `roles`.
        public var role: String
        /// The relation to the school or a pupil, free text; `family` marks a recipient as family.
        public var relation: String

        /// A person with these fields.
        public init(address: String, name: String, role: String, relation: String) {
            self.address = address
            self.name = name
            self.role = role
            self.relation = relation
        }
    }

    private var byAddress: [String: Person] = [:]
    private var byName: [String: Person] = [:]
    private var people: [Person] = []
    /// The number of people read.
    public var count: Int { people.count }

    /// The roles of the event schema that a directory may assign.
    public static let roles: Set<String> = ["staff", "governor", "volunteer", "contractor", "pupil", "parent", "public", "unknown"]

    /// A directory of `people`; for an address or name given twice, the first entry is found.
    public init(people: [Person]) {
        for p in people { add(p) }
    }

    private mutating func add(_ p: Person) {
        people.append(p)
        if let key = Self.addressKey(p.address), byAddress[key] == nil { byAddress[key] = p }
        if let key = Self.nameKey(p.name), byName[key] == nil { byName[key] = p }
    }

    /// The column names a header row may use, and the column each stands for.
    private static let headerNames: [String: Column] = [
        "address": .address, "email": .address, "e-mail": .address, "mail": .address, "phone": .address,
        "number": .address, "mobile": .address, "handle": .address, "contact": .address,
        "name": .name, "display name": .name, "full name": .name,
        "role": .role, "relation": .relation, "relationship": .relation
    ]
    private enum Column { case address, name, role, relation }

    /// Reads the CSV. Errors name the file and line: a row with fewer than three cells, a role
    /// outside the schema's list, or a header without a role column.
    public init(path: String) throws(ArchiveOpenError) {
        var options = CSVOptions()
        options.header = false
        let source = try CSVRowReader(path: path, options: options)
        var errors: [String] = []
        var order: [Column] = [.address, .name, .role, .relation]
        var seenRow = false
        while let row = source.nextRow() {
            switch row {
            case .rejected(let line, let reason):
                errors.append("line \(line): \(reason)")
            case .cells(let line, let cells):
                let c = cells.map { $0.trimmingSpaces() }
                if c.allSatisfy(\.isEmpty) { continue }
                if !seenRow {
                    seenRow = true
                    let named = c.map { Self.headerNames[$0.lowercased()] }
                    if named.contains(where: { $0 != nil }) && !c.contains(where: { Self.roles.contains($0.lowercased()) }) {
                        // A header: its columns say the order.
                        guard named.contains(.role) else {
                            errors.append("line \(line): the header has no role column (address,name,role[,relation])")
                            break
                        }
                        order = named.map { $0 ?? .relation }
                        var used: Set<String> = []
                        for (i, n) in named.enumerated() where n == nil { used.insert(c[i]) }
                        if !used.isEmpty {
                            errors.append(
                                "line \(line): unknown column\(used.count == 1 ? "" : "s") \(used.sorted().joined(separator: ", ")) (address, email, phone, name, role, relation)"
                            )
                        }
                        continue
                    }
                }
                var person = Person(address: "", name: "", role: "", relation: "")
                for (i, column) in order.enumerated() where i < c.count {
                    switch column {
                    case .address: if person.address.isEmpty { person.address = c[i] }
                    case .name: person.name = c[i]
                    case .role: person.role = c[i].lowercased()
                    case .relation: if person.relation.isEmpty { person.relation = c[i].lowercased() }
                    }
                }
                guard c.count >= 3, !person.role.isEmpty else { errors.append("line \(line): expected address,name,role[,relation]"); continue }
                guard Self.roles.contains(person.role) else {
                    errors.append("line \(line): unknown role '\(person.role)' (\(Self.roles.sorted().joined(separator: ", ")))")
                    continue
                }
                add(person)
            }
            if errors.count >= 20 { break }
        }
        if !errors.isEmpty { throw ArchiveOpenError(path: path, reason: errors.joined(separator: "; ")) }
    }

    /// The person with this email address or phone number, however written.
    public func person(address: String) -> Person? {
        guard let key = Self.addressKey(address) else { return nil }
        return byAddress[key]
    }

    /// The person with this name (case and runs of spaces ignored).
    public func person(name: String) -> Person? {
        guard let key = Self.nameKey(name) else { return nil }
        return byName[key]
    }

    /// The person an identity names: an address, a phone number or a name (chat senders are a
    /// name or, when not in the phone's contacts, a number).
    public func person(identity: String) -> Person? {
        person(address: identity) ?? person(name: identity)
    }

    /// Every row, in the file's order (redaction and pseudonyms go through them).
    public var everyone: [Person] { people }

    /// Every name and address the directory holds, for masking them (the report's redaction).
    package var allNamesAndAddresses: [String] {
        people.flatMap { [$0.name, $0.address] }.filter { !$0.isEmpty }
    }

    /// The key an address is found by: a phone number in E.164 form (`+447700900111`), otherwise
    /// the address in lower case. Nil for an empty address.
    package static func addressKey(_ address: String) -> String? {
        let trimmed = address.trimmingSpaces()
        if trimmed.isEmpty { return nil }
        if let phone = e164(trimmed) { return phone }
        return trimmed.lowercased()
    }

    /// A phone number in E.164 form, or nil when `text` is not one: digits with optional `+`,
    /// spaces, dots, dashes, slashes and parentheses, 7 to 15 digits. `00` starts an international
    /// number like `+`; a leading `0` is a UK national number (+44); `(0)` after a country code is
    /// dropped.
    package static func e164(_ text: String) -> String? {
        var digits: [UInt8] = []
        var plus = false
        var sawDigit = false
        let bytes = Array(text.utf8)
        var i = 0
        while i < bytes.count {
            let b = bytes[i]
            switch b {
            case UInt8(ascii: "0")...UInt8(ascii: "9"):
                digits.append(b)
                sawDigit = true
            case UInt8(ascii: "+"):
                if sawDigit || plus { return nil }
                plus = true
            case UInt8(ascii: "("):
                // "(0)" after an international prefix is the trunk prefix, written for national use.
                if i + 2 < bytes.count, bytes[i + 1] == UInt8(ascii: "0"), bytes[i + 2] == UInt8(ascii: ")"),
                    plus || digits.starts(with: [0x30, 0x30])
                {
                    i += 3
                    continue
                }
            case UInt8(ascii: ")"), UInt8(ascii: " "), UInt8(ascii: "."), UInt8(ascii: "-"), UInt8(ascii: "/"), 0xA0:
                break
            case 0xC2 where i + 1 < bytes.count && bytes[i + 1] == 0xA0:
                i += 1  // no-break space
            case 0xE2
            where i + 2 < bytes.count && bytes[i + 1] == 0x80
                && (bytes[i + 2] == 0xAA || bytes[i + 2] == 0xAC || bytes[i + 2] == 0x8E || bytes[i + 2] == 0x8F):
                i += 2  // direction marks that WhatsApp puts around numbers
            default:
                return nil
            }
            i += 1
        }
        var national: ArraySlice<UInt8>
        if plus {
            national = digits[...]
        } else if digits.starts(with: [0x30, 0x30]) {
            national = digits.dropFirst(2)
        } else if digits.first == 0x30 {
            national = [0x34, 0x34] + digits.dropFirst()
        } else {
            return nil
        }
        guard national.count >= 7, national.count <= 15, national.first != 0x30 else { return nil }
        return "+" + String(decoding: national, as: UTF8.self)
    }

    /// A name's key: lower case, runs of spaces made one, no spaces at the ends.
    package static func nameKey(_ name: String) -> String? {
        let words = name.lowercased().split(whereSeparator: { $0 == " " || $0 == "\t" || $0 == "\u{A0}" })
        return words.isEmpty ? nil : words.joined(separator: " ")
    }

    /// Adds roles (and family relations) to an event's fields.
    public func apply(to fields: inout [ArchiveField]) {
        var authorAddress: String? = nil
        var authorName: String? = nil
        var hasAuthorRole = false
        var recipientAddress: [Int32: String] = [:]
        var recipientName: [Int32: String] = [:]
        var recipientHasRole: Set<Int32> = []
        var nextElement: Int32 = 0
        for f in fields {
            guard case .string(let v) = f.value else { continue }
            switch f.name {
            case "account.email": authorAddress = v
            case "author.name": authorName = v
            case "account.handle": if authorName == nil { authorName = v }
            case "author.role": hasAuthorRole = true
            case "recipients.address", "recipients.name", "recipients.role":
                let e = f.element ?? nextElement
                nextElement = max(nextElement, e + 1)
                if f.name == "recipients.address" {
                    recipientAddress[e] = v
                } else if f.name == "recipients.name" {
                    recipientName[e] = v
                } else {
                    recipientHasRole.insert(e)
                }
            default: break
            }
        }
        if !hasAuthorRole {
            let p = authorAddress.flatMap { person(address: $0) } ?? authorName.flatMap { person(identity: $0) }
            if let p { fields.append(ArchiveField("author.role", .string(p.role))) }
        }
        let elements = Set(recipientAddress.keys).union(recipientName.keys).sorted()
        for e in elements where !recipientHasRole.contains(e) {
            let p = recipientAddress[e].flatMap { person(address: $0) } ?? recipientName[e].flatMap { person(identity: $0) }
            guard let p else { continue }
            fields.append(ArchiveField("recipients.role", .string(p.role), element: e, list: true))
            if p.relation == "family" { fields.append(ArchiveField("recipients.family", .bool(true), element: e, list: true)) }
        }
    }
}
