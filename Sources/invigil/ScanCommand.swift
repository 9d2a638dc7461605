#if canImport(Glibc)
import Glibc
#endif
import Dispatch
import Invigil
import InvigilArchive

let scanHelp = """
    usage: invigil scan [options] INPUT...

    Scans archives (files, folders, or - for standard input) and writes findings. Folders are read
    recursively in name order, skipping names that start with "."; links are followed, but a file or
    folder reached twice (a link loop, two links to one file) is read once.

    options:
      --rules PATH            rule file or folder (repeatable); default: the bundled packs
      --pack NAME             a bundled pack by name or school code (repeatable); default: all
      --list-packs            list the bundled packs and exit
      --format FMT            jsonl, csv or text (default: text on a terminal, jsonl otherwise)
      --input-format FMT      \(ArchiveFormat.names) (default: auto)
      --jobs N                worker threads (default: number of cores); with more than one, each worker scans
                              with its own copy of the compiled rules (about 4 MB for the bundled packs)
      --output FILE           write findings there (default: standard output)
      --min-severity LEVEL    info, advice, breach, serious or critical (default: info)
      --strict                exit 2 if any record was rejected or the summary warns (see below)
      --time-budget MS        stop scanning an event after MS milliseconds (its findings so far are kept and
                              a warning names it)
      --no-progress           no progress line on standard error
      --stats                 add the main thread's share of the CPU time to the summary (how far the scan scales),
                              the share spent writing results in order, and how the rules were loaded
      --no-cache              compile rule sources without the cache of compiled rules (see below)
      --chunk-bytes N         bytes of JSONL, CSV and mbox given to a worker at a time (default 1048576)
      --no-bom                CSV without the UTF-8 byte-order mark (by default CSV starts with one, so that
                              spreadsheet programs read it as UTF-8)
      --report FILE           also write the triage report there: one self-contained HTML file (see invigil report)
      --catalogue PATH        the clause catalogue for the report (default: policies/clauses.tsv beside the packs)
      --redact                mask phone numbers, email addresses, URLs and names in every output (docs/report.md)
      --pseudonymise KEYFILE  replace people by stable pseudonyms (HMAC-SHA-256 keyed by the file) in every output

    A scan from rule sources (the bundled packs, or --rules files and folders) keeps their compiled
    form in a cache and starts from it while the sources and the invigil executable are unchanged
    (checked by content on every scan): about 7 ms instead of 20 for the bundled packs. The cache is
    $INVIGIL_CACHE_DIR, else $XDG_CACHE_HOME/invigil, else ~/.cache/invigil; INVIGIL_CACHE_DIR=
    (empty) or --no-cache turns it off. A cache that cannot be read or written is passed over.

    Findings carry the event's author, time, channel and recipients and an evidence window: the text
    around the matches. The summary on standard error warns when the scan may have missed breaches
    silently: events without an author role (mail and chat need --directory), events without a
    school while several packs apply (give --pack or --set school=CODE), or nothing scanned. Files
    named on the command line that are in no format Invigil reads (an image, a PDF, a zip without a
    chat) are refused (exit 2) rather than read as text; standard input is recognised by content.

    reader options (mail, chat and CSV archives; --set applies to every format):
    """ + "\n" + readerOptionsHelp

