import Testing

@testable import Invigil

/// The JSON reader's memory of which key follows which (`KeyOrderCache`) against the key tree it
/// stands in for, on generated key sequences; and events read by one long-lived scanner (whose cache is
/// warm and often wrong) against the same events read each by a new scanner.
@Suite("Event JSON: the key order cache")
struct KeyOrderCacheTests {
    /// Keys made of the schema's segments, whole dotted names, near misses (one byte changed,
    /// one dropped, one added), lengths about the word boundaries, and strangers.
    static func vocabulary(_ rules: RuleSet) -> [String] {
        var keys = Set<String>()
        for name in rules.fields.map(\.name) + rules.groups {
            keys.insert(name)
            for s in name.split(separator: ".") {
                keys.insert(String(s))
                keys.insert(String(s.dropLast()))
                keys.insert(s + "x")
                keys.insert(s.dropLast() + (s.last == "z" ? "y" : "z"))
            }
        }
        keys.formUnion(["abcdefg", "abcdefgh", "abcdefghi", "abcdefghijklmno", "abcdefghijklmnop", "abcdefghijklmnopq", "é", "ié"])
        keys.remove("")
        return keys.sorted()
    }

    @Test func rememberedAnswersAreTheTreesAnswers() throws {
        let rules = try RuleSet.load(paths: [CommandTests.repoRoot + "/packs"])
        let tree = EventKeyTree(fieldNames: rules.fields.map(\.name), groupNames: rules.groups)
        let cache = KeyOrderCache()
        let keys = Self.vocabulary(rules)
        // The nodes objects are read at: the root and every node a key leads to from it.
        var nodes: [Int32] = [EventKeyTree.root]
        for k in keys {
            let n = Array(k.utf8).withUnsafeBufferPointer { tree.child(of: EventKeyTree.root, $0) }
            if n >= 0 && !nodes.contains(n) { nodes.append(n) }
        }
        #expect(nodes.count > 5)
        var rng = SplitMix(seed: 0x4B_E7)
        var remembered = 0, lookedUp = 0
        // A few orders per node, repeated with occasional changes, as archives are.
        var orders: [Int32: [String]] = [:]
        for _ in 0..<20_000 {
            let node = nodes[Int(rng.next() % UInt64(nodes.count))]
            var order = orders[node] ?? (0..<(1 + Int(rng.next() % 12))).map { _ in keys[Int(rng.next() % UInt64(keys.count))] }
            if rng.next() % 4 == 0 {
                order[Int(rng.next() % UInt64(order.count))] = keys[Int(rng.next() % UInt64(keys.count))]
            }
            if rng.next() % 8 == 0 { order.shuffle(using: &rng) }
            orders[node] = order
            var previous = KeyOrderCache.first
            for key in order {
                // The key between quotes, then what follows it in JSON; now and then at the very
                // end of the buffer, where no word can be read.
                let tail = rng.next() % 5 == 0 ? "" : ":\"value\", \"next\": 1}          "
                let json = Array(("\"" + key + "\"" + tail).utf8)
                let expected = Array(key.utf8).withUnsafeBufferPointer { tree.child(of: node, $0) }
                json.withUnsafeBufferPointer { buffer in
                    let answer = cache.child(node: node, after: previous, in: buffer, at: 1)
                    if answer.node != KeyOrderCache.unknown {
                        remembered += 1
                        #expect(answer.node == expected, "\(key) at \(node)")
                        #expect(answer.length == key.utf8.count, "\(key)")
                    } else {
                        lookedUp += 1
                        Array(key.utf8).withUnsafeBufferPointer { cache.remember(node: node, after: previous, key: $0, child: expected) }
                    }
                }
                previous = expected
            }
        }
        // Most of the vocabulary is strangers (no node): the key after one is remembered as after
        // an object's start, so these orders are far harder on the memory than events are. Both
        // paths are still taken thousands of times.
        #expect(remembered > 4_000)
        #expect(lookedUp > 10_000)
    }

    /// A key that is a prefix of the remembered one, or the remembered one with more after it,
    /// is not taken for it.
    @Test func prefixesAndExtensionsAreNotTheRememberedKey() throws {
        let cache = KeyOrderCache()
        for remembered in ["id", "abcdefgh", "abcdefghij", "abcdefghijklmnop"] {
            for other in [
                String(remembered.dropLast()), remembered + "x", remembered + "\\\"", String(remembered.dropFirst()), remembered.uppercased()
            ] {
                Array(remembered.utf8).withUnsafeBufferPointer { cache.remember(node: 0, after: 3, key: $0, child: 7) }
                let json = Array(("\"" + other + "\":1,                    ").utf8)
                let answer = json.withUnsafeBufferPointer { cache.child(node: 0, after: 3, in: $0, at: 1) }
                #expect(answer.node == KeyOrderCache.unknown, "\(remembered) / \(other)")
                let same = Array(("\"" + remembered + "\":1,                   ").utf8)
                #expect(same.withUnsafeBufferPointer { cache.child(node: 0, after: 3, in: $0, at: 1) }.node == 7)
                // Another node: nothing remembered there, whichever entry it finds.
                #expect(same.withUnsafeBufferPointer { cache.child(node: 1, after: 3, in: $0, at: 1) }.node == KeyOrderCache.unknown)
            }
        }
    }

