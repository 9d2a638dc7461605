#if canImport(Glibc)
import Glibc
#endif
#if canImport(InvigilSIMD)
import InvigilSIMD
#endif

/// Work a loaded rule set does once, on first use, whichever thread comes first: filling an
/// automaton's rows (`DeferredRows`), decoding the conditions and examples (`DeferredModel`).
/// The work runs under a mutex and is published with a release store; every later use tests
/// it with an acquire load, so threads may share the rule set from the start. Without
/// InvigilSIMD (which supplies the acquire and release operations), the owner does the work at
/// once and calls `markDone()` before the rule set is shared.
final class OnceGate: @unchecked Sendable {
    /// 1 once the work is done (read with acquire, written with release).
    private let done: UnsafeMutablePointer<Int32>
    private let mutex: UnsafeMutablePointer<pthread_mutex_t>

    init() {
        done = .allocate(capacity: 1)
        done.initialize(to: 0)
        mutex = .allocate(capacity: 1)
        pthread_mutex_init(mutex, nil)
    }

    deinit {
        done.deallocate()
        pthread_mutex_destroy(mutex)
        mutex.deallocate()
    }

    /// Whether the work has been done.
    var isDone: Bool {
        #if canImport(InvigilSIMD)
        return ivg_flag_load_acquire(done) != 0
        #else
        return done.pointee != 0
        #endif
    }

    /// Runs `work` unless it has run: on the first call, or while another thread runs it, waits
    /// for it.
    @inline(__always)
    func run(_ work: () -> Void) {
        if !isDone { runLocked(work) }
    }

    @inline(never)
    private func runLocked(_ work: () -> Void) {
        pthread_mutex_lock(mutex)
        if done.pointee == 0 {
            work()
            #if canImport(InvigilSIMD)
            ivg_flag_store_release(done, 1)
            #else
            done.pointee = 1
            #endif
        }
        pthread_mutex_unlock(mutex)
    }

    /// Runs `work` unless it has run to completion: the gate passes only when `work` returns,
    /// so after a throw the next call runs it again (the cold part of a file that could not be
    /// read then may be read later).
    @inline(__always)
    func run<E: Error>(throwing work: () throws(E) -> Void) throws(E) {
        if !isDone { try runLocked(throwing: work) }
    }

    @inline(never)
    private func runLocked<E: Error>(throwing work: () throws(E) -> Void) throws(E) {
        pthread_mutex_lock(mutex)
        defer { pthread_mutex_unlock(mutex) }
        if done.pointee == 0 {
            try work()
            #if canImport(InvigilSIMD)
            ivg_flag_store_release(done, 1)
            #else
            done.pointee = 1
            #endif
        }
    }

    /// Records work done by the owner before anything else could see it.
    func markDone() { done.pointee = 1 }
}

/// A value made on first use, once, whichever thread comes first (`OnceGate`): what a rule set
/// derives for its scanners (`RuleSet.cueFreeAutomata()`, `RuleSet.sharedScanTables()`).
final class OnceValue<Value>: @unchecked Sendable {
    private let gate = OnceGate()
    /// Set once, under the gate; read only after it.
    private var value: Value?

    /// The value, made by `make` on the first call.
    func get(_ make: () -> Value) -> Value {
        gate.run { value = make() }
        return value!
    }
}
