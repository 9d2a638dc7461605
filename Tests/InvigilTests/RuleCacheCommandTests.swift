import Foundation
import Testing

/// The scan's cache of compiled rules (`Sources/invigil/RuleCache.swift`), through the command:
/// a second scan starts from the cache, gives the same output, and any change to the sources, a
/// damaged entry or an unusable folder falls back to compiling.
@Suite("Rule cache of the command", .serialized)
struct RuleCacheCommandTests {
    /// A fresh cache folder and a rule folder of its own for one test.
    struct Setup {
        let cache: String
        let rules: String
        let archive: String

        init(_ name: String) throws {
            let base = FileManager.default.temporaryDirectory.appendingPathComponent("invigil-cache-\(getpid())-\(name)").path
            try? FileManager.default.removeItem(atPath: base)
            cache = base + "/cache"
            rules = base + "/rules"
            try FileManager.default.createDirectory(atPath: rules, withIntermediateDirectories: true)
            try CommandTests.rules.write(toFile: rules + "/demo.rules", atomically: true, encoding: .utf8)
            archive = base + "/archive.jsonl"
            try """
            {"id":"e1","author":{"role":"staff"},"text":"text me on 07700 900123"}
            {"id":"e2","author":{"role":"staff"},"text":"call me later"}
            {"id":"e3","author":{"role":"pupil"},"text":"text me"}

            """.write(toFile: archive, atomically: true, encoding: .utf8)
        }

        func scan(_ extra: [String] = [], cacheFolder: String? = nil) throws -> CommandTests.Run {
            try CommandTests.run(
                ["scan", "--stats", "--no-progress", "--format", "jsonl", "--rules", rules] + extra + [archive],
                environment: ["INVIGIL_CACHE_DIR": cacheFolder ?? cache])
        }

        var entries: [String] {
            ((try? FileManager.default.contentsOfDirectory(atPath: cache)) ?? []).filter { $0.hasSuffix(".ivgcache") }
        }
    }

    @Test func secondScanStartsFromTheCacheWithTheSameOutput() throws {
        let s = try Setup("hit")
        let first = try s.scan()
        #expect(first.status == 1)
        #expect(first.stderr.contains("rules compiled from source (the cache had no current entry)"))
        #expect(s.entries.count == 1)
        let second = try s.scan()
        #expect(second.stderr.contains("rules loaded from the cache"))
        #expect(second.status == first.status)
        #expect(second.stdout == first.stdout)
        #expect(first.stdout.split(separator: "\n").count == 1)
        let uncached = try s.scan(["--no-cache"])
        #expect(uncached.stderr.contains("rules compiled from source (no cache)"))
        #expect(uncached.stdout == first.stdout)
    }

    @Test func changedSourcesAreCompiledAgain() throws {
        let s = try Setup("change")
        #expect(!(try s.scan().stdout.contains("\"event\":\"e2\"")))
        #expect(try s.scan().stderr.contains("rules loaded from the cache"))
        // The same length, one phrase changed: only the content tells.
        let changed = CommandTests.rules.replacingOccurrences(of: "\"text me\"", with: "\"call me\"")
        #expect(changed.utf8.count == CommandTests.rules.utf8.count)
        try changed.write(toFile: s.rules + "/demo.rules", atomically: true, encoding: .utf8)
        let after = try s.scan()
        #expect(after.stderr.contains("rules compiled from source"))
        #expect(after.stdout.contains("\"event\":\"e2\""))
        #expect(try s.scan().stderr.contains("rules loaded from the cache"))
        // A new rule file in the folder is a change too, even though no file read has changed.
        try "pack extra { code \"EXTRA\" }\n".write(toFile: s.rules + "/extra.rules", atomically: true, encoding: .utf8)
        let added = try s.scan()
        #expect(added.stderr.contains("rules compiled from source"))
        #expect(try s.scan().stderr.contains("rules loaded from the cache"))
        try FileManager.default.removeItem(atPath: s.rules + "/extra.rules")
        #expect(try s.scan().stderr.contains("rules compiled from source"))
    }

