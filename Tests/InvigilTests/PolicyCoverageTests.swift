#if canImport(Glibc)
import Glibc
#endif
import Testing
import Invigil
@testable import InvigilArchive
@testable import InvigilPolicy

/// The repository root: three levels above this file (Tests/InvigilTests/PolicyCoverageTests.swift).
private let repositoryRoot: String = {
    var path = #filePath
    for _ in 0..<3 {
        if let slash = path.lastIndex(of: "/") { path = String(path[..<slash]) }
    }
    return path
}()

private let cataloguePath = repositoryRoot + "/policies/clauses.tsv"
private let reportPath = repositoryRoot + "/docs/policy-coverage.md"

private func readText(_ path: String) -> String? {
    let fd = open(path, O_RDONLY)
    if fd < 0 { return nil }
    defer { close(fd) }
    var bytes: [UInt8] = []
    var chunk = [UInt8](repeating: 0, count: 1 << 16)
    while true {
        let n = chunk.withUnsafeMutableBytes { read(fd, $0.baseAddress!, $0.count) }
        if n < 0 { if errno == EINTR { continue }; return nil }
        if n == 0 { break }
        bytes += chunk[0..<n]
    }
    return String(decoding: bytes, as: UTF8.self)
}

private func loadCatalogue() throws -> ClauseCatalogue {
    let text = try #require(readText(cataloguePath), "clause catalogue missing at \(cataloguePath)")
    return try ClauseCatalogue(parsing: text, path: cataloguePath)
}

@Suite struct PolicyCoverageTests {
    @Test func catalogueParsesAllClauses() throws {
        let catalogue = try loadCatalogue()
        #expect(catalogue.clauses.count == 263)
        #expect(Set(catalogue.clauses.map(\.id)).count == 263)
        #expect(catalogue.schools.map(\.code) == ["BRAT", "WOOL", "CHER", "PCHS", "DSAT"])
        // The catalogue's own summary counts.
        #expect(catalogue.clauses.filter { $0.checkable == "yes" }.count == 58)
        #expect(catalogue.clauses.filter { $0.checkable == "partly" }.count == 108)
        #expect(catalogue.clauses.filter { $0.checkable == "no" }.count == 97)
        let pchs15 = try #require(catalogue.clauses.first { $0.id == "PCHS-15" })
        #expect(pchs15.school == "PCHS")
        #expect(pchs15.severity == "safeguarding-critical")
        let pchs16 = try #require(catalogue.clauses.first { $0.id == "PCHS-16" })
        #expect(pchs16.tag == "permission")
        let dsat01 = try #require(catalogue.clauses.first { $0.id == "DSAT-01" })
        #expect(dsat01.reasonCode == "R-INST")
    }

    /// docs/policy-coverage.md is what `invigil coverage` writes for the packs and the catalogue
    /// as they are now. If this fails, run: swift run invigil coverage --output docs/policy-coverage.md
    @Test func committedReportIsCurrent() throws {
        let catalogue = try loadCatalogue()
        let committed = try #require(readText(reportPath), "docs/policy-coverage.md missing")
        let rules = try RuleSet.load(paths: [repositoryRoot + "/packs"])
        let generated = policyCoverageMarkdown(catalogue: catalogue, rules: rules.rules, examples: try rules.coverageExamples)
        #expect(generated == committed, "docs/policy-coverage.md is stale: run `swift run invigil coverage --output docs/policy-coverage.md`")
    }

    @Test func reportListsEveryClause() throws {
        let catalogue = try loadCatalogue()
        let rules = try RuleSet.load(paths: [repositoryRoot + "/packs"])
        let report = policyCoverageMarkdown(catalogue: catalogue, rules: rules.rules)
        let rows = report.split(separator: "\n").filter { $0.hasPrefix("| ") && $0.split(separator: "|").count >= 6 }
        for clause in catalogue.clauses {
            #expect(rows.contains { $0.hasPrefix("| \(clause.id) |") }, "\(clause.id) missing from the report")
        }
        #expect(report.contains("## Citations of unknown clauses\n\nNone"), "a rule cites a clause ID that is not in the catalogue")
    }

