#if canImport(Glibc)
import Glibc
#endif
import Invigil

/// The tables a rule set's first scanner builds (`RuleSet.prepareForScanning()`), built on a
/// thread of their own from the moment the rules are loaded.
///
/// The first worker scans with the loaded rule set itself (`RuleReplicaSource`), and before its
/// first event its scanner builds the `spaced` automata over raw text, the cue-free automata and
/// the shared tables, and its first scan fills the automata's rows: about 15 M instructions with
/// the bundled packs, while the main thread sets up the scan and then mostly waits. Built here,
/// on another core, they are ready sooner (a scan of one event: 12–15 ms of wall time before,
/// about 9.5 after); each is built once whoever asks first, so the worker waits for at most what
/// is still being built. The caller joins the thread before the scan returns (a `defer`: were
/// the join left to `deinit`, the object could go, and be waited for, right after `init`).
final class ScanTablePrebuild {
    private var thread: pthread_t?

    init(_ rules: RuleSet) {
        thread = startThread { rules.prepareForScanning() }
    }

    /// Waits for the thread; a second call does nothing.
    func join() {
        if let t = thread {
            pthread_join(t, nil)
            thread = nil
        }
    }
}
