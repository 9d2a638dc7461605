import Foundation
import Testing

/// Golden files: expected outputs kept in the repository beside their inputs (docs/testing.md).
/// A test compares what the code produces with the file, byte for byte. With
/// `INVIGIL_UPDATE_GOLDEN=1` it writes what the code produces instead, so that an intended change
/// of output is one command (`INVIGIL_UPDATE_GOLDEN=1 swift test --filter Golden`) and one diff
/// to review.
enum Golden {
    static let updating = ProcessInfo.processInfo.environment["INVIGIL_UPDATE_GOLDEN"] == "1"

    /// The repository's root (the tests never read outside it).
    static let repoRoot: String = {
        var url = URL(fileURLWithPath: #filePath)
        for _ in 0..<4 { url.deleteLastPathComponent() }  // Tests/InvigilTests/Golden/GoldenFiles.swift
        return url.path
    }()

    static let fixtures = repoRoot + "/Tests/Fixtures"

    /// The files of a fixture folder whose names end in `suffix`, sorted, as paths.
    static func files(in folder: String, suffix: String) -> [String] {
        let names = (try? FileManager.default.contentsOfDirectory(atPath: folder)) ?? []
        return names.filter { $0.hasSuffix(suffix) }.sorted().map { folder + "/" + $0 }
    }

    /// Compares `actual` with the golden file at `path`, or writes it there when updating.
    static func check(
        _ actual: String, against path: String,
        sourceLocation: Testing.SourceLocation = #_sourceLocation
    ) {
        check(Array(actual.utf8), against: path, sourceLocation: sourceLocation)
    }

    static func check(
        _ actual: [UInt8], against path: String,
        sourceLocation: Testing.SourceLocation = #_sourceLocation
    ) {
        let relative = path.hasPrefix(repoRoot + "/") ? String(path.dropFirst(repoRoot.count + 1)) : path
        if updating {
            let existing = FileManager.default.contents(atPath: path).map { [UInt8]($0) }
            if existing != actual {
                let folder = String(path[..<(path.lastIndex(of: "/") ?? path.startIndex)])
                try? FileManager.default.createDirectory(atPath: folder, withIntermediateDirectories: true)
                let written = FileManager.default.createFile(atPath: path, contents: Data(actual))
                #expect(written, "cannot write \(relative)", sourceLocation: sourceLocation)
            }
            return
        }
        guard let data = FileManager.default.contents(atPath: path) else {
            let message = "missing golden file \(relative): make it with INVIGIL_UPDATE_GOLDEN=1 swift test --filter Golden"
            Issue.record("\(message)", sourceLocation: sourceLocation)
            return
        }
        let expected = [UInt8](data)
        if expected != actual {
            let message =
                "\(relative) differs: \(firstDifference(expected, actual)); if the change is intended, run "
                + "INVIGIL_UPDATE_GOLDEN=1 swift test --filter Golden and review the diff"
            Issue.record("\(message)", sourceLocation: sourceLocation)
        }
    }

    /// The first line where two outputs differ, both versions.
    static func firstDifference(_ expected: [UInt8], _ actual: [UInt8]) -> String {
        let e = String(decoding: expected, as: UTF8.self).split(separator: "\n", omittingEmptySubsequences: false)
        let a = String(decoding: actual, as: UTF8.self).split(separator: "\n", omittingEmptySubsequences: false)
        for i in 0..<max(e.count, a.count) {
            let el = i < e.count ? String(e[i]) : "<end>"
            let al = i < a.count ? String(a[i]) : "<end>"
            if el != al { return "line \(i + 1): expected \(el.debugDescription), got \(al.debugDescription)" }
        }
        return "same lines, different bytes (line endings?)"
    }

    /// A JSON string literal.
    static func quoted(_ s: String) -> String {
        var out = "\""
        for u in s.unicodeScalars {
            switch u {
            case "\"": out += "\\\""
            case "\\": out += "\\\\"
            case "\n": out += "\\n"
            case "\r": out += "\\r"
            case "\t": out += "\\t"
            default:
                if u.value < 0x20 {
                    let hex = String(u.value, radix: 16)
                    out += "\\u" + String(repeating: "0", count: 4 - hex.count) + hex
                } else {
                    out.unicodeScalars.append(u)
                }
            }
        }
        return out + "\""
    }
}
