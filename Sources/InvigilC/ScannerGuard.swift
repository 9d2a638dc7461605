// Detecting a scanner used by two threads at once, and the one error model of scanner calls.
//
// A scanner is per-thread state; the header forbids sharing one, but a gateway that gets it wrong
// must see a status, not a crash. Every scanner call enters through `enter`, which claims the
// scanner with an atomic compare-and-exchange on its in-use state: 0 free, -1 one writer (set,
// add, scan, reset, settings), n > 0 n readers (finding_at, match_at, event_string, ...). A call
// that cannot claim it returns INVIGIL_ERROR_BUSY at once and touches nothing else; readers may
// share. This is Hyperscan's HS_SCRATCH_IN_USE. The check costs two atomic operations per call.
//
// The error model: a call that fails (other than with BUSY) leaves its message readable through
// invigil_scanner_last_error; a call that succeeds clears it.

import CInvigil
import Invigil

enum ScannerAccess {
    case read, write
}

extension ScannerBox {
    @inline(__always) func tryEnter(_ access: ScannerAccess) -> Bool {
        switch access {
        case .write:
            return ivg_atomic_exchange_if(shared, 0, -1) != 0
        case .read:
            while true {
                let state = ivg_atomic_load(shared)
                if state < 0 { return false }
                if ivg_atomic_exchange_if(shared, state, state + 1) != 0 { return true }
            }
        }
    }

    @inline(__always) func leave(_ access: ScannerAccess) {
        switch access {
        case .write: ivg_atomic_store(shared, 0)
        case .read: _ = ivg_atomic_add(shared, -1)
        }
    }

    /// During a JSONL callback the writer lets the callback (and only readers) in, then claims the
    /// scanner back once they have left.
    func downgradeForCallback() { ivg_atomic_store(shared, 1) }

    func upgradeAfterCallback() {
        while ivg_atomic_exchange_if(shared, 1, -1) == 0 { sched_yield() }
    }

    /// Records the outcome of a call for invigil_scanner_last_error.
    @inline(__always) func finish(_ status: invigil_status) -> invigil_status {
        if status == INVIGIL_OK {
            if lastError != nil {
                lastError?.deallocate()
                lastError = nil
            }
        } else if !failedThisCall {
            lastError?.deallocate()
            lastError = mallocCString(String(cString: invigil_status_string(status)))
        }
        failedThisCall = false
        return status
    }

    /// Asks the scan in progress to stop (any thread).
    func requestInterrupt() { ivg_atomic_store(shared + 1, 1) }

    /// Forgets an interrupt request made while no scan was running (called as a scan starts).
    func clearInterrupt() { ivg_atomic_store(shared + 1, 0) }
}

/// Runs a scanner call: `invalid` for a bad handle or freed rules, BUSY if another thread is in
/// the scanner, else the body's status, recorded for invigil_scanner_last_error.
///
/// The box is borrowed from its handle for the call, not retained: a retain and a release per
/// call were 40 instructions of the 500 that setting a field costs. Freeing a scanner while
/// another thread is in it is the caller's error either way (the handle's block is freed).
@inline(__always)
func withScanner(
    _ handle: OpaquePointer?, _ access: ScannerAccess,
    _ body: (ScannerBox) -> invigil_status
) -> invigil_status {
    guard let block = handleBlock(handle, Magic.scanner) else { return INVIGIL_ERROR_ARGUMENT }
    return Unmanaged<ScannerBox>.fromOpaque(block.pointee.object)._withUnsafeGuaranteedRef { box in
        guard !box.owner.freed else { return INVIGIL_ERROR_ARGUMENT }
        guard box.tryEnter(access) else { return INVIGIL_ERROR_BUSY }
        defer { box.leave(access) }
        return access == .write ? box.finish(body(box)) : body(box)
    }
}

/// The same for calls that return a value rather than a status; `busy` is returned if another
/// thread is in the scanner.
@inline(__always)
func withScanner<R>(
    _ handle: OpaquePointer?, _ access: ScannerAccess, invalid: R, busy: R,
    _ body: (ScannerBox) -> R
) -> R {
    guard let box = liveScanner(handle) else { return invalid }
    guard box.tryEnter(access) else { return busy }
    defer { box.leave(access) }
    return body(box)
}

#if canImport(Glibc)
import Glibc
#elseif canImport(Musl)
import Musl
#endif
