import Invigil
import Synchronization

/// Copies of one rule set for the scan's worker threads, each sharing no reference-counted
/// object with the original or with another copy.
///
/// A Swift array's or object's reference count sits in its header, in the same cache line as
/// its first fields (an array's count). Workers that scan with one rule set retain and release
/// the same arrays and objects for every event, so those lines move between cores many times per
/// event, and each read of a count that another core has just written waits for the line: in a
/// profile of two jobs sharing one rule set, 42 % of the normalised passes' own samples were one
/// load of an automaton's field count. A copy is the rule set loaded again from its compiled form
/// (docs/compiled-format.md); the same bytes load to the same program and automata, so the
/// findings are the same.
///
/// The first worker keeps the original, so that it starts at once; the others load their copies
/// on their own threads while it scans. When the rules came from the scan's cache, the copies are
/// loaded from the compiled file the cache gave (`RuleCache.hitCompiled`); otherwise the first
/// copy asked for writes the rule set out once.
final class RuleReplicaSource: Sendable {
    private let rules: RuleSet
    /// The compiled file; nil until written, empty when it could not be written (a compiled
    /// file whose cold part changed since it was loaded).
    private let compiled: Mutex<[UInt8]?>

    /// `compiled`: the compiled file `rules` was loaded from, if the caller has it.
    init(_ rules: RuleSet, compiled: [UInt8]? = nil) {
        self.rules = rules
        self.compiled = Mutex(compiled)
    }

    /// A new copy of the rules, or nil when the rule set cannot be copied (the caller then
    /// shares the original, which is correct, only slower). Safe to call from several threads.
    func replica() -> RuleSet? {
        let bytes: [UInt8] = compiled.withLock { state in
            if let state { return state }
            let written = (try? rules.compiledBytes()) ?? []
            state = written
            return written
        }
        guard !bytes.isEmpty else { return nil }
        return try? RuleSet.load(compiled: bytes)
    }
}
