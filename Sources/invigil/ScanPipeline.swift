#if canImport(Glibc)
import Glibc
#endif
import Invigil
import InvigilArchive

/// The scan's pipeline. The main thread reads: large blocks of JSONL and mbox files, cut where
/// records end (`JSONLSplitter`, `MboxSplitter`), and the names of files that workers open
/// themselves (.eml files, Maildir messages, chat exports). With two workers or more, a regular
/// JSONL file is not read by the main thread at all: it hands out ranges of its bytes, which
/// the workers read (`JSONLRangeReader`). Worker threads do the rest: split
/// chunks into records, decode MIME and charsets, parse events, scan, and format findings. Results
/// come back tagged with the task's sequence number and are written in that order, so the output
/// is the same whatever the number of workers. At most `depth` tasks are in flight, so memory is
/// bounded by the depth times the chunk size (plus the largest record).
///
/// Results are delivered by whichever thread finds the next one in order ready: the worker that
/// finishes it, or the main thread while it waits for room in the queue or for the end. One
/// thread delivers at a time (it holds the delivery turn), so `deliver` needs no lock of its own,
/// and the main thread takes the turn (`whileDelivering`) to read what `deliver` writes. Writing
/// the findings is then no longer work the main thread must do between reads: that thread only
/// reads, which is what more cores cannot share.
///
/// CSV files are cut by `CSVSplitter`, which follows quoted cells across lines only where a line
/// ends inside one. Standard input is read record by record on the main thread; its records are
/// scanned by the workers in batches.
final class ScanPipeline: @unchecked Sendable {
    /// What a worker is asked to do.
    enum Work {
        /// A chunk of a JSONL input; `name` is the input's name in sources. Its lines are counted
        /// by the worker (`piece`), not by the reading thread.
        case jsonl(InputChunk, name: String, piece: LinePiece)
        /// A range of a JSONL file's bytes, which the worker reads itself (`JSONLRangeReader`): the
        /// lines that start in it, numbered through `piece`'s ledger.
        case jsonlRange(SharedFile, Range<Int>, name: String, piece: LinePiece)
        /// A JSONL input whose reading failed after `afterLines` lines of its own (over-long
        /// lines, as the splitter counts them) and the lines of the pieces before `piece`.
        case lineReadError(name: String, afterLines: Int, piece: LinePiece, reason: String)
        /// A chunk of an mbox.
        case mbox(InputChunk, name: String)
        /// A chunk of a CSV or TSV file.
        case csv(CSVChunk, name: String)
        /// Inputs the worker opens and reads whole (.eml files, Maildir messages, a chat export),
        /// in order, each with the index of the input it counts for. Small files go a few dozen
        /// to a task (`filesPerTask`), so that queueing and delivering is not a cost per file.
        case files([(path: String, input: Int)], format: ArchiveFormat)
        /// An input that could not be opened: its message, delivered in its place in the order.
        case unopened(String)
        /// Records the main thread has read.
        case records([ArchiveRecord])
    }

    /// A chunk's place in its input's `LineLedger`: the chunks of one input are its pieces, 0, 1, 2, …
    /// in the order they were cut.
    struct LinePiece {
        var ledger: LineLedger
        var index: Int

        /// Records that this piece holds `lines` lines; the lines of the pieces before it.
        func linesBefore(holding lines: Int) -> Int { ledger.linesBefore(piece: index, holding: lines) }
    }

    struct Task {
        var sequence: Int
        var input: Int
        var bytes: Int
        var work: Work
    }

    /// A task's result, delivered in sequence order.
    struct Result {
        var tally = ScanTally()
        var input = 0
        var bytes = 0
        var read = 0
        var notes: [String: Int] = [:]
        /// An input the worker could not open: the message for standard error.
        var openError: String? = nil
        /// For `.files`, each file's own result, in order (this result's other fields unused).
        var parts: [Result] = []
    }

    private let monitor = Monitor()
    private var queue: [Task] = []
    private var queueHead = 0
    private var results: [Int: Result] = [:]
    private var closed = false
    private var issued = 0
    private var delivered = 0
    private let depth: Int
    /// The number of workers asked for.
    let workers: Int

    /// How many of `count` small files to put in one `.files` task: a few dozen at most, and at
    /// least eight tasks a worker.
    func filesPerTask(of count: Int) -> Int { max(1, min(32, count / (8 * workers))) }
    /// Takes each result, in sequence order, on the thread holding the delivery turn.
    private let deliver: (Result) -> Void
    /// Whether a thread holds the delivery turn (under `monitor`).
    private var delivering = false
    /// CPU seconds spent delivering, on every thread (under `monitor`): the scan's other serial
    /// stage, which `--stats` reports beside the main thread's share.
    private(set) var deliveryCPUSeconds = 0.0
    private var threads: [pthread_t] = []
    /// Runs the tasks on the calling thread when no worker thread could be started.
    private var inlineWorker: ScanWorker? = nil
    private let options: ArchiveOptions

