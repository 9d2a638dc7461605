import Foundation
import Testing
@testable import Invigil

/// Which packs judge an event (`Scanner.selectPacks`), for a school field that is an enum and
/// one that is a string, against the rule language's definition read directly: a pack with a
/// code judges the events that name that school or none; a pack without a code judges every
/// event. The enum path compares the value's index with each pack's, worked out when the
/// scanner is made; a code the enum does not list names no event's school.
@Suite("School scoping")
struct SchoolScopingTests {
    static func rules(schoolType: String) throws -> RuleSet {
        let folder = NSTemporaryDirectory() + "invigil-schools-\(getpid())-\(schoolType.hashValue & 0xFFFF)"
        try? FileManager.default.removeItem(atPath: folder)
        try FileManager.default.createDirectory(atPath: folder, withIntermediateDirectories: true)
        defer { try? FileManager.default.removeItem(atPath: folder) }
        func write(_ name: String, _ text: String) throws {
            try text.write(toFile: folder + "/" + name, atomically: true, encoding: .utf8)
        }
        try write("common.inc", "schema { school: \(schoolType)  text: text }\n")
        for (pack, code) in [("alpha", "A"), ("bravo", "B"), ("zulu", "Z")] {
            try write(
                "\(pack).rules",
                "pack \(pack) { code \"\(code)\" }\ninclude \"common.inc\"\nrule r { severity info message \"m\" when exists(text) }\n")
        }
        try write("nocode.rules", "include \"common.inc\"\nrule r { severity info message \"m\" when exists(text) }\n")
        return try RuleSet.load(paths: [folder])
    }

    @Test(arguments: ["enum(A, B, C)", "string"])
    func packsJudgeTheirSchoolsAndUnnamedOnes(schoolType: String) throws {
        let rules = try Self.rules(schoolType: schoolType)
        let scanner = Scanner(rules: rules)
        let codes = rules.packs.map(\.code)
        #expect(codes.compactMap { $0 }.sorted() == ["A", "B", "Z"] && codes.count == 4)
        var checked = 0
        for school in [nil, "A", "B", "C", "Z"] {
            if schoolType != "string" && school == "Z" { continue }  // not a value of the enum
            scanner.reset()
            let json = school.map { "{\"school\":\"\($0)\",\"text\":\"hi\"}" } ?? "{\"text\":\"hi\"}"
            try scanner.setJSON(Array(json.utf8))
            scanner.scan()
            let judging = Set(scanner.findings.map { rules.rules[$0.rule].pack })
            let expected = Set(rules.packs.filter { $0.code == nil || school == nil || $0.code == school }.map(\.name))
            #expect(judging == expected, "school \(school ?? "none")")
            checked += 1
        }
        #expect(checked >= 4)
    }
}
