import Foundation
import Invigil
import Testing

/// Every file in Tests/Fixtures/diagnostics/NNN.rules is a broken rule file; NNN.out is what the
/// compiler reports for it, rendered as `invigil check` prints it: `file:line:col: error:
/// message` (with the suggestion, where there is one), the source line and a caret.
@Suite("Golden diagnostics")
struct DiagnosticGoldenTests {
    static let folder = Golden.fixtures + "/diagnostics"

    @Test func thereAreEnoughCases() {
        #expect(Golden.files(in: Self.folder, suffix: ".rules").count >= 15)
    }

    @Test(arguments: Golden.files(in: DiagnosticGoldenTests.folder, suffix: ".rules"))
    func rendered(_ path: String) throws {
        let data = try #require(FileManager.default.contents(atPath: path))
        let name = String(path.split(separator: "/").last!)
        // Compiled from memory under its bare name, so that locations do not depend on where the
        // checkout is; includes are refused (the file system is not part of these cases).
        var rendered = ""
        do {
            _ = try RuleSet.compile(bytes: [UInt8](data), name: name, includes: .refused)
            Issue.record("\(name) compiles, but every diagnostics case must be an error")
        } catch {
            #expect(!error.diagnostics.isEmpty)
            rendered = error.diagnostics.map(\.description).joined(separator: "\n") + "\n"
        }
        Golden.check(rendered, against: String(path.dropLast(".rules".count)) + ".out")
    }
}