    /// Starts `jobs` workers; `deliver` takes the results in sequence order, one at a time, on
    /// whichever thread holds the delivery turn.
    ///
    /// Each worker thread makes its worker itself (`makeWorker(index)`, called on several threads
    /// at once), so that what a worker sets up, such as its own copy of the rules
    /// (`RuleReplicaSource`), is done in parallel and off the main thread.
    init(
        jobs: Int, makeWorker: @escaping @Sendable (Int) -> ScanWorker, options: ArchiveOptions,
        deliver: @escaping (Result) -> Void
    ) {
        depth = 2 * jobs + 2
        workers = jobs
        self.options = options
        self.deliver = deliver
        for index in 0..<jobs {
            if let thread = startThread({ [unowned self] in self.workLoop(makeWorker(index), options: options) }) {
                threads.append(thread)
            }
        }
        if threads.isEmpty { inlineWorker = makeWorker(0) }
    }

    /// Queues a task; waits while `depth` tasks are in flight, delivering finished results meanwhile.
    func submit(_ input: Int, bytes: Int, _ work: Work) {
        if let inlineWorker {
            deliver(inlineWorker.perform(Task(sequence: issued, input: input, bytes: bytes, work: work), options: options))
            return
        }
        monitor.lock()
        while issued - delivered >= depth {
            if !deliverReadyLocked() { monitor.wait() }
        }
        queue.append(Task(sequence: issued, input: input, bytes: bytes, work: work))
        issued += 1
        monitor.broadcast()
        monitor.unlock()
    }

    /// Runs `body` while holding the delivery turn, so that it can read what `deliver` writes
    /// (the main thread's progress line and notes). Waits for a delivering thread to finish.
    func whileDelivering(_ body: () -> Void) {
        if inlineWorker != nil { body(); return }
        monitor.lock()
        while delivering { monitor.wait() }
        delivering = true
        monitor.unlock()
        body()
        monitor.lock()
        delivering = false
        monitor.broadcast()
        monitor.unlock()
    }

    /// With `monitor` held: unless another thread holds the delivery turn, takes it and delivers
    /// every result ready in order (unlocking around each `deliver`), then gives the turn back.
    /// Returns whether it delivered anything.
    @discardableResult
    private func deliverReadyLocked() -> Bool {
        guard !delivering, results[delivered] != nil else { return false }
        delivering = true
        let before = threadCPUSeconds()
        while let r = results.removeValue(forKey: delivered) {
            delivered += 1
            monitor.unlock()
            deliver(r)
            monitor.lock()
            // A submitter waiting for room can go on as soon as each result is out.
            monitor.broadcast()
        }
        deliveryCPUSeconds += threadCPUSeconds() - before
        delivering = false
        monitor.broadcast()
        return true
    }

    /// Waits for every task, delivering the results, and stops the workers.
    func finish() {
        monitor.lock()
        closed = true
        monitor.broadcast()
        while delivered < issued {
            if !deliverReadyLocked() { monitor.wait() }
        }
        monitor.unlock()
        for t in threads { pthread_join(t, nil) }
        threads = []
    }

    private func workLoop(_ worker: ScanWorker, options: ArchiveOptions) {
        while true {
            monitor.lock()
            while queueHead == queue.count && !closed { monitor.wait() }
            if queueHead == queue.count {
                monitor.unlock()
                return
            }
            let task = queue[queueHead]
            queue[queueHead] = Task(sequence: -1, input: 0, bytes: 0, work: .records([]))  // drop the bytes
            queueHead += 1
            if queueHead > 1024 && queueHead * 2 > queue.count {
                queue.removeFirst(queueHead)
                queueHead = 0
            }
            monitor.unlock()
            let result = worker.perform(task, options: options)
            monitor.lock()
            results[task.sequence] = result
            // The worker that finishes the next result in order delivers it (and any ready
            // after it), rather than leaving it to the main thread.
            if task.sequence != delivered || !deliverReadyLocked() { monitor.broadcast() }
            monitor.unlock()
        }
    }
}

extension ScanWorker {
    /// Scans the JSONL lines in `bytes`, the first of them line `linesBefore + 1` of the input
    /// `name`, where they lie (events are parsed in place); returns the records read. A chunk
    /// the main thread read and a range a worker read go through here alike.
    private func processJSONLines(_ bytes: UnsafeBufferPointer<UInt8>, name: String, linesBefore: Int) -> Int {
        let source = JSONLSource(borrowingChunk: bytes, name: name, linesBefore: linesBefore)
        var read = 0
        while let item = source.nextItem() {
            switch item {
            case .event(let json, let line): processEvent(json) { source.source(ofLine: line) }
            case .record(let record): process(record)
            }
            read += 1
        }
        return read
    }

    /// Rejects line `number` of a JSONL input as over the line limit, with the whole-file
    /// reader's message.
    private func rejectOverLongLine(name: String, number: Int, length: Int) {
        process(
            ArchiveRecord(
                source: "\(name):\(number)", payload: .rejected("line of \(length) bytes is longer than the limit of \(ArchiveLimits.lineBytes)")))
    }

