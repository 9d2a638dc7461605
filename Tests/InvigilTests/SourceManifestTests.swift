import Foundation
import Testing
@testable import Invigil

/// `SourceManifest`, which the command's rule cache trusts instead of compiling: after generated
/// changes to a rule folder, `isCurrent()` must agree with a naive reference (the test's own
/// record of which files the load reads and what they held), and whenever it holds, compiling
/// again must give the same compiled bytes.
@Suite("Source manifest")
struct SourceManifestTests {
    /// A rule folder the test writes and tracks: `main.rules` (the pack and its rule), `w<i>.rules`
    /// (a phrase list each), `shared/s<i>.inc` (included by some `w` files, not listed by the walk
    /// since they are not `.rules`), and files the load never reads (`notes.txt`, `.hidden.rules`).
    struct Folder {
        let root: String
        /// Every file the test wrote, by path relative to the root, with its content.
        var files: [String: String] = [:]

        init(_ name: String) throws {
            root = FileManager.default.temporaryDirectory.appendingPathComponent("invigil-manifest-\(getpid())-\(name)").path
            try? FileManager.default.removeItem(atPath: root)
            try FileManager.default.createDirectory(atPath: root + "/shared", withIntermediateDirectories: true)
        }

        mutating func write(_ path: String, _ content: String) throws {
            try content.write(toFile: root + "/" + path, atomically: false, encoding: .utf8)
            files[path] = content
        }

        mutating func remove(_ path: String) throws {
            try FileManager.default.removeItem(atPath: root + "/" + path)
            files[path] = nil
        }

        /// The files a load of the folder reads, as the reference sees it: every listed `.rules`
        /// file that is not hidden, and the `.inc` files those include.
        var read: [String: String] {
            var out: [String: String] = [:]
            for (path, content) in files where path.hasSuffix(".rules") && !path.hasPrefix(".") && !path.contains("/") {
                out[path] = content
                for line in content.split(separator: "\n") where line.hasPrefix("include \"") {
                    let target = String(line.dropFirst(9).dropLast())
                    out[target] = files[target] ?? "<missing>"
                }
            }
            return out
        }
    }

    static func wordFile(_ i: Int, include: Int?, word: String) -> String {
        var s = include.map { "include \"shared/s\($0).inc\"\n" } ?? ""
        s += "phrases w\(i) { \"\(word)\" }\n"
        return s
    }

    static func sharedFile(_ i: Int, word: String) -> String {
        "phrases s\(i) { \"\(word)\" }\n"
    }

    static let main = """
        pack demo { code "DEMO" }
        schema {
            id: string
            author.role: enum(staff, pupil)
            text: text
        }
        rule contact {
            clauses DEMO-01
            severity breach
            action "Review"
            message "A phrase."
            when author.role == staff and w0 in text
        }

        """

    @Test func agreesWithANaiveReferenceOverGeneratedChanges() throws {
        var generator = SystemRandomNumberGenerator()
        let words = ["text me", "call me", "snapchat", "meet up", "my number", "add me", "dm me", "see you"]
        for round in 0..<6 {
            var folder = try Folder("round\(round)")
            try folder.write("main.rules", Self.main)
            try folder.write("notes.txt", "not a rule file")
            let wordFiles = Int.random(in: 2...5, using: &generator)
            var includes: [Int: Int] = [:]
            for i in 0..<3 { try folder.write("shared/s\(i).inc", Self.sharedFile(i, word: words.randomElement(using: &generator)!)) }
            for i in 0..<wordFiles {
                let include = Bool.random(using: &generator) ? Int.random(in: 0..<3, using: &generator) : nil
                includes[i] = include
                try folder.write("w\(i).rules", Self.wordFile(i, include: include, word: words.randomElement(using: &generator)!))
            }
            var (rules, manifest) = try RuleSet.loadRecordingSources(paths: [folder.root])
            var reference = folder.read
            #expect(manifest.isCurrent())
            var extra = wordFiles
            for step in 0..<24 {
                switch Int.random(in: 0..<8, using: &generator) {
                case 0:  // a word file's phrase changed (perhaps to the same word)
                    let i = Int.random(in: 0..<wordFiles, using: &generator)
                    try folder.write(
                        "w\(i).rules", Self.wordFile(i, include: includes[i], word: words.randomElement(using: &generator)!))
                case 1:  // a shared file changed
                    let i = Int.random(in: 0..<3, using: &generator)
                    try folder.write("shared/s\(i).inc", Self.sharedFile(i, word: words.randomElement(using: &generator)!))
                case 2:  // a file the load never reads
                    try folder.write("notes.txt", "notes \(step)")
                case 3:  // a hidden rule file, which the walk skips
                    try folder.write(".hidden.rules", "phrases hidden\(step) { \"x\" }\n")
                case 4:  // a new rule file
                    try folder.write("w\(extra).rules", Self.wordFile(extra, include: nil, word: "extra"))
                    extra += 1
                case 5:  // an added file removed again
                    if extra > wordFiles {
                        extra -= 1
                        try folder.remove("w\(extra).rules")
                    }
                case 6:  // the same bytes written again
                    try folder.write("main.rules", Self.main)
                default:  // one byte of the main file perhaps changed, the length the same
                    let clause = Bool.random(using: &generator) ? "DEMO-01" : "DEMO-02"
                    try folder.write("main.rules", Self.main.replacingOccurrences(of: "DEMO-01", with: clause))
                }
                let expected = folder.read == reference
                #expect(manifest.isCurrent() == expected, "round \(round) step \(step)")
                if expected {
                    let again = try RuleSet.load(paths: [folder.root])
                    #expect(try again.compiledBytes() == rules.compiledBytes(), "round \(round) step \(step)")
                } else {
                    // What the cache does on a miss: compile again and keep the new manifest.
                    (rules, manifest) = try RuleSet.loadRecordingSources(paths: [folder.root])
                    reference = folder.read
                    #expect(manifest.isCurrent())
                }
            }
        }
    }

    @Test func aMissingIncludedFileIsNotCurrent() throws {
        var folder = try Folder("missing")
        try folder.write("main.rules", Self.main)
        try folder.write("shared/s0.inc", Self.sharedFile(0, word: "text me"))
        try folder.write("w0.rules", Self.wordFile(0, include: 0, word: "call me"))
        let (_, manifest) = try RuleSet.loadRecordingSources(paths: [folder.root])
        #expect(manifest.files.count == 3)
        #expect(manifest.listing.count == 2)
        try folder.remove("shared/s0.inc")
        #expect(!manifest.isCurrent())
    }
}
