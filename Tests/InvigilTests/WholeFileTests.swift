#if canImport(Glibc)
import Glibc
#endif
import Testing
import Invigil

/// The package's one whole-file read: contents, limits and refusals.
@Suite("Whole-file reads")
struct WholeFileTests {
    @Test func readsWholeFilesAndRefusesWhatItShould() throws {
        let dir = "/tmp/invigil-wholefile-\(getpid())"
        mkdir(dir, 0o700)
        defer { _ = system("rm -rf '\(dir)'") }
        // Sizes around the 64 KiB read chunk.
        for size in [0, 1, 65_535, 65_536, 65_537, 200_003] {
            let bytes = (0..<size).map { UInt8(truncatingIfNeeded: $0 &* 31 &+ $0 >> 8) }
            let path = "\(dir)/f\(size)"
            let fd = open(path, O_WRONLY | O_CREAT | O_TRUNC, 0o600)
            #expect(fd >= 0)
            _ = bytes.withUnsafeBytes { write(fd, $0.baseAddress, $0.count) }
            close(fd)
            #expect(try FileSystem.readWholeFile(path).get() == bytes)
            #expect(try FileSystem.readWholeFile(path, limit: size).get() == bytes)
            if size > 0 {
                guard case .failure(let failure) = FileSystem.readWholeFile(path, limit: size - 1) else {
                    Issue.record("a file over the limit was read"); continue
                }
                #expect(failure.kind == .tooLarge && failure.reason.contains("\(size - 1)"))
            }
        }
        guard case .failure(let folder) = FileSystem.readWholeFile(dir) else { Issue.record("a folder was read"); return }
        #expect(folder.kind == .directory && folder.reason == "is a directory")
        guard case .failure(let missing) = FileSystem.readWholeFile(dir + "/missing") else { Issue.record("no file"); return }
        #expect(missing.kind == .open && missing.code == ENOENT)
    }

    @Test func readAllStopsAtTheLimitOnAPipe() {
        var fds: [Int32] = [0, 0]
        #expect(pipe(&fds) == 0)
        let payload = [UInt8](repeating: 0x61, count: 5000)
        _ = payload.withUnsafeBytes { write(fds[1], $0.baseAddress, $0.count) }
        close(fds[1])
        var bytes: [UInt8] = [0x7A]
        let failure = FileSystem.readAll(fd: fds[0], into: &bytes, limit: 4000)
        #expect(failure?.kind == .tooLarge && bytes.count <= 4000)
        close(fds[0])
    }
}
