// invigil-bench: the engine's speed, measured against baselines in the same process.
//
//   swift run -c release invigil-bench [--size MB] [--sets 10,100,1000,10000,100000] [--runs N]
//       [--json out.json] [--export DIR] [--packs DIR] [--samples DIR] [--naive-limit MB] [--no-e2e]
//   swift run -c release invigil-bench --zip export.zip [--runs N]
//   swift run -c release invigil-bench --readers [--size MB] [--runs N]
//
// See docs/performance.md for the method and Benchmarks/peers.sh for Hyperscan, ripgrep, grep and
// pyahocorasick on the same corpus and phrase sets.

import Invigil
#if canImport(Glibc)
import Glibc
#endif

struct Options {
    var sizeMB = 64
    var sets = [10, 100, 1_000, 10_000, 100_000]
    var runs = 3
    var json: String?
    var export: String?
    var packs = "packs"
    var samples = "examples/sample"
    var naiveLimitMB = 256
    var endToEnd = true
    var scanOnly = false
    var denseBudgetMB: Int?
    var abi = false
    var abiEvents = 200_000
    var abiBytes = 200
    var zip: String?
    var compiled = false
    var compiledSets = [100_000]
    var readers = false
    var readerDir: String?
    var reuse = false
    var onlyReader: String?

    init(_ args: [String]) {
        var i = 0
        func value() -> String {
            i += 1
            guard i < args.count else { printErr("missing value for \(args[i - 1])"); exit(64) }
            return args[i]
        }
        while i < args.count {
            switch args[i] {
            case "--size": sizeMB = max(1, Int(value()) ?? 64)
            case "--sets": sets = value().split(separator: ",").compactMap { Int($0) }.filter { $0 > 0 }
            case "--runs": runs = max(1, Int(value()) ?? 3)
            case "--json": json = value()
            case "--export": export = value()
            case "--packs": packs = value()
            case "--samples": samples = value()
            case "--naive-limit": naiveLimitMB = max(0, Int(value()) ?? 256)
            case "--no-e2e": endToEnd = false
            case "--dense-budget": denseBudgetMB = max(0, Int(value()) ?? 24)
            case "--scan-only": scanOnly = true; endToEnd = false
            case "--abi": abi = true
            case "--abi-events": abiEvents = max(1, Int(value()) ?? 200_000)
            case "--abi-bytes": abiBytes = max(1, Int(value()) ?? 200)
            case "--zip": zip = value()
            case "--compiled": compiled = true
            case "--readers": readers = true
            case "--reader-dir": readerDir = value()
            case "--reuse": reuse = true
            case "--reader": onlyReader = value()
            case "--compiled-sets": compiledSets = value().split(separator: ",").compactMap { Int($0) }.filter { $0 > 0 }
            case "-h", "--help":
                print(
                    """
                    usage: invigil-bench [--size MB] [--sets 10,100,...] [--runs N] [--json FILE] [--export DIR]
                                         [--packs DIR] [--samples DIR] [--naive-limit MB] [--no-e2e] [--scan-only]
                      --size MB        corpus size (text and JSONL archive), default 64
                      --sets LIST      phrase-set sizes, default 10,100,1000,10000,100000
                      --runs N         timed runs per figure (the median is reported), default 3
                      --json FILE      also write the results as JSON
                      --export DIR     write corpus.txt, archive.jsonl and phrases-N.txt for Benchmarks/peers.sh
                      --packs DIR      rule packs for the end-to-end figures, default packs
                      --samples DIR    sample archives whose event shapes the JSONL archive copies, default examples/sample
                      --naive-limit MB largest table for the naive dense DFA baseline, default 256
                      --no-e2e         skip the end-to-end (JSONL + packs) figures
                      --scan-only      only the one-buffer automaton scan (quick checks while optimising)
                      --dense-budget MB  the automaton's dense-row budget (default: the library's, 24)
                      --abi            only the C ABI against the Swift API: events/s of 200-byte events
                      --abi-events N   events for --abi, default 200000; --abi-bytes B: text bytes, default 200
                      --zip FILE       only the zip reader on FILE (a WhatsApp export): inflate against CRC-32 and memchr
                      --compiled       only compiled rule files: load against compile, file against table sizes,
                                       for the packs and --compiled-sets LIST phrase sets (default 100000)
                      --readers        only the archive readers, without scanning: mbox, CSV, Maildir and JSONL
                                       generated from the corpus (--size MB, in --reader-dir DIR, default
                                       /tmp/invigil-reader-bench), against read(2) and memchr over the same bytes;
                                       --reuse: the archives of an earlier run; --reader NAME: that reader only
                    """)
                exit(0)
            default:
                printErr("unknown argument \(args[i]) (see --help)")
                exit(64)
            }
            i += 1
        }
    }
}

