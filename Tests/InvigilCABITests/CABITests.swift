// Runs the C tests of the C interface (Tests/InvigilCTests/abi_tests.c, the same code ctest runs)
// from `swift test`, so that the Swift test suite alone exercises the ABI from C.

import InvigilCTests
import Testing

@Suite("C interface, called from C")
struct CABITests {
    static let names: [String] = (0..<invigil_ctests_count()).map { String(cString: invigil_ctests_name($0)) }

    @Test("C test", arguments: names.indices)
    func cTest(_ index: Int) {
        #expect(invigil_ctests_run(Int32(index)) == 0, "C test \(Self.names[index]) failed; see stderr")
    }

    @Test("two threads in one scanner and an interrupter: only OK, BUSY or INTERRUPTED, never a crash")
    func misuseStress() {
        // 2 s by default; INVIGIL_STRESS_SECONDS runs it longer (10 minutes under TSan, docs/fuzzing.md).
        let seconds = Double(getenvString("INVIGIL_STRESS_SECONDS") ?? "") ?? 2
        #expect(invigil_ctests_misuse_stress(seconds) == 0)
    }

    @Test("4 threads x N events on one rule set give one thread's findings")
    func threads() {
        // 10,000 events per thread keeps the debug `swift test` quick; ctest's c_api_threads runs
        // 4 x 100,000 on the release library. INVIGIL_CTESTS_EVENTS overrides the count.
        let events = Int(getenvString("INVIGIL_CTESTS_EVENTS") ?? "") ?? 10_000
        #expect(invigil_ctests_threads(4, events) == 0)
    }
}

private func getenvString(_ name: String) -> String? {
    guard let p = getenv(name) else { return nil }
    return String(cString: p)
}

#if canImport(Glibc)
import Glibc
#elseif canImport(Darwin)
import Darwin
#endif
