/// A directory of people (`--directory people.csv`): rows `address,name,role[,relation]`, an
/// optional header row (`address,name,...`). Gives mail and chat authors and recipients their
/// roles: `author.role` from `account.email` (or, failing that, `author.name`), and
/// `recipients.role` at the same element as `recipients.address` (or `recipients.name`).
/// Addresses match case-insensitively, names exactly. A relation of `family` sets
/// `recipients.family = true` on that recipient. Fields already set are kept.
public struct PeopleDirectory: Sendable {
    public struct Person: Sendable, Equatable {
        public var address: String
        public var name: String
        public var role: String
        public var relation: String
    }

    private var byAddress: [String: Person] = [:]
    private var byName: [String: Person] = [:]
    public var count: Int { max(byAddress.count, byName.count) }

    public static let roles: Set<String> = ["staff", "governor", "volunteer", "contractor", "pupil", "parent", "public", "unknown"]

    public init(people: [Person]) {
        for p in people { add(p) }
    }

    private mutating func add(_ p: Person) {
        if !p.address.isEmpty { byAddress[p.address.lowercased()] = p }
        if !p.name.isEmpty, byName[p.name] == nil { byName[p.name] = p }
    }

    /// Reads the CSV. Errors name the file and line: a row with fewer than three cells, or a role
    /// outside the schema's list.
    public init(path: String) throws(ArchiveOpenError) {
        var options = CSVOptions()
        options.header = false
        let source = try CSVRowReader(path: path, options: options)
        var errors: [String] = []
        while let row = source.nextRow() {
            switch row {
            case .rejected(let line, let reason):
                errors.append("line \(line): \(reason)")
            case .cells(let line, let cells):
                let c = cells.map { $0.trimmingSpaces() }
                if line == 1, c.first?.lowercased() == "address" { continue }
                if c.allSatisfy(\.isEmpty) { continue }
                guard c.count >= 3 else { errors.append("line \(line): expected address,name,role[,relation]"); continue }
                let role = c[2].lowercased()
                guard Self.roles.contains(role) else {
                    errors.append("line \(line): unknown role '\(c[2])' (\(Self.roles.sorted().joined(separator: ", ")))")
                    continue
                }
                add(Person(address: c[0], name: c[1], role: role, relation: c.count > 3 ? c[3].lowercased() : ""))
            }
            if errors.count >= 20 { break }
        }
        if !errors.isEmpty { throw ArchiveOpenError(path: path, reason: errors.joined(separator: "; ")) }
    }

    public func person(address: String) -> Person? { byAddress[address.lowercased()] }
    public func person(name: String) -> Person? { byName[name] }

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
                if f.name == "recipients.address" { recipientAddress[e] = v } else if f.name == "recipients.name" { recipientName[e] = v } else { recipientHasRole.insert(e) }
            default: break
            }
        }
        if !hasAuthorRole {
            let p = authorAddress.flatMap { person(address: $0) } ?? authorName.flatMap { person(name: $0) ?? person(address: $0) }
            if let p { fields.append(ArchiveField("author.role", .string(p.role))) }
        }
        let elements = Set(recipientAddress.keys).union(recipientName.keys).sorted()
        for e in elements where !recipientHasRole.contains(e) {
            let p = recipientAddress[e].flatMap { person(address: $0) } ?? recipientName[e].flatMap { person(name: $0) ?? person(address: $0) }
            guard let p else { continue }
            fields.append(ArchiveField("recipients.role", .string(p.role), element: e, list: true))
            if p.relation == "family" { fields.append(ArchiveField("recipients.family", .bool(true), element: e, list: true)) }
        }
    }
}