let options = Options(Array(CommandLine.arguments.dropFirst()))
if options.readers {
    runReaderBenchmark(
        sizeMB: options.sizeMB, runs: options.runs, directory: options.readerDir, samples: options.samples,
        reuse: options.reuse, only: options.onlyReader)
} else if options.compiled {
    runCompiledBenchmark(options)
} else if options.abi {
    runABIBenchmark(events: options.abiEvents, bytes: options.abiBytes)
} else if let zip = options.zip {
    runZipBenchmark(path: zip, runs: options.runs)
} else {
    runBenchmarks(options)
}

func runBenchmarks(_ o: Options) {
    let bytes = o.sizeMB << 20
    let t0 = now()
    let vocab = Vocabulary()
    let corpus = makeTextCorpus(bytes: bytes, vocab: vocab)
    let text = corpus.text
    print(
        "invigil-bench: \(mb(text.count)) MB of text, \(corpus.messages.count) messages "
            + "(mean \(text.count / max(1, corpus.messages.count)) bytes), generated in \(fmt(now() - t0, 2)) s; "
            + "\(sysconf(Int32(_SC_NPROCESSORS_ONLN))) cores; median of \(o.runs) runs")
    if let dir = o.export {
        makeDirectory(dir)
        writeWholeFile(dir + "/corpus.txt", text)
    }

    // Baselines.
    var baselineJSON: [(String, JSON)] = []
    let memchrSeconds = text.withUnsafeBufferPointer { buf in timeMedian(runs: o.runs) { _ = memchrPass(buf) } }
    let memchrMBps = Double(text.count) / memchrSeconds / 1e6
    baselineJSON.append(("memchr_MBps", .number(memchrMBps)))
    print("baseline: memchr \(fmt(memchrMBps)) MB/s")

    // One-megabyte chunks ending at message boundaries, so matches never straddle a chunk.
    var chunks: [Range<Int>] = []
    do {
        var s = 0
        while s < text.count {
            var e = min(text.count, s + (1 << 20))
            while e < text.count && text[e - 1] != 0x0A { e += 1 }
            chunks.append(s..<e)
            s = e
        }
    }

    var setRows: [JSON] = []
    print("")
    print(
        "phrases | states  classes    layout | tables MB | compile ms  peak MB | scan MB/s | per msg MB/s  events/s | naive DFA MB/s | scan/naive | matches"
    )
    for n in o.sets {
        let phrases = makePhraseSet(count: n, vocab: vocab)
        if let dir = o.export {
            var out: [UInt8] = []
            for p in phrases { out += p; out.append(0x0A) }
            writeWholeFile(dir + "/phrases-\(n).txt", out)
        }
        // Compile, with the peak memory above the resident size before.
        resetPeakRSS()
        let before = procStatusBytes("VmRSS")
        let c0 = now()
        let automaton =
            o.denseBudgetMB.map { Automaton(patterns: phrases, denseBudgetBytes: $0 << 20) }
            ?? Automaton(patterns: phrases)
        let compileSeconds = now() - c0
        let peak = max(0, procStatusBytes("VmHWM") - before)

        // Scan over one buffer (in 1 MB chunks; hits cleared per chunk).
        var hits: [AutomatonHit] = []
        hits.reserveCapacity(1 << 16)
        var hitCount = 0, matchCount = 0
        text.withUnsafeBufferPointer { all in
            for c in chunks {
                hits.removeAll(keepingCapacity: true)
                automaton.scan(UnsafeBufferPointer(rebasing: all[c]), into: &hits)
                hitCount += hits.count
                for h in hits { matchCount += automaton.patternCount(at: h.state) }
            }
        }
        let scanSeconds = text.withUnsafeBufferPointer { all in
            timeMedian(runs: o.runs) {
                for c in chunks {
                    hits.removeAll(keepingCapacity: true)
                    automaton.scan(UnsafeBufferPointer(rebasing: all[c]), into: &hits)
                }
            }
        }
        let scanMBps = Double(text.count) / scanSeconds / 1e6

        // One call per message.
        var perMessageSeconds = Double.nan
        var naiveMBps = Double.nan
        var naiveStates = 0
        if !o.scanOnly {
            var perMessageHits = 0
            perMessageSeconds = text.withUnsafeBufferPointer { all in
                timeMedian(runs: o.runs) {
                    perMessageHits = 0
                    for m in corpus.messages {
                        hits.removeAll(keepingCapacity: true)
                        automaton.scan(UnsafeBufferPointer(rebasing: all[m]), into: &hits)
                        perMessageHits &+= hits.count
                    }
                }
            }
            if perMessageHits != hitCount { printErr("warning: per-message hits \(perMessageHits) != buffer hits \(hitCount)") }
            // The naive dense DFA.
            if let naive = NaiveDFA(patterns: phrases, limitBytes: o.naiveLimitMB << 20) {
                naiveStates = naive.stateCount
                var naiveHits = 0
                let s = text.withUnsafeBufferPointer { buf in timeMedian(runs: o.runs) { naiveHits = naive.countHits(buf) } }
                naiveMBps = Double(text.count) / s / 1e6
                if naiveHits != hitCount { printErr("warning: naive DFA hits \(naiveHits) != automaton hits \(hitCount)") }
            }
        }
        let perMessageMBps = Double(text.count - corpus.messages.count) / perMessageSeconds / 1e6
        let eventsPerSecond = Double(corpus.messages.count) / perMessageSeconds
        let layout = (automaton.denseStateCount == automaton.stateCount ? "dense" : "hybrid") + (automaton.hasPrefilter ? "+pf" : "")
        print(
            pad(String(n), 7) + " | " + pad(String(automaton.stateCount), 7) + " " + pad(String(automaton.classCount), 7)
                + " " + pad(layout, 9) + " | " + pad(mb(automaton.memoryBytes), 9) + " | " + pad(fmt(compileSeconds * 1000, 1), 10)
                + " " + pad(mb(peak), 8) + " | " + pad(fmt(scanMBps), 9) + " | " + pad(fmt(perMessageMBps), 12) + " "
                + pad(fmt(eventsPerSecond), 9) + " | " + pad(fmt(naiveMBps), 14) + " | " + pad(fmt(scanMBps / naiveMBps, 2), 10)
                + " | " + String(matchCount))
        setRows.append(
            .object([
                ("phrases", .int(n)),
                ("states", .int(automaton.stateCount)),
                ("classes", .int(automaton.classCount)),
                ("dense_states", .int(automaton.denseStateCount)),
                ("layout", .string(layout)),
                ("automaton_bytes", .int(automaton.memoryBytes)),
                ("compile_ms", .number(compileSeconds * 1000)),
                ("compile_peak_bytes", .int(peak)),
                ("scan_MBps", .number(scanMBps)),
                ("per_message_MBps", .number(perMessageMBps)),
                ("events_per_s", .number(eventsPerSecond)),
                ("naive_dfa_MBps", naiveMBps.isNaN ? .null : .number(naiveMBps)),
                ("naive_dfa_states", .int(naiveStates)),
                ("hits", .int(hitCount)),
                ("matches", .int(matchCount))
            ]))
    }

    var e2eJSON: JSON = .null
    if o.endToEnd {
        e2eJSON = endToEnd(o, vocab: vocab, bytes: bytes)
    }

    if let path = o.json {
        var s = ""
        JSON.object([
            ("tool", .string("invigil-bench")),
            ("corpus_bytes", .int(text.count)),
            ("messages", .int(corpus.messages.count)),
            ("runs", .int(o.runs)),
            ("cores", .int(sysconf(Int32(_SC_NPROCESSORS_ONLN)))),
            ("baselines", .object(baselineJSON)),
            ("sets", .array(setRows)),
            ("end_to_end", e2eJSON)
        ]).write(into: &s)
        s += "\n"
        if !writeWholeFile(path, Array(s.utf8)) { printErr("cannot write \(path)") }
    }
}

