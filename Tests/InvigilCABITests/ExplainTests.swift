// invigil_explain (the C interface) against `invigil explain` (the command): the same text for the
// same rules and events, with and without --all; and the JSON form, read back.

import CInvigil
import Foundation
import InvigilC
import Testing

@Suite("invigil_explain gives the command's trace", .serialized)
struct ExplainTests {
    static let repoRoot: String = {
        var url = URL(fileURLWithPath: #filePath)
        for _ in 0..<3 { url.deleteLastPathComponent() }
        return url.path
    }()

    static var binary: String? {
        let here = URL(fileURLWithPath: CommandLine.arguments[0]).deletingLastPathComponent()
        let candidates = [
            here.appendingPathComponent("invigil").path,
            here.deletingLastPathComponent().appendingPathComponent("invigil").path,
            repoRoot + "/.build/debug/invigil"
        ]
        return candidates.first { FileManager.default.isExecutableFile(atPath: $0) }
    }

    static func command(_ arguments: [String]) throws -> String {
        let process = Process()
        process.executableURL = URL(fileURLWithPath: try #require(binary, "the invigil command is built with the tests"))
        process.arguments = arguments
        let out = Pipe()
        process.standardOutput = out
        try process.run()
        let data = out.fileHandleForReading.readDataToEndOfFile()
        process.waitUntilExit()
        return String(decoding: data, as: UTF8.self)
    }

    static func explain(_ s: OpaquePointer?, _ flags: UInt32) -> (invigil_status, String) {
        var length = 0
        let first = invigil_explain(s, flags, nil, 0, &length)
        guard first == INVIGIL_OK else { return (first, "") }
        var buffer = [CChar](repeating: 1, count: length + 1)
        var again = 0
        let status = invigil_explain(s, flags, &buffer, buffer.count, &again)
        #expect(again == length && buffer[length] == 0)
        return (status, String(decoding: buffer.prefix(length).map { UInt8(bitPattern: $0) }, as: UTF8.self))
    }

    @Test func sameTextAsTheCommand() throws {
        let rulesPath = Self.repoRoot + "/examples/c/example.rules"
        var rules: OpaquePointer? = nil
        #expect(invigil_rules_load(rulesPath, &rules, nil) == INVIGIL_OK)
        var s: OpaquePointer? = nil
        #expect(invigil_scanner_new(rules, &s) == INVIGIL_OK)
        let lines = try String(contentsOfFile: Self.repoRoot + "/examples/c/events.jsonl", encoding: .utf8)
            .split(separator: "\n").map(String.init)
        let dir = FileManager.default.temporaryDirectory.appendingPathComponent("invigil-explain-\(getpid())")
        try FileManager.default.createDirectory(at: dir, withIntermediateDirectories: true)
        var fired = 0
        for (i, line) in lines.enumerated() {
            let path = dir.appendingPathComponent("event\(i).json").path
            try line.write(toFile: path, atomically: true, encoding: .utf8)
            var n = 0
            // An event the example rules do not accept (a type they do not declare) is skipped:
            // the command refuses it too.
            guard line.withCString({ invigil_scan_json(s, $0, strlen($0), &n, nil) }) == INVIGIL_OK else { continue }
            fired += n
            for all in [false, true] {
                let expected = try Self.command(["explain", "--rules", rulesPath] + (all ? ["--all"] : []) + [path])
                let (status, text) = Self.explain(s, all ? UInt32(INVIGIL_EXPLAIN_ALL) : 0)
                #expect(status == INVIGIL_OK)
                #expect(text == expected, "event \(i), all: \(all)")
            }
            let (status, json) = Self.explain(s, UInt32(INVIGIL_EXPLAIN_JSON | INVIGIL_EXPLAIN_ALL))
            #expect(status == INVIGIL_OK)
            let object = try JSONSerialization.jsonObject(with: Data(json.utf8)) as? [String: Any]
            let ruleObjects = object?["rules"] as? [[String: Any]] ?? []
            #expect(ruleObjects.count == Int(invigil_rules_count(rules)))
            #expect(ruleObjects.filter { $0["fires"] as? Bool == true }.count == n)
        }
        #expect(fired > 0)
        // A buffer too small: cut, NUL-terminated, the full length reported.
        var small = [CChar](repeating: 1, count: 8)
        var length = 0
        #expect(invigil_explain(s, 0, &small, small.count, &length) == INVIGIL_OK)
        #expect(length > 8 && small[7] == 0)
        #expect(invigil_explain(s, 0, nil, 5, &length) == INVIGIL_ERROR_ARGUMENT)
        #expect(invigil_explain(s, 64, nil, 0, &length) == INVIGIL_ERROR_ARGUMENT)
        #expect(invigil_explain(nil, 0, nil, 0, &length) == INVIGIL_ERROR_ARGUMENT)
        invigil_scanner_free(s)
        invigil_rules_free(rules)
        try? FileManager.default.removeItem(at: dir)
    }
}