    /// Two keys that follow the same key are both remembered; remembering the newer one again
    /// (as the reader does when the buffer ended too soon for a guess) keeps the older.
    @Test func twoWaysKeepTwoFollowers() {
        let cache = KeyOrderCache()
        func answer(_ key: String) -> Int32 {
            let json = Array(("\"" + key + "\":1,                    ").utf8)
            return json.withUnsafeBufferPointer { cache.child(node: 2, after: 5, in: $0, at: 1) }.node
        }
        Array("audience".utf8).withUnsafeBufferPointer { cache.remember(node: 2, after: 5, key: $0, child: 11) }
        Array("recipients".utf8).withUnsafeBufferPointer { cache.remember(node: 2, after: 5, key: $0, child: 12) }
        #expect(answer("audience") == 11)
        #expect(answer("recipients") == 12)
        Array("recipients".utf8).withUnsafeBufferPointer { cache.remember(node: 2, after: 5, key: $0, child: 12) }
        #expect(answer("audience") == 11)
        #expect(answer("recipients") == 12)
        // A third follower takes the first way; the oldest goes.
        Array("device".utf8).withUnsafeBufferPointer { cache.remember(node: 2, after: 5, key: $0, child: 13) }
        #expect(answer("device") == 13)
        #expect(answer("recipients") == 12)
        #expect(answer("audience") == KeyOrderCache.unknown)
    }

    /// Everything the reader stored for an event, as text.
    static func stored(_ s: Scanner) -> [String] {
        (0..<s.rules.fields.count).flatMap { f in
            (0..<s.values.count(f)).map { vi in
                let v = s.values[f, vi]
                let kind = s.rules.fields[f].kind
                let shown = kind == .string || kind == .text ? String(decoding: s.bytes(field: f, valueIndex: vi), as: UTF8.self) : "\(v.a)"
                return "\(s.rules.fields[f].name)[\(v.element)] \(shown)"
            }
        }
    }

    /// Events of the bundled schema with their keys in changing orders, with escaped keys,
    /// unknown keys and dotted keys, read by one scanner throughout and by a new scanner each.
    @Test func aWarmReaderReadsWhatAColdOneReads() throws {
        let rules = try RuleSet.load(paths: [CommandTests.repoRoot + "/packs"])
        let warm = Scanner(rules: rules)
        var rng = SplitMix(seed: 0x0DE5)
        let recipient = [
            "\"id\":\"pupil-1\"", "\"role\":\"pupil\"", "\"status\":\"current\"", "\"family\":false", "\"nickname\":\"x\"",
            "\"r\\u006fle\":\"parent\""
        ]
        var members = [
            "\"id\":\"e-1\"", "\"school\":\"DSAT\"", "\"type\":\"email\"", "\"time\":\"2024-03-11T14:40:00+00:00\"",
            "\"author\":{\"id\":\"staff-1\",\"role\":\"staff\"}", "\"author.role\":\"parent\"", "\"device\":\"school\"",
            "\"subject\":\"Hello\"", "\"text\":\"see you at the match\"", "\"unknown\":{\"text\":\"not read\"}", "\"t\\u0065xt\":\"escaped key\"",
            "\"account\":{\"kind\":\"personal\",\"platform\":\"email\",\"email\":\"a@b.example\"}", "\"location\":\"grounds\""
        ]
        var stored = 0, read = 0
        for event in 0..<3_000 {
            if event % 10 == 0 { members.shuffle(using: &rng) }
            var chosen = members.filter { _ in rng.next() % 6 != 0 }
            if rng.next() % 3 == 0 {
                let people = (0..<Int(rng.next() % 3)).map { _ in
                    "{" + recipient.filter { _ in rng.next() % 4 != 0 }.joined(separator: rng.next() % 2 == 0 ? "," : " , ") + "}"
                }
                chosen.append("\"recipients\":[" + people.joined(separator: ",") + "]")
            }
            // Now and then a value of the wrong kind: the same error, at the same byte, both ways.
            if rng.next() % 10 == 0 { chosen.insert("\"account\":{\"kind\":\"robot\"}", at: Int(rng.next() % UInt64(chosen.count + 1))) }
            let json = Array(("{" + chosen.joined(separator: rng.next() % 3 == 0 ? ", " : ",") + "}").utf8)
            let cold = Scanner(rules: rules)
            if event % 2 == 0 { cold.remembersKeyOrder = false }
            var warmError: EventError? = nil, coldError: EventError? = nil
            do { try warm.setJSON(json) } catch { warmError = error }
            do { try cold.setJSON(json) } catch { coldError = error }
            #expect(warmError?.description == coldError?.description, "\(String(decoding: json, as: UTF8.self))")
            #expect(Self.stored(warm) == Self.stored(cold), "\(String(decoding: json, as: UTF8.self))")
            stored += Self.stored(cold).count
            if coldError == nil { read += 1 }
        }
        #expect(stored > 20_000)
        #expect(read > 2_000 && read < 2_900)
    }
}