/// JSONL archive → RuleSet of the bundled packs → findings, from a file and in memory, 1 and 2 threads.
func endToEnd(_ o: Options, vocab: Vocabulary, bytes: Int) -> JSON {
    let samples = readSampleLines(folder: o.samples)
    let archive = makeJSONLArchive(bytes: bytes, vocab: vocab, samples: samples)
    let lineCount = archive.reduce(0) { $0 + ($1 == 0x0A ? 1 : 0) }
    let path: String
    if let dir = o.export { path = dir + "/archive.jsonl" } else { path = "/tmp/invigil-bench-\(getpid()).jsonl" }
    writeWholeFile(path, archive)
    defer { if o.export == nil { unlink(path) } }

    resetPeakRSS()
    let before = procStatusBytes("VmRSS")
    let c0 = now()
    let rules: RuleSet
    do {
        rules = try RuleSet.load(paths: [o.packs])
    } catch {
        printErr("end to end skipped: cannot load \(o.packs): \(error)")
        return .null
    }
    let compileSeconds = now() - c0
    let peak = max(0, procStatusBytes("VmHWM") - before)
    let a = rules.automaton
    print("")
    print(
        "end to end: \(mb(archive.count)) MB JSONL, \(lineCount) events (\(samples.isEmpty ? "built-in" : "sample") event shapes); "
            + "packs \(o.packs): \(rules.rules.count) rules, \(a.patternCount) phrases, \(a.stateCount) states, \(a.classCount) classes; "
            + "compiled in \(fmt(compileSeconds * 1000, 1)) ms, peak \(mb(peak)) MB")

    // From the file: read in 4 MB blocks, split lines, scan, write each finding as a line to /dev/null.
    var findings = 0, errors = 0
    let fileSeconds = timeMedian(runs: o.runs) {
        (findings, errors) = scanFile(path, rules)
    }
    let fileMBps = Double(archive.count) / fileSeconds / 1e6
    let eventsPerSecond = Double(lineCount) / fileSeconds

    // In memory: one thread over everything, then two threads over halves, each with its own scanner.
    let lines = lineRanges(archive)
    let oneSeconds = archive.withUnsafeBufferPointer { buf in
        timeMedian(runs: o.runs) { _ = scanLines(buf, lines[...], Scanner(rules: rules)) }
    }
    let half = lines.count / 2
    let twoSeconds = archive.withUnsafeBufferPointer { buf in
        timeMedian(runs: o.runs) {
            let shared = SharedBuffer(buf)
            runThreads([
                { _ = scanLines(shared.buffer, lines[..<half], Scanner(rules: rules)) },
                { _ = scanLines(shared.buffer, lines[half...], Scanner(rules: rules)) }
            ])
        }
    }
    let oneMBps = Double(archive.count) / oneSeconds / 1e6
    let twoMBps = Double(archive.count) / twoSeconds / 1e6
    print("  from file, 1 thread:  \(fmt(fileMBps)) MB/s, \(fmt(eventsPerSecond)) events/s, \(findings) findings, \(errors) rejected events")
    print("  in memory, 1 thread:  \(fmt(oneMBps)) MB/s, \(fmt(Double(lineCount) / oneSeconds)) events/s")
    print("  in memory, 2 threads: \(fmt(twoMBps)) MB/s (\(fmt(twoMBps / oneMBps, 2))× one thread)")
    print("  peak resident memory of the process: \(mb(procStatusBytes("VmHWM"))) MB")
    return .object([
        ("archive_bytes", .int(archive.count)),
        ("events", .int(lineCount)),
        ("rules", .int(rules.rules.count)),
        ("phrases", .int(a.patternCount)),
        ("states", .int(a.stateCount)),
        ("classes", .int(a.classCount)),
        ("compile_ms", .number(compileSeconds * 1000)),
        ("compile_peak_bytes", .int(peak)),
        ("findings", .int(findings)),
        ("rejected", .int(errors)),
        ("file_MBps", .number(fileMBps)),
        ("file_events_per_s", .number(eventsPerSecond)),
        ("memory_1_thread_MBps", .number(oneMBps)),
        ("memory_2_threads_MBps", .number(twoMBps)),
        ("thread_scaling", .number(twoMBps / oneMBps))
    ])
}