    /// PCHS and DSAT: every 'yes' clause that forbids or requires something is cited by a rule,
    /// and every 'partly' clause with a lexical signal has a review rule.
    @Test func prudhoeAndDSATCoverTheirClauses() throws {
        let catalogue = try loadCatalogue()
        let rules = try RuleSet.load(paths: [repositoryRoot + "/packs"])
        let cited = Set(rules.rules.flatMap(\.clauses))
        for clause in catalogue.clauses where clause.school == "PCHS" || clause.school == "DSAT" {
            if clause.checkable == "yes" && !["scope", "definition", "permission"].contains(clause.tag) {
                #expect(cited.contains(clause.id), "\(clause.id) (yes) has no rule")
            }
        }
        // Every 'partly' clause has a rule too: PCHS-23, 37, 51 and 57 read a
        // recipient's school, a school address on account creation, a contractor's activity and
        // the account register's idle days.
        let uncovered = catalogue.clauses.filter {
            ($0.school == "PCHS" || $0.school == "DSAT") && $0.checkable == "partly" && !cited.contains($0.id)
        }.map(\.id)
        #expect(uncovered.isEmpty, "\(uncovered)")
    }

    /// Every clause with a signal (yes or partly, filters excepted) has a flag example in
    /// a rule citing it, in every pack: what `invigil coverage --check` enforces.
    @Test func everyClauseWithASignalHasAFlagExample() throws {
        let catalogue = try loadCatalogue()
        let rules = try RuleSet.load(paths: [repositoryRoot + "/packs"])
        let lacking = clausesWithoutFlagExample(catalogue: catalogue, rules: rules.rules, examples: try rules.coverageExamples)
        #expect(lacking.isEmpty, "\(lacking.map(\.id))")
    }

    /// Every action of the bundled packs names the role to tell (the Headteacher, the
    /// Designated Safeguarding Lead, HR, the LADO, the police ...), so that a finding says whom it goes to.
    @Test func everyActionNamesTheRoleToTell() throws {
        let rules = try RuleSet.load(paths: [repositoryRoot + "/packs"])
        let roles = [
            "Headteacher", "Principal", "Designated Safeguarding Lead", "HR", "LADO", "police", "Police",
            "SLT", "Senior Teacher", "senior leader", "school officer"
        ]
        #expect(rules.rules.count > 100)
        for rule in rules.rules {
            #expect(roles.contains { rule.action.contains($0) }, "\(rule.name): \(rule.action)")
        }
    }

    @Test func reportIsDeterministic() throws {
        let catalogue = try loadCatalogue()
        let rules = try RuleSet.load(paths: [repositoryRoot + "/packs"])
        let examples = try rules.coverageExamples
        let a = policyCoverageMarkdown(catalogue: catalogue, rules: rules.rules, examples: examples)
        let b = policyCoverageMarkdown(catalogue: catalogue, rules: rules.rules.reversed(), examples: examples.reversed())
        #expect(a == b)
    }

    /// The repository carries everything the packs cite: each school's policy text and each pack's
    /// `source`, so that a clone with nothing beside it can check them.
    @Test func policiesAndPackSourcesAreInTheRepository() throws {
        let catalogue = try loadCatalogue()
        #expect(catalogue.schools.count == 5)
        for school in catalogue.schools {
            #expect(!school.file.isEmpty, "\(school.code) names no policy file")
            #expect(readText(repositoryRoot + "/policies/" + school.file) != nil, "policies/\(school.file) missing")
        }
        let rules = try RuleSet.load(paths: [repositoryRoot + "/packs"])
        for pack in rules.packs {
            #expect(pack.source.hasPrefix("policies/"), "pack \(pack.name) cites \(pack.source)")
            #expect(readText(repositoryRoot + "/" + pack.source) != nil, "pack \(pack.name): \(pack.source) missing")
        }
        let pchs15 = try #require(catalogue.clause("PCHS-15"))
        #expect(pchs15.section == "§6 Personal use of social media")
        #expect(pchs15.keyWords.hasPrefix("\"must not have contact through any personal social medium"))
        #expect(pchs15.binds == "staff, governor, volunteer, contractor")
    }