func runScan(_ arguments: [String]) throws(UsageError) -> Int32 {
    let options = try Options(
        arguments,
        valued: Set(
            [
                "--rules", "--pack", "--format", "--input-format", "--jobs", "--output", "--min-severity", "--time-budget",
                "--chunk-bytes", "--report", "--catalogue"
            ] + readerOptionNames + maskingOptionNames),
        flags: Set(["--strict", "--list-packs", "--no-progress", "--no-bom", "--stats", "--no-cache", "--help", "-h"] + maskingFlagNames))
    if options.flags.contains("--help") || options.flags.contains("-h") { print(scanHelp); return 0 }
    keepFreedChunksForReuse()
    let rulesStart = now()
    let cache = options.flags.contains("--no-cache") ? nil : RuleCache.fromEnvironment()
    let (rules, selectedPacks) = try loadRules(rulePaths: options.all("--rules"), packNames: options.all("--pack"), cache: cache)
    let rulesSeconds = now() - rulesStart
    // Written once the scan is done, so that a compile's cache entry does not delay the first
    // findings; a scan that stops on an error leaves the cache as it was.
    defer { cache?.save() }
    if options.flags.contains("--list-packs") {
        for pack in rules.packs {
            let count = rules.rules.filter { $0.pack == pack.name }.count
            print("\(pack.name)\t\(pack.code ?? "-")\t\(count) rules\t\(pack.title)")
        }
        return 0
    }
    guard !options.positional.isEmpty else { throw UsageError("no input given\n\n" + scanHelp) }
    // The tables the first worker's scanner needs, built on another core while the scan is set
    // up (`ScanTablePrebuild`).
    let prebuild = ScanTablePrebuild(rules)
    defer { prebuild.join() }
    var minimum = Severity.info
    if let m = options.value("--min-severity") {
        guard let s = Severity(name: m.lowercased()) else { throw UsageError("unknown severity '\(m)' (info, advice, breach, serious, critical)") }
        minimum = s
    }
    var inputFormat = ArchiveFormat.auto
    if let f = options.value("--input-format") {
        guard let v = ArchiveFormat(rawValue: f.lowercased()) else {
            throw UsageError("unknown input format '\(f)' (\(ArchiveFormat.allCases.map(\.rawValue).joined(separator: ", ")))")
        }
        inputFormat = v
    }
    var jobs = max(1, sysconf(Int32(_SC_NPROCESSORS_ONLN)))
    if let j = options.value("--jobs") {
        guard let n = Int(j), n >= 1, n <= 256 else { throw UsageError("--jobs needs a number from 1 to 256") }
        jobs = n
    }
    let constants = try ConstantFields(options.all("--set"), rules: rules)
    let output = try Output(path: options.value("--output"))
    var format: FindingFormat = output.isTerminal ? .text : .jsonl
    if let f = options.value("--format") {
        guard let v = FindingFormat(rawValue: f.lowercased()) else { throw UsageError("unknown format '\(f)' (jsonl, csv, text)") }
        format = v
    }
    let colour = format == .text && output.isTerminal && environment("NO_COLOR") == nil
    var writer = FindingWriter(rules: rules, format: format, minimum: minimum, packFilter: Set(selectedPacks), colour: colour)
    let archiveOptions = try readerOptions(from: options)
    let reportPath = options.value("--report")
    writer.redactor = try makeRedactor(options, directory: archiveOptions.directory)
    writer.copiesForReport = reportPath != nil
    var reportRecords: [UInt8] = []
    if format == .csv {
        output.write((options.flags.contains("--no-bom") ? "" : "\u{FEFF}") + csvHeader + "\r\n")
    }
    // Events that name no school are judged by every pack loaded, unless one pack was chosen.
    let schoolPacks = rules.packs.filter { $0.code != nil }.count
    let judgingPacks = selectedPacks.isEmpty ? schoolPacks : Set(selectedPacks).count
    let contextFields = ContextFields(rules: rules, severalPacks: judgingPacks > 1 && constants.values.allSatisfy { $0.name != "school" })

    var skippedFiles: [String] = []
    var repeatedPaths: [String] = []
    var inputs = expandInputs(options.positional, format: inputFormat, skipped: &skippedFiles, repeated: &repeatedPaths)
    var unopened = 0
    if inputFormat == .auto {
        // Named files in no format Invigil reads are refused, not read as text line by line.
        inputs = inputs.filter { input in
            guard options.positional.contains(input), let reason = unknownFormatReason(path: input) else { return true }
            printError("invigil: \(reason)")
            unopened += 1
            return false
        }
    }
    let totalBytes = inputs.reduce(0) { $0 + ($1 == "-" ? 0 : fileSize($1)) }
    let showProgress = isatty(2) != 0 && !options.flags.contains("--no-progress")
    var budget: UInt64 = 0
    if let t = options.value("--time-budget") {
        guard let ms = UInt64(t), ms > 0 else { throw UsageError("--time-budget needs a number of milliseconds") }
        budget = ms * 1_000_000
    }
    var chunkBytes = 1 << 20
    if let c = options.value("--chunk-bytes") {
        guard let n = Int(c), n >= 1, n <= 1 << 30 else { throw UsageError("--chunk-bytes needs a number of bytes from 1 to 1073741824") }
        chunkBytes = n
    }
    let mainCPUStart = threadCPUSeconds()
    let processCPUStart = processCPUSeconds()
    var read = 0
    var tally = ScanTally()
    var notesByInput = [[String: Int]](repeating: [:], count: inputs.count)
    var bytesDone = 0
    let start = now()
    var lastProgress = start
    var progressShown = false

    /// Clears the progress line, so that what follows starts on a clean line.
    func clearProgress() {
        if progressShown { writeAll(2, Array("\r\u{1B}[K".utf8)); progressShown = false }
    }

    func progress(force: Bool = false) {
        guard showProgress else { return }
        let t = now()
        if !force && t - lastProgress < 0.2 { return }
        lastProgress = t
        let elapsed = max(t - start, 1e-6)
        let rate = Double(bytesDone) / elapsed
        var line = "\r\u{1B}[K  \(formatBytes(bytesDone))"
        if totalBytes > 0 { line += " of \(formatBytes(totalBytes))" }
        line += "  \(read) events  \(tally.findings) findings  \(formatBytes(Int(rate)))/s"
        if totalBytes > 0, rate > 0, bytesDone < totalBytes { line += "  \(formatDuration(Double(totalBytes - bytesDone) / rate)) left" }
        writeAll(2, Array(line.utf8))
        progressShown = true
    }

    let findingsOnTerminal = output.fd == 1 && isatty(1) != 0
    /// Writes a result, in input order, and counts it.
    func deliver(_ r: ScanPipeline.Result) {
        if !r.parts.isEmpty {
            for part in r.parts { deliver(part) }
            return
        }
        if let message = r.openError {
            clearProgress()
            printError("invigil: \(message)")
            unopened += 1
            return
        }
        if !r.tally.errors.isEmpty || (findingsOnTerminal && !r.tally.output.isEmpty) { clearProgress() }
        output.write(r.tally.output)
        reportRecords += r.tally.reportRecords
        for e in r.tally.errors { printError(e) }
        tally.add(r.tally)
        read += r.read
        bytesDone += r.bytes
        for (note, n) in r.notes { notesByInput[r.input][note, default: 0] += n }
        progress()
    }

    // With several workers, each but the first scans with its own copy of the rules and a
    // writer over it (`RuleReplicaSource`): sharing one rule set cost two jobs 1.2 times the CPU
    // time of one. The workers are made on their own threads (`ScanPipeline.init`), so the
    // copies are loaded in parallel, off the main thread, while the first worker scans.
    let replicaSource = jobs > 1 ? RuleReplicaSource(rules, compiled: cache?.hitCompiled) : nil
    let timeBudget = budget, sharedWriter = writer
    let pipeline = ScanPipeline(
        jobs: jobs,
        makeWorker: { index in
            let workerRules = index > 0 ? replicaSource?.replica() ?? rules : rules
            let workerWriter = workerRules === rules ? sharedWriter : sharedWriter.rebound(to: workerRules)
            return ScanWorker(
                rules: workerRules, writer: workerWriter, constants: constants, contextFields: contextFields,
                timeBudget: timeBudget)
        }, options: archiveOptions, deliver: deliver)

    // Consecutive .eml inputs (a folder of messages) go to the workers a few dozen to a task.
    let emlBatch = pipeline.filesPerTask(of: inputs.count)
    var emlFiles: [(path: String, input: Int)] = []
    func submitEMLFiles() {
        guard let first = emlFiles.first else { return }
        pipeline.submit(first.input, bytes: 0, .files(emlFiles, format: .eml))
        emlFiles = []
    }
    for (index, input) in inputs.enumerated() {
        if index > 0 { pipeline.whileDelivering { progress(force: true) } }
        let format = inputFormat == .auto ? detectFormat(path: input) : inputFormat
        if format == .eml && input != "-" {
            emlFiles.append((input, index))
            if emlFiles.count >= emlBatch { submitEMLFiles() }
            continue
        }
        submitEMLFiles()
        switch format {
        case .jsonl where input != "-", .mbox where input != "-", .csv where input != "-":
            let fd = open(input, O_RDONLY | O_CLOEXEC)
            var info = stat()
            if fd < 0 || (fstat(fd, &info) == 0 && (info.st_mode & S_IFMT) == S_IFDIR) {
                let reason = fd < 0 ? String(cString: strerror(errno)) : "is a directory"
                if fd >= 0 { close(fd) }
                pipeline.submit(index, bytes: 0, .unopened("\(input): \(reason)"))
                continue
            }
            // A regular file of size 0 may still hold bytes (files under /proc): read it through.
            if format == .jsonl, pipeline.workers > 1, (info.st_mode & S_IFMT) == S_IFREG, info.st_size > 0 {
                submitRanges(of: SharedFile(fd: fd), size: Int(info.st_size), name: input, index: index, chunkBytes: chunkBytes, pipeline: pipeline)
                continue
            }
            readChunks(
                fd: fd, name: input, index: index, format: format, chunkBytes: chunkBytes, csvOptions: archiveOptions.csv, pipeline: pipeline)
            close(fd)
        case .maildir:
            do {
                let maildir = try MaildirSource(path: input, directory: archiveOptions.directory)
                let files = maildir.messageFiles()
                let batch = pipeline.filesPerTask(of: files.count)
                for start in stride(from: 0, to: files.count, by: batch) {
                    let paths = files[start..<min(files.count, start + batch)].map { (path: $0, input: index) }
                    pipeline.submit(index, bytes: 0, .files(paths, format: .eml))
                }
            } catch {
                pipeline.submit(index, bytes: 0, .unopened(error.description))
            }
        case .csv, .jsonl, .mbox, .auto:
            // Standard input: read here, scanned there.
            var source: any ArchiveSource
            do {
                source = try openArchive(path: input, format: format, options: archiveOptions)
            } catch {
                pipeline.submit(index, bytes: 0, .unopened(error.description))
                continue
            }
            var batch: [ArchiveRecord] = []
            var counted = 0
            while let record = source.next() {
                batch.append(record)
                if batch.count == 1024 {
                    pipeline.submit(index, bytes: source.bytesRead - counted, .records(batch))
                    counted = source.bytesRead
                    batch = []
                }
            }
            if !batch.isEmpty || source.bytesRead > counted {
                pipeline.submit(index, bytes: source.bytesRead - counted, .records(batch))
            }
            if let noted = source as? any ArchiveNotes {
                pipeline.whileDelivering {
                    for (note, n) in noted.notes { notesByInput[index][note, default: 0] += n }
                }
            }
        case .eml, .whatsapp:
            pipeline.submit(index, bytes: 0, .files([(input, index)], format: format))
        }
    }
    submitEMLFiles()
    pipeline.finish()
    clearProgress()
    output.close()
    let mainCPU = threadCPUSeconds() - mainCPUStart
    let totalCPU = processCPUSeconds() - processCPUStart

    var notes: [String] = []
    for (index, input) in inputs.enumerated() {
        for (note, count) in notesByInput[index].sorted(by: { $0.key < $1.key }) { notes.append("\(input): \(count)× \(note)") }
    }
    let summaryInput = ScanSummaryInput(
        rules: rules, inputs: inputs.count + unopened,
        unopened: unopened, read: read, bytes: bytesDone, elapsed: now() - start, repeatedPaths: repeatedPaths,
        skippedFiles: skippedFiles, notes: notes, hasDirectory: archiveOptions.directory != nil,
        packCount: judgingPacks)
    let warnings = scanWarnings(tally, summaryInput)
    var summary = scanSummary(tally, summaryInput, warnings: warnings)
    if options.flags.contains("--stats") {
        // The serial share predicts how far the scan scales: with s of the work on one thread,
        // n cores give at most 1 / (s + (1 - s) / n). Delivering the results in order is serial
        // too, but it runs beside the reading (on the workers), so it bounds the scaling by
        // itself (at most 1 / d) rather than adding to s.
        let share = totalCPU > 0 ? mainCPU / totalCPU : 0
        let deliveryShare = totalCPU > 0 ? pipeline.deliveryCPUSeconds / totalCPU : 0
        let stats =
            "invigil: stats: main thread \(format3(mainCPU)) s of \(format3(totalCPU)) s CPU, serial share \(format3(share * 100)) %, "
            + "delivering in order \(format3(pipeline.deliveryCPUSeconds)) s (\(format3(deliveryShare * 100)) %), "
            + "\(jobs) worker\(jobs == 1 ? "" : "s"), chunks of \(formatBytes(chunkBytes)); "
            + "rules \(rulesOrigin(cache: cache, paths: options.all("--rules"))) in \(format3(rulesSeconds * 1000)) ms"
        // Before the reconciliation line, which stays last.
        if let lastBreak = summary.lastIndex(of: "\n") {
            summary.insert(contentsOf: "\n" + stats, at: lastBreak)
        }
    }
    printError(summary)
    if let reportPath {
        let written = writeScanReport(
            records: reportRecords, to: reportPath, rules: rules, selectedPacks: selectedPacks,
            inputs: inputs, summary: summary, redactor: writer.redactor,
            directory: archiveOptions.directory, cataloguePath: options.value("--catalogue"))
        if !written { return 2 }
    }
    if unopened > 0 { return 2 }
    if options.flags.contains("--strict") && (tally.rejected > 0 || !warnings.isEmpty) { return 2 }
    return tally.findings > 0 ? 1 : 0
}