    @Test func damagedEntriesAreCompiledOverQuietly() throws {
        let s = try Setup("damage")
        let first = try s.scan()
        let entry = s.cache + "/" + s.entries[0]
        let whole = try Data(contentsOf: URL(fileURLWithPath: entry))
        // Cut short, one byte flipped in the head, one in the compiled rules, emptied.
        var flippedHead = whole
        flippedHead[12] ^= 0x40
        var flippedBody = whole
        flippedBody[whole.count - 100] ^= 0x01
        for damaged in [whole.prefix(whole.count / 2), flippedHead, flippedBody, Data()] {
            try damaged.write(to: URL(fileURLWithPath: entry))
            let r = try s.scan()
            #expect(r.stderr.contains("rules compiled from source"))
            #expect(!r.stderr.contains("error"))
            #expect(r.stdout == first.stdout)
            #expect(try s.scan().stderr.contains("rules loaded from the cache"))
        }
    }

    @Test func anUnusableCacheFolderIsPassedOver() throws {
        let s = try Setup("unusable")
        // A file where the folder should be: nothing can be written, the scan is unchanged.
        let blocked = s.cache + "-blocked"
        try "not a folder".write(toFile: blocked, atomically: true, encoding: .utf8)
        let r = try s.scan(cacheFolder: blocked)
        #expect(r.status == 1)
        #expect(r.stderr.contains("rules compiled from source"))
        #expect(try s.scan(cacheFolder: blocked).stderr.contains("rules compiled from source"))
        // An empty INVIGIL_CACHE_DIR turns the cache off.
        let off = try s.scan(cacheFolder: "")
        #expect(off.stderr.contains("rules compiled from source (no cache)"))
        #expect(off.stdout == r.stdout)
    }

    @Test func oldEntriesArePrunedToTheBound() throws {
        let s = try Setup("prune")
        try FileManager.default.createDirectory(atPath: s.cache, withIntermediateDirectories: true)
        let fm = FileManager.default
        // Twenty entries of other requests or builds, used from 20 to 1 days ago.
        for i in 0..<20 {
            let path = s.cache + String(format: "/rules-%08x-00000000.ivgcache", i)
            try Data("old entry \(i)".utf8).write(to: URL(fileURLWithPath: path))
            try fm.setAttributes([.modificationDate: Date(timeIntervalSinceNow: -Double(20 - i) * 86400)], ofItemAtPath: path)
        }
        let staleTemporary = s.cache + "/rules-0000dead-00000000.ivgcache.tmp1"
        let freshTemporary = s.cache + "/rules-0000beef-00000000.ivgcache.tmp2"
        for path in [staleTemporary, freshTemporary] { try Data("half".utf8).write(to: URL(fileURLWithPath: path)) }
        try fm.setAttributes([.modificationDate: Date(timeIntervalSinceNow: -7200)], ofItemAtPath: staleTemporary)
        let first = try s.scan()
        #expect(first.stderr.contains("rules compiled from source"))
        let left = Set(s.entries)
        #expect(left.count == 16)
        // The new entry and the 15 used most recently stay; the five oldest went.
        for i in 0..<5 { #expect(!left.contains(String(format: "rules-%08x-00000000.ivgcache", i))) }
        for i in 5..<20 { #expect(left.contains(String(format: "rules-%08x-00000000.ivgcache", i))) }
        #expect(!fm.fileExists(atPath: staleTemporary))
        #expect(fm.fileExists(atPath: freshTemporary))
        #expect(try s.scan().stderr.contains("rules loaded from the cache"))
    }

    @Test func theBundledPacksAreCachedToo() throws {
        let cache = FileManager.default.temporaryDirectory.appendingPathComponent("invigil-cache-\(getpid())-bundled").path
        try? FileManager.default.removeItem(atPath: cache)
        let arguments = ["scan", "--stats", "--no-progress", "--format", "jsonl", "examples/sample"]
        let first = try CommandTests.run(arguments, environment: ["INVIGIL_CACHE_DIR": cache])
        let second = try CommandTests.run(arguments, environment: ["INVIGIL_CACHE_DIR": cache])
        #expect(first.stderr.contains("rules compiled from source"))
        #expect(second.stderr.contains("rules loaded from the cache"))
        #expect(!first.stdout.isEmpty)
        #expect(second.stdout == first.stdout)
    }
}