    @Test func catalogueFieldsAreUnescaped() throws {
        let text =
            "# comment\nschool\tABC\tA school\\\\with a backslash\tabc.txt\n"
            + "clause\tABC-01\t§1\t\tLine one\\nline two\tkey\\tword\tstaff\tpost\tyes\tT.x\t—\tbreach\n"
        let catalogue = try ClauseCatalogue(parsing: text)
        #expect(catalogue.schools.first?.title == "A school\\with a backslash")
        let clause = try #require(catalogue.clause("ABC-01"))
        #expect(clause.statement == "Line one\nline two")
        #expect(clause.keyWords == "key\tword")
        #expect(clause.school == "ABC" && clause.severity == "breach" && clause.tag.isEmpty)
    }

    /// Each malformed record is an error naming the file and line, never a skipped row.
    @Test func malformedCatalogueLinesAreErrors() throws {
        let good = "clause\tABC-01\t§1\t\tS\tK\tstaff\tpost\tyes\tT.x\t—\tbreach"
        let cases: [(String, String)] = [
            ("clause\tABC-01\t§1", "a clause record has 12 fields, this one 3"),
            (good.replacingFirst("ABC-01", "abc"), "'abc' is not a clause ID"),
            (good.replacingFirst("\tyes\t", "\tmaybe\t"), "machine-checkable is yes, partly or no, not 'maybe'"),
            (good + "\n" + good, "clause ABC-01 appears twice"),
            ("row\tx", "unknown record 'row'"),
            ("school\tABC\tT\\q\tf.txt", "bad escape in field 3")
        ]
        for (text, message) in cases {
            do {
                _ = try ClauseCatalogue(parsing: "# header\n" + text, path: "c.tsv")
                Issue.record("accepted: \(text)")
            } catch let error as CatalogueError {
                #expect(error.description.hasPrefix("c.tsv:"), "\(error)")
                #expect(error.description.contains(message), "\(error)")
                #expect(error.line >= 2)
            }
        }
    }
}

/// The examples column and the `--check` error, on a small catalogue and rule set written here.
@Suite struct CoverageExampleTests {
    static let catalogue = """
        # test catalogue
        school\tABC\tA school\tabc.txt
        clause\tABC-01\t§1\t\tNo swearing.\tk\tstaff\tpost\tyes\tT.x\t—\tbreach
        clause\tABC-02\t§1\t\tNo gossip.\tk\tstaff\tpost\tpartly\tT.y\t—\tbreach
        clause\tABC-03\t§1\tscope\tStaff only.\tk\tstaff\tpost\tyes\tT.z\t—\tinfo
        clause\tABC-04\t§1\t\tTell the truth.\tk\tstaff\tpost\tno\tR-TRUTH — facts\t—\tadvice
        clause\tABC-05\t§1\t\tNo spam.\tk\tstaff\tpost\tpartly\tT.w\t—\tadvice

        """

    static let rules = """
        pack abc { code "ABC" }
        schema { text: text }
        phrases swear { "darn" }
        phrases gossip { "did you hear" }
        rule swearing {
            clauses ABC-01
            severity breach
            message "Swearing."
            when swear in text
            example flag { "text": "darn it" }
            example pass { "text": "hello" }
        }
        rule gossiping {
            clauses ABC-02
            severity advice
            message "Gossip."
            when gossip in text
            example pass { "text": "hello" }
        }
        """