/// Gives the workers a regular JSONL file as ranges of its bytes, which each reads itself
/// (`JSONLRangeReader`, through `pread(2)`), so that this thread reads nothing: with two workers
/// or more, no thread reads for all of them, and the scan's serial part is the handing out of
/// ranges. The ranges are cut without looking at the bytes, by the same sizes as
/// `readChunks`' chunks (smaller near the end, and never under 4 KiB). The file is read up to
/// the size it has now; the range that holds its end reads on to the end of its last line.
///
/// With one worker, `readChunks` reads instead: this thread's reading then runs beside the one
/// worker's scanning, on another core, rather than adding to it.
private func submitRanges(of file: SharedFile, size: Int, name: String, index: Int, chunkBytes: Int, pipeline: ScanPipeline) {
    let ledger = LineLedger()
    var offset = 0
    var piece = 0
    while offset < size {
        // At least 4 KiB, whatever `--chunk-bytes` says: each range takes a task and a ledger
        // entry, and reads 4 KiB ahead to finish its last line.
        let length = min(size - offset, max(4 << 10, tailChunkBytes(remaining: size - offset, chunkBytes: chunkBytes, workers: pipeline.workers)))
        let work = ScanPipeline.Work.jsonlRange(
            file, offset..<offset + length, name: name, piece: ScanPipeline.LinePiece(ledger: ledger, index: piece))
        pipeline.submit(index, bytes: length, work)
        offset += length
        piece += 1
    }
}

