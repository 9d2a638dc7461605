import InvigilCAPIPrograms

/// `capi`: the input is a program of calls to the C interface, run by `CAPIProgram`
/// (Tests/InvigilCAPIPrograms, shared with the test suite, which replays the seeds and the kept
/// inputs). A broken promise of the header stops the run and keeps the input.
enum FuzzCAPI {
    static func run(_ data: UnsafeBufferPointer<UInt8>) {
        do {
            try CAPIProgram.run(data, root: repoRoot)
        } catch {
            fuzzFail("\(error)")
        }
    }
}
