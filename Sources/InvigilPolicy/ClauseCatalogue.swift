import Invigil

/// One clause of the catalogue (`policies/clauses.tsv`, converted from the catalogue's Markdown by
/// `scripts/import-clauses`; the format is described in `policies/README.md`).
public struct CatalogueClause: Sendable, Equatable {
    /// `PCHS-15`, `WOOL-13a`.
    public var id: String
    /// The school code: the part of the ID before the last dash.
    public var school: String
    /// The policy section the clause comes from (`§6 Personal use of social media`).
    public var section: String = ""
    /// The paraphrase, without the tag and the quoted key words.
    public var statement: String
    /// The policy's own words, quoted (`"must not have contact through …"`), or empty.
    public var keyWords: String = ""
    /// `scope`, `definition`, `permission`, `institutional`, `consequence`, `purpose`, or empty.
    public var tag: String
    /// Who the clause binds (`staff, governor`).
    public var binds: String = ""
    /// The event kinds it concerns (`post, comment, dm`).
    public var events: String = ""
    /// `yes`, `partly` or `no`.
    public var checkable: String
    /// The Signals column: the signals a rule needs, or for `no` rows the reason.
    public var signals: String
    /// The consequence the policy names.
    public var consequence: String = ""
    /// The catalogue's derived severity, as written (`safeguarding-critical (pupil) / breach (parent)`).
    public var severity: String

    public init(
        id: String, school: String, section: String = "", statement: String, keyWords: String = "",
        tag: String, binds: String = "", events: String = "", checkable: String, signals: String,
        consequence: String = "", severity: String
    ) {
        self.id = id
        self.school = school
        self.section = section
        self.statement = statement
        self.keyWords = keyWords
        self.tag = tag
        self.binds = binds
        self.events = events
        self.checkable = checkable
        self.signals = signals
        self.consequence = consequence
        self.severity = severity
    }

    /// For `no` rows, the reason code (`R-INST`); empty otherwise.
    public var reasonCode: String {
        guard signals.hasPrefix("R-") else { return "" }
        var code = ""
        for ch in signals {
            if ch == "-" || ch.isLetter { code.append(ch) } else { break }
        }
        return code
    }
}

/// A line of the catalogue file that cannot be read: `path:line: message`.
public struct CatalogueError: Error, Sendable, CustomStringConvertible {
    public var path: String
    public var line: Int
    public var message: String
    public var description: String { "\(path):\(line): \(message)" }
}

/// The clause catalogue: its rows and the schools, in the catalogue's order.
public struct ClauseCatalogue: Sendable {
    public var clauses: [CatalogueClause] = []
    /// School code, the heading text after it (`Bratton Primary School — Wiltshire model ...`) and
    /// the policy's file in `policies/`.
    public var schools: [(code: String, title: String, file: String)] = []

    /// The clause with this ID, if any.
    public func clause(_ id: String) -> CatalogueClause? { clauses.first { $0.id == id } }

    /// Reads the catalogue file (`policies/clauses.tsv`). `path` names it in errors.
    ///
    /// - Throws: `CatalogueError` for a record of an unknown kind, a wrong number of fields, a
    ///   malformed clause ID or machine-checkable value, a bad escape, or a repeated ID.
    public init(parsing text: String, path: String = "clauses.tsv") throws {
        var seen: Set<String> = []
        var lineNumber = 0
        for rawLine in text.split(separator: "\n", omittingEmptySubsequences: false) {
            lineNumber += 1
            var line = Substring(rawLine)
            if line.last == "\r" { line.removeLast() }
            if line.isEmpty || line.first == "#" { continue }
            func fail(_ message: String) -> CatalogueError { CatalogueError(path: path, line: lineNumber, message: message) }
            var fields: [String] = []
            for raw in line.split(separator: "\t", omittingEmptySubsequences: false) {
                guard let field = unescapeField(raw) else { throw fail("bad escape in field \(fields.count + 1)") }
                fields.append(field)
            }
            switch fields[0] {
            case "school":
                guard fields.count == 4 else { throw fail("a school record has 4 fields, this one \(fields.count)") }
                guard isSchoolCode(fields[1]) else { throw fail("'\(fields[1])' is not a school code (capital letters)") }
                schools.append((fields[1], fields[2], fields[3]))
            case "clause":
                guard fields.count == 12 else { throw fail("a clause record has 12 fields, this one \(fields.count)") }
                let id = fields[1]
                guard isClauseID(id) else { throw fail("'\(id)' is not a clause ID (SCHOOL-NN)") }
                guard ["yes", "partly", "no"].contains(fields[8]) else {
                    throw fail("machine-checkable is yes, partly or no, not '\(fields[8])'")
                }
                guard seen.insert(id).inserted else { throw fail("clause \(id) appears twice") }
                clauses.append(
                    CatalogueClause(
                        id: id, school: String(id[..<id.lastIndex(of: "-")!]), section: fields[2],
                        statement: fields[4], keyWords: fields[5], tag: fields[3], binds: fields[6],
                        events: fields[7], checkable: fields[8], signals: fields[9], consequence: fields[10],
                        severity: fields[11]))
            default:
                throw fail("unknown record '\(fields[0])' (expected school or clause)")
            }
        }
    }
}

/// `\t`, `\n` and `\\` decoded; nil for any other backslash sequence.
private func unescapeField(_ raw: Substring) -> String? {
    guard raw.contains("\\") else { return String(raw) }
    var out = ""
    var escaped = false
    for ch in raw {
        if escaped {
            switch ch {
            case "t": out.append("\t")
            case "n": out.append("\n")
            case "\\": out.append("\\")
            default: return nil
            }
            escaped = false
        } else if ch == "\\" {
            escaped = true
        } else {
            out.append(ch)
        }
    }
    return escaped ? nil : out
}

private func isSchoolCode(_ s: String) -> Bool {
    !s.isEmpty && s.allSatisfy { $0.isASCII && $0.isUppercase }
}

/// `ABCD-12` or `ABCD-12a`.
private func isClauseID(_ s: String) -> Bool {
    guard let dash = s.lastIndex(of: "-") else { return false }
    let code = s[..<dash]
    let rest = s[s.index(after: dash)...]
    guard isSchoolCode(String(code)), let first = rest.first, first.isASCII, first.isNumber else { return false }
    var sawLetter = false
    for ch in rest {
        if ch.isASCII && ch.isNumber { if sawLetter { return false } } else if ch.isASCII && ch.isLowercase { sawLetter = true } else { return false }
    }
    return true
}
