import Glibc
import InvigilArchive
import Testing

/// Reader throughput on generated files: `ARCHIVE_BENCH=/path/a.mbox:/path/b.csv swift test -c release
/// --filter ArchiveBench` (skipped when ARCHIVE_BENCH is unset). Prints MB/s and records/s per file.
@Suite("Archive bench")
struct ArchiveBenchTests {
    @Test func throughput() throws {
        guard let env = getenv("ARCHIVE_BENCH") else { return }
        for path in String(cString: env).split(separator: ":").map(String.init) {
            var ts = timespec()
            clock_gettime(CLOCK_MONOTONIC, &ts)
            let start = Double(ts.tv_sec) + Double(ts.tv_nsec) / 1e9
            var source = try openArchive(path: path, format: .auto)
            var records = 0, rejected = 0
            while let r = source.next() {
                records += 1
                if case .rejected = r.payload { rejected += 1 }
            }
            clock_gettime(CLOCK_MONOTONIC, &ts)
            let seconds = Double(ts.tv_sec) + Double(ts.tv_nsec) / 1e9 - start
            let mb = Double(source.bytesRead) / 1_048_576
            var usage = rusage()
            getrusage(RUSAGE_SELF.rawValue, &usage)
            print(
                "ARCHIVE_BENCH \(path): \(records) records (\(rejected) rejected), \(Int(mb)) MB in \(Int(seconds * 1000)) ms: \(Int(mb / seconds)) MB/s, \(Int(Double(records) / seconds)) records/s, peak RSS \(usage.ru_maxrss / 1024) MB"
            )
        }
    }
}
