// Runs the C tests of compiled rule files (Tests/InvigilCTests/compiled_tests.c) from `swift test`.

import InvigilCTests
import Testing

@Suite("Compiled rule files through the C interface, called from C", .serialized)
struct CompiledCTests {
    static let names: [String] = (0..<invigil_compiled_ctests_count()).map { String(cString: invigil_compiled_ctests_name($0)) }

    @Test("C test", arguments: names.indices)
    func cTest(_ index: Int) {
        #expect(invigil_compiled_ctests_run(Int32(index)) == 0, "C test \(Self.names[index]) failed; see stderr")
    }
}
