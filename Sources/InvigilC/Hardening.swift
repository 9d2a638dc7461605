// The C interface's gateway hardening (docs/c-api.md, "Hardening"): interrupting a scan from
// another thread, the status of a scan that stopped early, and the bound on stored match spans.

import CInvigil
import Invigil

/// Limits of the C interface beyond the engine's (docs/limits.md).
enum CLimits {
    /// A length above this (256 TiB, more than any process can map) is refused with
    /// INVIGIL_ERROR_LIMIT before a byte is read, where no smaller limit applies.
    static let addressableBytes = 1 << 48
}

/// INVIGIL_ERROR_INTERRUPTED if the last scan stopped early (time budget or interrupt), else OK.
func stoppedStatus(_ box: ScannerBox) -> invigil_status {
    box.scanner.interruptedOrTimedOut ? INVIGIL_ERROR_INTERRUPTED : INVIGIL_OK
}

func stoppedMessage(_ box: ScannerBox) -> String {
    box.scanner.interrupted
        ? "the scan was interrupted (invigil_scan_interrupt); the findings so far are kept"
        : "the scan's time budget ran out; the findings so far are kept"
}

@c @implementation
public func invigil_scan_interrupt(_ scanner: OpaquePointer?) {
    // Only the handle's magic and the box are read: both stay as they are while the scanner lives.
    guard let box = object(scanner, Magic.scanner, ScannerBox.self) else { return }
    box.requestInterrupt()
}

@c @implementation
public func invigil_scanner_set_match_limit(_ s: OpaquePointer?, _ maxSpans: Int) -> invigil_status {
    guard maxSpans >= 0 else { return INVIGIL_ERROR_ARGUMENT }
    return withScanner(s, .write) { box in
        guard maxSpans <= Limits.storedSpansMaximum else {
            return box.fail(INVIGIL_ERROR_LIMIT, "match limit \(maxSpans) is over the maximum of \(Limits.storedSpansMaximum)")
        }
        box.scanner.storedSpanLimit = maxSpans
        return INVIGIL_OK
    }
}

@c @implementation
public func invigil_finding_match_total(
    _ s: OpaquePointer?, _ index: Int, _ outTotal: UnsafeMutablePointer<Int>?,
    _ outTruncated: UnsafeMutablePointer<Int32>?
) -> invigil_status {
    withScanner(s, .read) { box in
        let findings = box.scanner.findings
        guard index >= 0, index < findings.count else { return INVIGIL_ERROR_ARGUMENT }
        outTotal?.pointee = findings[index].matchTotal
        outTruncated?.pointee = findings[index].truncated ? 1 : 0
        return INVIGIL_OK
    }
}
