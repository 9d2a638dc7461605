// invigil_explain: the trace `invigil explain` prints, for the scanner's current event, as text or
// JSON, into a caller's buffer (snprintf-style: the full length is always reported).

import CInvigil
import Invigil

@c @implementation
public func invigil_explain(
    _ s: OpaquePointer?, _ flags: UInt32, _ buffer: UnsafeMutablePointer<CChar>?,
    _ capacity: Int, _ outLength: UnsafeMutablePointer<Int>?
) -> invigil_status {
    guard capacity >= 0, buffer != nil || capacity == 0 else { return INVIGIL_ERROR_ARGUMENT }
    let known = UInt32(INVIGIL_EXPLAIN_JSON | INVIGIL_EXPLAIN_ALL)
    guard flags & ~known == 0 else { return INVIGIL_ERROR_ARGUMENT }
    return withScanner(s, .write) { box in
        let scanner = box.scanner
        box.clearInterrupt()
        scanner.scan()
        if scanner.timedOut || scanner.interrupted {
            return box.fail(INVIGIL_ERROR_INTERRUPTED, stoppedMessage(box))
        }
        let format: ExplanationFormat = flags & UInt32(INVIGIL_EXPLAIN_JSON) != 0 ? .json : .text
        var text = scanner.explanation(format: format, eventName: "event", all: flags & UInt32(INVIGIL_EXPLAIN_ALL) != 0)
        return text.withUTF8 { utf8 in
            outLength?.pointee = utf8.count
            if let buffer, capacity > 0 {
                let n = min(utf8.count, capacity - 1)
                if let base = utf8.baseAddress {
                    UnsafeMutableRawPointer(buffer).copyMemory(from: base, byteCount: n)
                }
                buffer[n] = 0
            }
            return INVIGIL_OK
        }
    }
}
