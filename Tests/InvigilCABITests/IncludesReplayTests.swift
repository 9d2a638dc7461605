// Replays the inputs of the `includes` fuzz target through its checks (IncludesProgram, in
// Tests/InvigilCAPIPrograms): the seeds in Fuzz/corpus/includes and the inputs kept from the fuzz
// runs in Tests/Fixtures/fuzz/includes. Each must keep the header's promises about includes.

import InvigilCAPIPrograms
import Testing

@Suite("Includes from memory, replayed fuzz inputs", .serialized)
struct IncludesReplayTests {
    @Test func seedsAndKeptInputs() {
        let seeds = CAPIReplayTests.files(CAPIReplayTests.root + "/Fuzz/corpus/includes")
        let kept = CAPIReplayTests.files(CAPIReplayTests.root + "/Tests/Fixtures/fuzz/includes")
        #expect(seeds.count >= 4)
        #expect(kept.count >= 10, "Tests/Fixtures/fuzz/includes holds the inputs kept from the fuzz runs")
        for (name, bytes) in seeds + kept {
            do {
                try bytes.withUnsafeBufferPointer { b throws(IncludesViolation) in try IncludesProgram.run(b) }
            } catch {
                Issue.record("\(name): \(error.description)")
            }
        }
    }
}
