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
/// the bundled packs, a millisecond or more of a scan's start, while the main thread
/// sets up the scan and then mostly waits. Built here, on another core, they are ready sooner;
/// each is built once whoever asks first, so the worker waits for at most what is still being
/// built. The thread is joined before the scan returns.
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

    deinit { join() }
}