    @Test func examplesAreListedPerClause() throws {
        let catalogue = try ClauseCatalogue(parsing: Self.catalogue, path: "c.tsv")
        let set = try RuleSet.compile(source: Self.rules, name: "/somewhere/packs/abc.rules")
        let examples = try set.coverageExamples
        #expect(examples.count == 3)
        #expect(examples.map(\.file) == ["abc.rules", "abc.rules", "abc.rules"])
        #expect(examples.map(\.rule) == ["abc/swearing", "abc/swearing", "abc/gossiping"])
        let report = policyCoverageMarkdown(catalogue: catalogue, rules: set.rules, examples: examples)
        let row1 = try #require(report.split(separator: "\n").first { $0.hasPrefix("| ABC-01 |") })
        #expect(row1.hasSuffix("| flag `abc.rules` 10; pass `abc.rules` 11 |"), "\(row1)")
        let row2 = try #require(report.split(separator: "\n").first { $0.hasPrefix("| ABC-02 |") })
        #expect(row2.hasSuffix("| pass `abc.rules` 18 |"), "\(row2)")
        let row4 = try #require(report.split(separator: "\n").first { $0.hasPrefix("| ABC-04 |") })
        #expect(row4.hasSuffix("| — |"))
        #expect(
            report.contains(
                "## Clauses with a signal and no flag example\n\n| Clause | Check | Signals |\n|---|---|---|\n| ABC-02 | partly | T.y |\n| ABC-05 | partly | T.w |\n"
            ))
    }

    /// A partly clause cited only by a rule without a flag example, and an uncited partly clause,
    /// lack a flag example; an uncited scope clause (a filter) and a `no` clause do not need one.
    @Test func clausesWithoutFlagExampleAreFound() throws {
        let catalogue = try ClauseCatalogue(parsing: Self.catalogue, path: "c.tsv")
        let set = try RuleSet.compile(source: Self.rules, name: "abc.rules")
        #expect(
            clausesWithoutFlagExample(catalogue: catalogue, rules: set.rules, examples: try set.coverageExamples).map(\.id) == ["ABC-02", "ABC-05"])
        // Without examples every clause with a signal lacks one, the uncited filter excepted.
        #expect(clausesWithoutFlagExample(catalogue: catalogue, rules: set.rules, examples: []).map(\.id) == ["ABC-01", "ABC-02", "ABC-05"])
        // A rule citing the scope clause makes it a clause that needs a flag example too.
        let cited = try RuleSet.compile(source: Self.rules.replacingFirst("clauses ABC-02", "clauses ABC-02, ABC-03"), name: "abc.rules")
        #expect(
            clausesWithoutFlagExample(catalogue: catalogue, rules: cited.rules, examples: try cited.coverageExamples).map(\.id) == [
                "ABC-02", "ABC-03", "ABC-05"
            ])
    }

    @Test func displayedPathsStartBelowThePacksFolder() {
        #expect(displayedRulePath("/work/repo/packs/dsat.rules") == "dsat.rules")
        #expect(displayedRulePath("packs/dsat/config.rules") == "dsat/config.rules")
        #expect(displayedRulePath("/tmp/x/other.rules") == "other.rules")
        #expect(displayedRulePath("solo.rules") == "solo.rules")
    }

    /// Every finding's action says whom to tell, so that a reviewer knows where it goes.
    @Test func everyActionNamesWhomToTell() throws {
        let roles = [
            "Headteacher", "Designated Safeguarding Lead", "HR", "Principal", "Senior Teacher", "LADO", "Police", "police", "governing", "Governors",
            "SLT", "Chair"
        ]
        let rules = try RuleSet.load(paths: [repositoryRoot + "/packs"])
        for rule in rules.rules {
            #expect(roles.contains { rule.action.contains($0) }, "\(rule.name): action names no one to tell: \(rule.action)")
        }
    }
}

private extension String {
    func replacingFirst(_ target: String, _ replacement: String) -> String {
        guard let range = firstRange(of: target) else { return self }
        var copy = self
        copy.replaceSubrange(range, with: replacement)
        return copy
    }
}
