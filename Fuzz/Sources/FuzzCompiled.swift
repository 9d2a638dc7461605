@testable import Invigil

/// `compiled`: the loader of compiled rule files. Each input is loaded twice: as it is (the
/// header and checksum checks), and resealed with a valid header and checksums for its payload
/// and cold part (so that mutations reach the section readers and the table checks). A refused
/// input must give a one-line message; a loaded one must scan fixed events, read its cold part
/// (examples and conditions: a refusal there is one line too) and, when it can, scan its own
/// examples (findings inside the event, bytecode agreeing with the tree evaluator when the
/// stored program is the one the conditions compile to), and write itself back into a file that
/// loads and writes the same bytes again.
enum FuzzCompiled {
    static let events: [[UInt8]] = [
        #"{"id":"1","school":"WOOL","type":"post","time":"2024-01-17T10:35:00Z","author":{"role":"staff"},"recipients":[{"role":"pupil"}],"text":"text me on 07700 900123 or dm me s3cr3t www.facebook.com/x a@b.com"}"#,
        #"{"role":"staff","text":"T E X T  me ＨＥＬＬＯ","time":"2024-06-03T10:00:00Z","score":3,"flag":true,"handle":"@x"}"#
    ].map { Array($0.utf8) }

    static func run(_ data: UnsafeBufferPointer<UInt8>) {
        let bytes = Array(data)
        check(bytes)
        if let resealed = RuleSetWriter.resealed(bytes) { check(resealed) }
    }

    static func checkMessage(_ error: CompiledRulesError) {
        if error.message.isEmpty || error.message.unicodeScalars.contains(where: { $0.value < 0x20 }) {
            fuzzFail("refusal message '\(error.message)'")
        }
    }

    static func check(_ bytes: [UInt8]) {
        let rules: RuleSet
        do {
            rules = try RuleSet.load(compiled: bytes)
        } catch {
            checkMessage(error)
            return
        }
        let scanner = Scanner(rules: rules)
        // The cold part is checked on first use: a damaged one is refused then, with a message,
        // and the rule set still scans (its payload passed every check).
        var model: RuleSet.Model? = nil
        do { model = try rules.model } catch { checkMessage(error) }
        let faithful = model.map { rules.tables.isIdentical(to: RuleTables(deriving: $0)) } ?? false
        for event in events + (model?.examples ?? []).prefix(16).map(\.json) {
            guard (try? scanner.scanJSON(event)) != nil else { continue }
            for f in scanner.findings {
                for m in scanner.matches[f.matches] {
                    let value = scanner.bytes(field: m.field, valueIndex: m.valueIndex)
                    if m.start < 0 || m.start > m.end || m.end > value.count {
                        fuzzFail("span \(m.start)..<\(m.end) outside a value of \(value.count) bytes")
                    }
                }
            }
            // A stored program is checked for safety, not compiled again: it agrees with the trees
            // when it is the one they compile to (always, for a file the writer wrote).
            guard faithful else { continue }
            let fired = Set(scanner.findings.map(\.rule))
            for r in rules.rules.indices where fired.contains(r) != (scanner.packApplies(rule: r) && scanner.evaluateTree(rule: r)) {
                fuzzFail("rule \(r): bytecode and tree evaluator disagree")
            }
        }
        guard model != nil else {
            if (try? rules.compiledBytes()) != nil { fuzzFail("a rule set whose cold part is refused writes itself") }
            return
        }
        let again: [UInt8]
        do { again = try rules.compiledBytes() } catch { fuzzFail("a rule set with its cold part read cannot write itself: \(error)") }
        let reloaded: RuleSet
        do { reloaded = try RuleSet.load(compiled: again) } catch { fuzzFail("a loaded rule set writes a file that is refused: \(error)") }
        if (try? reloaded.compiledBytes()) != again { fuzzFail("writing a reloaded rule set gives other bytes") }
    }
}
