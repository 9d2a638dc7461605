import Testing

@testable import Invigil

/// The JSON reader's key tree (`EventKeyTree`) against the reference it replaced: join the keys
/// met on the way down with dots and look the dotted path up among the field and group names.
/// Checked on generated key sequences made of the schema's own segments, unknown ones, empty
/// ones, keys that hold dots, and prefixes of names.
@Suite("Event JSON: the key tree")
struct EventKeyTreeTests {
    /// The tree of the bundled packs' schema, and the reference's answer for a dotted path.
    struct Reference {
        let rules: RuleSet
        var fields: [String: Int] = [:]
        var groups: [String: Int] = [:]

        init(_ rules: RuleSet) {
            self.rules = rules
            for (slot, field) in rules.fields.enumerated() { fields[field.name] = slot }
            for (index, group) in rules.groups.enumerated() { groups[group] = index }
        }
    }

    @Test func walkingKeysFindsWhatTheDottedPathNames() throws {
        let rules = try RuleSet.load(paths: [CommandTests.repoRoot + "/packs"])
        let reference = Reference(rules)
        let tree = EventKeyTree(fieldNames: rules.fields.map(\.name), groupNames: rules.groups)
        // The schema's segments, some of their prefixes and extensions, and strangers.
        var segments = Set<String>()
        for name in rules.fields.map(\.name) + rules.groups {
            for s in name.split(separator: ".", omittingEmptySubsequences: false) {
                segments.insert(String(s))
                segments.insert(String(s.dropLast()))
                segments.insert(s + "x")
                // The same length, the last byte changed: a short segment differs in its word
                // only there, a long one after the eighth byte.
                if !s.isEmpty { segments.insert(s.dropLast() + (s.last == "z" ? "y" : "z")) }
            }
        }
        segments.formUnion(["", "unknown", "Text", "text ", "é", "a\u{0}b"])
        let vocabulary = segments.sorted()
        #expect(vocabulary.count > 30)
        var rng = SplitMix(seed: 7_2026)
        var found = 0, groupsFound = 0
        for _ in 0..<20_000 {
            // A path of one to four keys; a key is one to three segments joined by dots.
            var node = EventKeyTree.root
            var path: [String] = []
            for _ in 0..<(1 + Int(rng.next() % 4)) {
                let parts = (0..<(1 + (rng.next() % 5 == 0 ? Int(rng.next() % 3) : 0))).map { _ in
                    // Mostly segments that lead somewhere: a field name's next segment.
                    vocabulary[Int(rng.next() % UInt64(vocabulary.count))]
                }
                let key = parts.joined(separator: ".")
                path.append(key)
                node = Array(key.utf8).withUnsafeBufferPointer { tree.child(of: node, $0) }
                let dotted = path.joined(separator: ".")
                #expect(tree.slot(of: node) == reference.fields[dotted], "\(dotted)")
                #expect(tree.group(of: node) == reference.groups[dotted], "\(dotted)")
                if let slot = tree.slot(of: node) {
                    found += 1
                    #expect(tree.path(of: node) == rules.fields[slot].name)
                }
                if tree.group(of: node) != nil { groupsFound += 1 }
                // No name starts with the path: nothing under it is found either.
                if node == EventKeyTree.none {
                    #expect(!reference.fields.keys.contains { $0.hasPrefix(dotted + ".") }, "\(dotted)")
                }
            }
        }
        // The walk reached real fields and groups, not only misses.
        #expect(found > 900)
        #expect(groupsFound > 20)
    }

    @Test func everyFieldAndGroupIsReachedFromTheRoot() throws {
        let rules = try RuleSet.load(paths: [CommandTests.repoRoot + "/packs"])
        let tree = EventKeyTree(fieldNames: rules.fields.map(\.name), groupNames: rules.groups)
        func walk(_ name: String, segmentwise: Bool) -> Int32 {
            if !segmentwise { return Array(name.utf8).withUnsafeBufferPointer { tree.child(of: EventKeyTree.root, $0) } }
            var node = EventKeyTree.root
            for s in name.split(separator: ".", omittingEmptySubsequences: false) {
                node = Array(s.utf8).withUnsafeBufferPointer { tree.child(of: node, $0) }
            }
            return node
        }
        for (slot, field) in rules.fields.enumerated() {
            #expect(tree.slot(of: walk(field.name, segmentwise: true)) == slot)
            // The whole name as one key (`{"author.role": …}`) reaches the same node.
            #expect(walk(field.name, segmentwise: false) == walk(field.name, segmentwise: true))
        }
        for (index, group) in rules.groups.enumerated() {
            #expect(tree.group(of: walk(group, segmentwise: true)) == index)
        }
        // Nothing under an unknown key, however it continues.
        let unknown = Array("no-such-key".utf8).withUnsafeBufferPointer { tree.child(of: EventKeyTree.root, $0) }
        #expect(unknown == EventKeyTree.none)
        #expect(Array("text".utf8).withUnsafeBufferPointer { tree.child(of: unknown, $0) } == EventKeyTree.none)
    }
}
