import InvigilCAPIPrograms

/// `includes`: rule source compiled from memory through the C interface, with includes: the
/// checks of `IncludesProgram` (Tests/InvigilCAPIPrograms, shared with the test suite, which
/// replays the seeds and the kept inputs). A broken promise stops the run and keeps the input.
enum FuzzIncludes {
    static func run(_ data: UnsafeBufferPointer<UInt8>) {
        do {
            try IncludesProgram.run(data)
        } catch {
            fuzzFail(error.description)
        }
    }
}