    /// Rejects the line a read error stopped a JSONL input at: the rest of the input is lost.
    private func rejectReadError(name: String, line: Int, reason: String) {
        process(ArchiveRecord(source: "\(name):\(line)", payload: .rejected("read error: \(reason); the rest of the input is lost")))
    }

    /// Runs one task of the pipeline.
    func perform(_ task: ScanPipeline.Task, options: ArchiveOptions) -> ScanPipeline.Result {
        var out = ScanPipeline.Result()
        out.input = task.input
        out.bytes = task.bytes
        result = ScanTally()
        result.output.reserveCapacity(outputRoom)
        switch task.work {
        case .records(let records):
            for r in records { process(r) }
            out.read = records.count
        case .jsonl(let chunk, let name, let piece):
            // The splitter counted only over-long lines (`before`, `number`); the ledger adds the
            // lines of the chunks before this one.
            switch chunk {
            case .records(let bytes, let before):
                let first = before + piece.linesBefore(holding: LineLedger.lines(in: bytes))
                out.read += bytes.withUnsafeBufferPointer { processJSONLines($0, name: name, linesBefore: first) }
            case .tooLarge(let number, let length):
                rejectOverLongLine(name: name, number: number + piece.linesBefore(holding: 0), length: length)
                out.read = 1
            }
        case .jsonlRange(let file, let range, let name, let piece):
            guard let lines = rangeReader.read(range, from: file.read(into:at:), ledger: piece.ledger, piece: piece.index) else { break }
            out.read += processJSONLines(lines.bytes, name: name, linesBefore: lines.linesBefore)
            if let (number, length) = lines.overLong {
                rejectOverLongLine(name: name, number: number, length: length)
                out.read += 1
            }
            if let (line, _, code) = lines.readError {
                rejectReadError(name: name, line: line, reason: String(cString: strerror(code)))
                out.read += 1
            }
        case .lineReadError(let name, let afterLines, let piece, let reason):
            rejectReadError(name: name, line: afterLines + piece.linesBefore(holding: 0) + 1, reason: reason)
            out.read = 1
        case .mbox(let chunk, let name):
            switch chunk {
            case .records(let bytes, let before):
                let source = MboxSource(chunk: bytes, name: name, messagesBefore: before, directory: options.directory, options: options.mail)
                while let r = source.next() { process(r); out.read += 1 }
                out.notes = source.notes
            case .tooLarge(let number, _):
                process(
                    ArchiveRecord(
                        source: "\(name):#\(number)",
                        payload: .rejected("message larger than the limit of \(ArchiveLimits.messageBytes) bytes")))
                out.read = 1
            }
        case .csv(let chunk, let name):
            let source = CSVSource(
                chunk: chunk.bytes, name: name, linesBefore: chunk.linesBefore, columns: chunk.columns, options: options.csv,
                directory: options.directory)
            while let r = source.next() { process(r); out.read += 1 }
            out.notes = source.notes
        case .unopened(let message):
            out.openError = message
        case .files(let files, let format):
            out.parts = files.map { path, input in
                var part = ScanPipeline.Result()
                part.input = input
                readFile(path, format: format, options: options, into: &part)
                part.tally = result
                result = ScanTally()
                return part
            }
        }
        outputRoom = result.output.count + result.output.count / 4
        out.tally = result
        result = ScanTally()
        return out
    }

    /// Reads and scans one file of a `.files` task, its findings going to `result`.
    private func readFile(_ path: String, format: ArchiveFormat, options: ArchiveOptions, into out: inout ScanPipeline.Result) {
        do {
            var source = try openArchive(path: path, format: format, options: options)
            while let r = source.next() { process(r); out.read += 1 }
            out.bytes = source.bytesRead
            if let noted = source as? any ArchiveNotes { out.notes = noted.notes }
        } catch {
            out.openError = error.description
        }
    }
}

private final class ThreadBody {
    let body: () -> Void
    init(_ body: @escaping () -> Void) { self.body = body }
}

/// Starts a thread running `body`; nil when the system refuses one.
func startThread(_ body: @escaping () -> Void) -> pthread_t? {
    var thread = pthread_t()
    let context = Unmanaged.passRetained(ThreadBody(body)).toOpaque()
    let status = pthread_create(
        &thread, nil,
        { raw in
            let box = Unmanaged<ThreadBody>.fromOpaque(raw!).takeRetainedValue()
            box.body()
            return nil
        }, context)
    if status != 0 {
        Unmanaged<ThreadBody>.fromOpaque(context).release()
        return nil
    }
    return thread
}

/// CPU seconds of the calling thread.
func threadCPUSeconds() -> Double {
    var ts = timespec()
    clock_gettime(CLOCK_THREAD_CPUTIME_ID, &ts)
    return Double(ts.tv_sec) + Double(ts.tv_nsec) / 1e9
}

/// CPU seconds of the whole process (user and system).
func processCPUSeconds() -> Double {
    var usage = rusage()
    getrusage(RUSAGE_SELF.rawValue, &usage)
    func seconds(_ t: timeval) -> Double { Double(t.tv_sec) + Double(t.tv_usec) / 1e6 }
    return seconds(usage.ru_utime) + seconds(usage.ru_stime)
}