/// Reads a JSONL, mbox or CSV file in large blocks and hands chunks of whole records to the
/// pipeline. The lines of a JSONL file's chunks are counted by the workers (`LineLedger`), so
/// that this thread does not look at every byte; near the end of a file, its chunks get smaller,
/// so that the last ones spread over the workers instead of leaving all but one idle.
private func readChunks(
    fd: Int32, name: String, index: Int, format: ArchiveFormat, chunkBytes: Int, csvOptions: CSVOptions, pipeline: ScanPipeline
) {
    let mbox = format == .mbox
    let jsonl = format == .jsonl ? JSONLSplitter(chunkBytes: chunkBytes, countsLines: false) : nil
    let ledger = LineLedger()
    var pieces = 0
    let mail = mbox ? MboxSplitter(chunkBytes: chunkBytes) : nil
    let csv = format == .csv ? CSVSplitter(chunkBytes: chunkBytes, name: name, options: csvOptions) : nil
    let blockSize = max(64 << 10, min(chunkBytes, 4 << 20))
    var readError: Int32 = 0
    var pendingBytes = 0
    var bytesRead = 0
    var info = stat()
    let fileSize = fstat(fd, &info) == 0 && (info.st_mode & S_IFMT) == S_IFREG ? Int(info.st_size) : nil
    func submit(_ work: [ScanPipeline.Work]) {
        for task in work {
            // Progress counts the bytes read, credited to the next chunk completed.
            let credited = pendingBytes
            pendingBytes = 0
            pipeline.submit(index, bytes: credited, task)
        }
    }
    func nextPiece() -> ScanPipeline.LinePiece {
        defer { pieces += 1 }
        return ScanPipeline.LinePiece(ledger: ledger, index: pieces)
    }
    func submit(_ chunks: [InputChunk]) {
        submit(chunks.map { mbox ? .mbox($0, name: name) : .jsonl($0, name: name, piece: nextPiece()) })
    }
    func submit(_ chunks: [CSVChunk]) { submit(chunks.map { .csv($0, name: name) }) }
    /// Blocks of `blockSize` bytes, each given to `add`, until the input ends.
    func readBlocks(_ add: (ArraySlice<UInt8>) -> Void) {
        var block = [UInt8](repeating: 0, count: blockSize)
        while true {
            let n = block.withUnsafeMutableBytes(readOnce)
            if n <= 0 { break }
            add(block[0..<n])
        }
    }
    /// One read(2), retried when interrupted; counts the bytes and keeps the error.
    func readOnce(_ buffer: UnsafeMutableRawBufferPointer) -> Int {
        while true {
            let n = read(fd, buffer.baseAddress!, buffer.count)
            if n < 0 && errno == EINTR { continue }
            if n < 0 { readError = errno } else { pendingBytes += n; bytesRead += n }
            return n
        }
    }
    if let jsonl {
        // Straight into the chunks' buffers (JSONLSplitter.add(reading:)): one copy per byte.
        while true {
            if let fileSize {
                jsonl.chunkBytes = tailChunkBytes(remaining: fileSize - bytesRead, chunkBytes: chunkBytes, workers: pipeline.workers)
            }
            let (n, chunks) = jsonl.add(reading: readOnce)
            submit(chunks)
            if n <= 0 { break }
        }
    } else if let mail {
        readBlocks { submit(mail.add($0)) }
    } else if let csv {
        readBlocks { submit(csv.add($0)) }
        if let last = csv.finish() { submit([last]) }
    }
    if let last = jsonl?.finish() ?? mail?.finish() { submit([last]) }
    if pendingBytes > 0 { pipeline.submit(index, bytes: pendingBytes, .records([])) }
    if readError != 0 {
        let reason = String(cString: strerror(readError))
        let work: ScanPipeline.Work
        if let jsonl {
            work = .lineReadError(name: name, afterLines: jsonl.lineCount, piece: nextPiece(), reason: reason)
        } else {
            let source = mbox ? "\(name): read error" : "\(name):\((csv?.lineCount ?? 0) + 1)"
            work = .records([ArchiveRecord(source: source, payload: .rejected("read error: \(reason); the rest of the input is lost"))])
        }
        pipeline.submit(index, bytes: 0, work)
    }
}