final class SharedBuffer: @unchecked Sendable {
    let buffer: UnsafeBufferPointer<UInt8>
    init(_ b: UnsafeBufferPointer<UInt8>) { buffer = b }
}

func lineRanges(_ bytes: [UInt8]) -> [Range<Int>] {
    var out: [Range<Int>] = []
    var s = 0
    for (i, b) in bytes.enumerated() where b == 0x0A {
        if i > s { out.append(s..<i) }
        s = i + 1
    }
    if s < bytes.count { out.append(s..<bytes.count) }
    return out
}

/// Scans lines; returns the number of findings.
func scanLines(_ buf: UnsafeBufferPointer<UInt8>, _ lines: ArraySlice<Range<Int>>, _ scanner: Scanner) -> Int {
    var findings = 0
    for r in lines {
        if let n = try? scanner.scanJSON(UnsafeBufferPointer(rebasing: buf[r])) { findings += n }
    }
    return findings
}

/// The command's work without the command: read, split, parse, scan, print findings (to /dev/null).
func scanFile(_ path: String, _ rules: RuleSet) -> (findings: Int, errors: Int) {
    let fd = open(path, O_RDONLY)
    let sink = open("/dev/null", O_WRONLY)
    guard fd >= 0, sink >= 0 else { return (0, 0) }
    defer { close(fd); close(sink) }
    let scanner = Scanner(rules: rules)
    let blockSize = 4 << 20
    let block = UnsafeMutablePointer<UInt8>.allocate(capacity: blockSize)
    defer { block.deallocate() }
    var out: [UInt8] = []
    out.reserveCapacity(1 << 20)
    var kept = 0
    var findings = 0, errors = 0
    func flush() {
        out.withUnsafeBytes { _ = write(sink, $0.baseAddress, $0.count) }
        out.removeAll(keepingCapacity: true)
    }
    func handle(_ line: UnsafeBufferPointer<UInt8>) {
        guard line.count > 0 else { return }
        do {
            let n = try scanner.scanJSON(line)
            if n > 0 {
                findings += n
                let id = scanner.eventID ?? ""
                for f in scanner.findings {
                    out += id.utf8
                    out.append(0x09)
                    out += rules.rules[f.rule].name.utf8
                    out.append(0x0A)
                }
                if out.count > 1 << 19 { flush() }
            }
        } catch {
            errors += 1
        }
    }
    while true {
        let n = read(fd, block + kept, blockSize - kept)
        if n <= 0 { break }
        let end = kept + n
        var s = 0
        while s < end, let nl = memchr(block + s, 0x0A, end - s) {
            let e = block.distance(to: nl.assumingMemoryBound(to: UInt8.self))
            handle(UnsafeBufferPointer(start: block + s, count: e - s))
            s = e + 1
        }
        kept = end - s
        if kept == blockSize { handle(UnsafeBufferPointer(start: block, count: kept)); kept = 0 }  // overlong line
        if kept > 0 && s > 0 { memmove(block, block + s, kept) }
    }
    if kept > 0 { handle(UnsafeBufferPointer(start: block, count: kept)) }
    flush()
    return (findings, errors)
}
