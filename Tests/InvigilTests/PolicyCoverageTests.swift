#if canImport(Glibc)
import Glibc
#endif
import Testing
import Invigil
import InvigilArchive

/// The repository root: three levels above this file (Tests/InvigilTests/PolicyCoverageTests.swift).
private let repositoryRoot: String = {
    var path = #filePath
    for _ in 0..<3 {
        if let slash = path.lastIndex(of: "/") { path = String(path[..<slash]) }
    }
    return path
}()

private let cataloguePath = repositoryRoot + "/../shared/policies/clauses.md"
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

@Suite struct PolicyCoverageTests {
    @Test func catalogueParsesAllClauses() throws {
        let text = try #require(readText(cataloguePath), "clause catalogue missing at \(cataloguePath)")
        let catalogue = ClauseCatalogue(markdown: text)
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
        let catalogue = try #require(readText(cataloguePath), "clause catalogue missing at \(cataloguePath)")
        let committed = try #require(readText(reportPath), "docs/policy-coverage.md missing")
        let rules = try RuleSet.load(paths: [repositoryRoot + "/packs"])
        let generated = policyCoverageMarkdown(catalogue: catalogue, rules: rules.rules)
        #expect(generated == committed, "docs/policy-coverage.md is stale: run `swift run invigil coverage --output docs/policy-coverage.md`")
    }

    @Test func reportListsEveryClause() throws {
        let catalogue = try #require(readText(cataloguePath))
        let rules = try RuleSet.load(paths: [repositoryRoot + "/packs"])
        let report = policyCoverageMarkdown(catalogue: catalogue, rules: rules.rules)
        let rows = report.split(separator: "\n").filter { $0.hasPrefix("| ") && $0.split(separator: "|").count >= 6 }
        for clause in ClauseCatalogue(markdown: catalogue).clauses {
            #expect(rows.contains { $0.hasPrefix("| \(clause.id) |") }, "\(clause.id) missing from the report")
        }
        #expect(report.contains("## Citations of unknown clauses\n\nNone"), "a rule cites a clause ID that is not in the catalogue")
    }

    /// PCHS and DSAT: every 'yes' clause that forbids or requires something is cited by a rule,
    /// and every 'partly' clause with a lexical signal has a review rule.
    @Test func prudhoeAndDSATCoverTheirClauses() throws {
        let catalogue = ClauseCatalogue(markdown: try #require(readText(cataloguePath)))
        let rules = try RuleSet.load(paths: [repositoryRoot + "/packs"])
        let cited = Set(rules.rules.flatMap(\.clauses))
        for clause in catalogue.clauses where clause.school == "PCHS" || clause.school == "DSAT" {
            if clause.checkable == "yes" && !["scope", "definition", "permission"].contains(clause.tag) {
                #expect(cited.contains(clause.id), "\(clause.id) (yes) has no rule")
            }
        }
        // 'partly' clauses left without a rule, each for a reason the report shows (their signal is
        // not in a single event: a staff member's former schools, their main personal address, a
        // report log, a site's inactivity over time).
        let uncovered = catalogue.clauses.filter {
            ($0.school == "PCHS" || $0.school == "DSAT") && $0.checkable == "partly" && !cited.contains($0.id)
        }.map(\.id)
        #expect(uncovered == ["PCHS-23", "PCHS-37", "PCHS-51", "PCHS-57"])
    }

    @Test func reportIsDeterministic() throws {
        let catalogue = try #require(readText(cataloguePath))
        let rules = try RuleSet.load(paths: [repositoryRoot + "/packs"])
        let a = policyCoverageMarkdown(catalogue: catalogue, rules: rules.rules)
        let b = policyCoverageMarkdown(catalogue: catalogue, rules: rules.rules.reversed())
        #expect(a == b)
    }
}