/// The size of the next chunk when `remaining` bytes of a file are left: `chunkBytes` while
/// there is plenty, then a quarter of each worker's share of what is left, down to 64 KiB, so
/// that the last chunks take about as long on every worker.
func tailChunkBytes(remaining: Int, chunkBytes: Int, workers: Int) -> Int {
    guard workers > 1 else { return chunkBytes }
    return min(chunkBytes, max(64 << 10, remaining / (4 * workers)))
}

/// The reader gives each chunk (1 MiB by default) to a worker, which frees it. With glibc's
/// defaults, blocks that size are mapped and unmapped, or trimmed off the heap, so that every
/// new chunk faults its pages in afresh on the reading thread (about a fifth of that thread's
/// time). Fixed thresholds keep freed chunks in the heap for the next ones; what is kept is
/// bounded by the pipeline's queue (its depth times the chunk size), as before. `mallopt` is
/// looked up by name because the Glibc module does not import `malloc.h`; elsewhere it is absent
/// and nothing changes.
private func keepFreedChunksForReuse() {
    typealias Mallopt = @convention(c) (Int32, Int32) -> Int32
    guard let symbol = dlsym(nil, "mallopt") else { return }
    let mallopt = unsafeBitCast(symbol, to: Mallopt.self)
    let mmapThreshold: Int32 = -3, trimThreshold: Int32 = -1  // M_MMAP_THRESHOLD, M_TRIM_THRESHOLD
    _ = mallopt(mmapThreshold, 32 << 20)  // glibc refuses more than 32 MiB
    _ = mallopt(trimThreshold, 128 << 20)
}

/// How the scan's rules were loaded, for `--stats`.
private func rulesOrigin(cache: RuleCache?, paths: [String]) -> String {
    if (try? compiledRulesPath(paths)) != nil { return "loaded from a compiled file" }
    guard let cache else { return "compiled from source (no cache)" }
    return cache.hit ? "loaded from the cache" : "compiled from source (the cache had no current entry)"
}
