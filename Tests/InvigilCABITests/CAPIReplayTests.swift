// Replays programs of C-interface calls through the `capi` fuzz target's interpreter
// (Tests/InvigilCAPIPrograms): the target's seed corpus, every input kept under
// Tests/Fixtures/fuzz/capi/, and programs generated from a fixed seed. Each must keep every promise
// of include/invigil.h that the interpreter checks (statuses, counts, readable strings, error
// chains); a broken one fails the test with the program's name and the promise.

#if canImport(Glibc)
import Glibc
#endif
import InvigilCAPIPrograms
import Testing

@Suite("C interface, replayed call programs", .serialized)
struct CAPIReplayTests {
    static let root: String = {
        var parts = String(#filePath).split(separator: "/", omittingEmptySubsequences: false)
        parts.removeLast(3)  // Tests/InvigilCABITests/CAPIReplayTests.swift
        return parts.joined(separator: "/")
    }()

    static func files(_ folder: String) -> [(String, [UInt8])] {
        guard let dir = opendir(folder) else { return [] }
        var names: [String] = []
        while let entry = readdir(dir) {
            let name = withUnsafePointer(to: entry.pointee.d_name) {
                $0.withMemoryRebound(to: CChar.self, capacity: 256) { String(cString: $0) }
            }
            if !name.hasPrefix(".") && name != "README.md" { names.append(name) }
        }
        closedir(dir)
        return names.sorted().map { name in
            let fd = open(folder + "/" + name, O_RDONLY)
            var bytes: [UInt8] = []
            if fd >= 0 {
                var chunk = [UInt8](repeating: 0, count: 1 << 16)
                while true {
                    let n = chunk.withUnsafeMutableBytes { read(fd, $0.baseAddress!, $0.count) }
                    if n <= 0 { break }
                    bytes += chunk[0..<n]
                }
                close(fd)
            }
            return (name, bytes)
        }
    }

    static func replay(_ name: String, _ program: [UInt8]) {
        do {
            try program.withUnsafeBufferPointer { try CAPIProgram.run($0, root: root) }
        } catch {
            Issue.record("program \(name): \(error)")
        }
    }

    @Test func seedCorpus() {
        defer { CAPIProgram.releaseSharedRules() }
        let seeds = Self.files(Self.root + "/Fuzz/corpus/capi")
        #expect(seeds.count >= 5, "the capi seed corpus is in Fuzz/corpus/capi")
        for (name, program) in seeds { Self.replay("Fuzz/corpus/capi/" + name, program) }
    }

    @Test func keptInputs() {
        defer { CAPIProgram.releaseSharedRules() }
        let kept = Self.files(Self.root + "/Tests/Fixtures/fuzz/capi")
        #expect(kept.count >= 10, "Tests/Fixtures/fuzz/capi holds the programs kept from the fuzz runs")
        for (name, program) in kept {
            Self.replay("Tests/Fixtures/fuzz/capi/" + name, program)
        }
    }

    /// 400 programs from a fixed seed: random bytes, and random bytes with the opcodes that build
    /// rule sets and scanners up front so that the later calls reach live handles.
    @Test func generatedPrograms() {
        defer { CAPIProgram.releaseSharedRules() }
        var state: UInt64 = 0x1234_5678_9abc_def0
        func next() -> UInt8 {
            state = state &* 6_364_136_223_846_793_005 &+ 1_442_695_040_888_963_407
            return UInt8(truncatingIfNeeded: state >> 56)
        }
        for k in 0..<400 {
            var program: [UInt8] = []
            if k % 2 == 0 {
                // compile fixed source 0 into slot 0, a scanner on it, one on the shared packs
                program += [0, 0, 0, 3, 0, 0, 3, 1, 2]
            }
            for _ in 0..<(Int(next()) + 16) { program.append(next()) }
            Self.replay("generated #\(k)", program)
        }
    }
}
