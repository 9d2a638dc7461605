#if canImport(Glibc)
import Glibc
#endif
import Invigil

/// Options of the mail readers.
public struct MailOptions: Sendable {
    /// Unquote `>From ` lines (mboxrd: one level of `>` is removed from `>+From ` lines; this also
    /// restores the `From ` lines of mboxo files).
    public var unquoteFrom = true
    /// The defaults (`>From ` lines unquoted).
    public init() {}
}

/// mbox (mboxo and mboxrd): messages start at a `From ` line at the start of the file or after a
/// blank line. Streaming: one message is in memory at a time, at most `ArchiveLimits.messageBytes`;
/// a larger message is skipped and rejected. Sources are `file:#N`. Text before the first `From `
/// line (a file that is not quite an mbox) is read as message #1.
public final class MboxSource: ArchiveSource, ArchiveNotes {
    let name: String
    let lines: ByteLines
    let parser = MailParser()
    let directory: PeopleDirectory?
    let options: MailOptions
    private var message: [UInt8] = []
    private var number = 0
    private var started = false
    private var oversize = false
    private var previousBlank = true
    private var finished = false
    public var bytesRead: Int { lines.bytesRead }
    public var notes: [String: Int] { parser.notes }

    /// Opens an mbox file, or standard input for "-"; `directory` gives senders and recipients their roles.
    public init(path: String, directory: PeopleDirectory? = nil, options: MailOptions = MailOptions()) throws(ArchiveOpenError) {
        name = path == "-" ? "<stdin>" : path
        lines = try ByteLines.open(path: path, maxLine: ArchiveLimits.messageBytes)
        self.directory = directory
        self.options = options
    }

    /// Reads an mbox already in memory. `name` stands for the path in the records' sources
    /// (`name:#N`).
    ///
    /// ```swift
    /// let mbox = MboxSource(bytes: Array("From a@b Mon Jan  1 00:00:00 2024\nSubject: hi\n\nbody\n".utf8), name: "inbox")
    /// ```
    public init(bytes: [UInt8], name: String, directory: PeopleDirectory? = nil, options: MailOptions = MailOptions()) {
        self.name = name
        lines = ByteLines(bytes: bytes, maxLine: ArchiveLimits.messageBytes)
        self.directory = directory
        self.options = options
    }

    /// Reads a chunk of a larger mbox that starts at a `From ` separator line (or is the file's
    /// first) after `messagesBefore` messages, so that the sources (`name:#N`) are those of the
    /// whole file. `MboxSplitter` cuts such chunks.
    package init(chunk: [UInt8], name: String, messagesBefore: Int, directory: PeopleDirectory? = nil, options: MailOptions = MailOptions()) {
        self.name = name
        lines = ByteLines(bytes: chunk, maxLine: ArchiveLimits.messageBytes)
        self.directory = directory
        self.options = options
        number = messagesBefore
    }

    public func next() -> ArchiveRecord? {
        guard !finished else { return nil }
        while true {
            switch lines.next() {
            case .end:
                finished = true
                if started { return finish(last: true) }
                return nil
            case .tooLong:
                if !started { started = true; number += 1 }
                oversize = true
                message = []
                previousBlank = false
            case .line:
                let line = lines.current
                let isSeparator =
                    previousBlank && line.count >= 5 && line[0] == 0x46 && line[1] == 0x72 && line[2] == 0x6F && line[3] == 0x6D && line[4] == 0x20
                previousBlank = line.isEmpty
                if isSeparator {
                    let record = started ? finish(last: false) : nil
                    started = true
                    number += 1
                    if let r = record { return r }
                    continue
                }
                if !started {
                    if line.allSatisfy(isSpace) { continue }
                    started = true
                    number += 1
                }
                if oversize { continue }
                var body = line
                if options.unquoteFrom, body.count >= 6, body[0] == 0x3E {
                    var k = 0
                    while k < body.count, body[k] == 0x3E { k += 1 }
                    if body.count - k >= 5, body[k] == 0x46, body[k + 1] == 0x72, body[k + 2] == 0x6F, body[k + 3] == 0x6D, body[k + 4] == 0x20 {
                        body = UnsafeBufferPointer(rebasing: body[1...])
                    }
                }
                if message.count + body.count + 1 > ArchiveLimits.messageBytes {
                    oversize = true
                    message = []
                    continue
                }
                message.append(contentsOf: body)
                message.append(0x0A)
            }
        }
    }

    private func finish(last: Bool) -> ArchiveRecord {
        let source = "\(name):#\(number)"
        defer {
            message.removeAll(keepingCapacity: message.capacity <= 4 << 20)
            oversize = false
        }
        if oversize {
            return ArchiveRecord(source: source, payload: .rejected("message larger than the limit of \(ArchiveLimits.messageBytes) bytes"))
        }
        // The separator's preceding blank line belongs to the separator.
        if message.count >= 1, message[message.count - 1] == 0x0A, message.count >= 2, message[message.count - 2] == 0x0A { message.removeLast() }
        do {
            var fields = try parser.parse(message)
            if last, !lines.lastLineTerminated, parser.missingClosingBoundary || parser.headersUnterminated {
                return ArchiveRecord(source: source, payload: .rejected("truncated message: the file ends inside it"))
            }
            if lines.readError != 0, last {
                return ArchiveRecord(source: source, payload: .rejected("read error: \(String(cString: strerror(lines.readError)))"))
            }
            directory?.apply(to: &fields)
            return ArchiveRecord(source: source, payload: .fields(fields))
        } catch {
            return ArchiveRecord(source: source, payload: .rejected(error.reason))
        }
    }
}

/// Parses one message file into a record (shared by .eml and Maildir).
func mailRecord(path: String, parser: MailParser, directory: PeopleDirectory?) -> (ArchiveRecord, Int) {
    let (bytes, size, reason) =
        path == "-" ? readStandardInput(limit: ArchiveLimits.messageBytes) : readSmallFile(path, limit: ArchiveLimits.messageBytes)
    let source = path == "-" ? "<stdin>" : path
    guard let bytes else { return (ArchiveRecord(source: source, payload: .rejected(reason ?? "unreadable")), size) }
    return (mailRecord(bytes: bytes, source: source, parser: parser, directory: directory), size)
}

/// Parses one message already in memory into a record whose source is `source`.
func mailRecord(bytes: [UInt8], source: String, parser: MailParser, directory: PeopleDirectory?) -> ArchiveRecord {
    if bytes.count > ArchiveLimits.messageBytes {
        return ArchiveRecord(
            source: source, payload: .rejected("message of \(bytes.count) bytes is larger than the limit of \(ArchiveLimits.messageBytes) bytes"))
    }
    do {
        var fields = try parser.parse(bytes)
        if bytes.last != 0x0A, parser.missingClosingBoundary {
            return ArchiveRecord(source: source, payload: .rejected("truncated message: the file ends inside a MIME part"))
        }
        directory?.apply(to: &fields)
        return ArchiveRecord(source: source, payload: .fields(fields))
    } catch {
        return ArchiveRecord(source: source, payload: .rejected(error.reason))
    }
}

func readStandardInput(limit: Int) -> ([UInt8]?, Int, String?) {
    var out: [UInt8] = StandardInput.takeHead()
    if out.count > limit { return (nil, out.count, "message larger than the limit of \(limit) bytes") }
    if let failure = FileSystem.readAll(fd: 0, into: &out, limit: limit) {
        if failure.kind == .tooLarge { return (nil, failure.size, "message larger than the limit of \(limit) bytes") }
        return (nil, out.count, failure.reason)
    }
    return (out, out.count, nil)
}

/// One .eml file: one record whose source is the file's path.
public final class EMLSource: ArchiveSource, ArchiveNotes {
    let path: String
    let bytes: [UInt8]?
    /// The file, opened by `init(path:)` and read by `next()`: once, not once to check and
    /// again to read (a Maildir is thousands of such files).
    private var file: OpenFile?
    let parser = MailParser()
    let directory: PeopleDirectory?
    private var done = false
    public private(set) var bytesRead = 0
    public var notes: [String: Int] { parser.notes }

    /// Opens one message file (.eml), or standard input for "-"; `directory` gives senders and recipients their roles.
    public init(path: String, directory: PeopleDirectory? = nil) throws(ArchiveOpenError) {
        if path != "-" {
            guard let file = OpenFile(path) else { throw ArchiveOpenError(path: path, reason: openFailureReason(path)) }
            self.file = file
        }
        self.path = path
        bytes = nil
        self.directory = directory
    }

    /// Reads one message already in memory (an attachment, a message from a mail gateway's
    /// queue). `name` is the record's source.
    ///
    /// ```swift
    /// let eml = EMLSource(bytes: Array("From: a@b.example\nSubject: hi\n\nbody\n".utf8), name: "queue/42")
    /// ```
    public init(bytes: [UInt8], name: String, directory: PeopleDirectory? = nil) {
        path = name
        self.bytes = bytes
        self.directory = directory
    }

    public func next() -> ArchiveRecord? {
        guard !done else { return nil }
        done = true
        if let bytes {
            bytesRead = bytes.count
            return mailRecord(bytes: bytes, source: path, parser: parser, directory: directory)
        }
        if let file {
            self.file = nil
            let (bytes, size, reason) = file.readWhole(limit: ArchiveLimits.messageBytes)
            Glibc.close(file.fd)
            bytesRead = size
            guard let bytes else { return ArchiveRecord(source: path, payload: .rejected(reason ?? "unreadable")) }
            return mailRecord(bytes: bytes, source: path, parser: parser, directory: directory)
        }
        let (record, size) = mailRecord(path: path, parser: parser, directory: directory)
        bytesRead = size
        return record
    }

    deinit {
        if let file { Glibc.close(file.fd) }
    }
}

/// A Maildir folder: every file of `cur`, `new` and `tmp` (in that order, each sorted by name; names
/// starting with `.` skipped), then the Maildir++ subfolders (`.Sent`, ...) the same way. One record
/// a file; its source is the file's path.
public final class MaildirSource: ArchiveSource, ArchiveNotes {
    let root: String
    let parser = MailParser()
    let directory: PeopleDirectory?
    private var pendingFolders: [String]
    /// The message files of the Maildir folder being read: each with its open `cur`, `new` or
    /// `tmp` folder, through which it is opened by name (`openat`).
    private var files: [(folder: FolderHandle, name: String)] = []
    private var fileIndex = 0
    public private(set) var bytesRead = 0
    public var notes: [String: Int] { parser.notes }

    /// Opens a Maildir folder (the order above); `directory` gives senders and recipients their roles.
    public init(path: String, directory: PeopleDirectory? = nil) throws(ArchiveOpenError) {
        guard isDirectoryPath(path) else { throw ArchiveOpenError(path: path, reason: "not a Maildir folder") }
        root = path.hasSuffix("/") ? String(path.dropLast()) : path
        self.directory = directory
        var folders = [root]
        for name in listDirectory(root) where name.hasPrefix(".") && isDirectoryPath("\(root)/\(name)/cur") {
            folders.append("\(root)/\(name)")
        }
        if !isDirectoryPath(root + "/cur") && !isDirectoryPath(root + "/new") && folders.count == 1 {
            throw ArchiveOpenError(path: path, reason: "not a Maildir folder (no cur or new folder)")
        }
        pendingFolders = folders.reversed()
    }

    /// The message files of the Maildir, in the order `next()` reads them. Each reads as the
    /// same record through `EMLSource(path:)`, so that a scan can spread them over threads.
    package func messageFiles() -> [String] {
        var all: [String] = []
        for folder in pendingFolders.reversed() {
            for (dir, names) in Self.listing(of: folder) { all += names.map { "\(dir)/\($0)" } }
        }
        return all
    }

    /// The files of a Maildir folder's `cur`, `new` and `tmp`, in that order, each sorted by name.
    private static func listing(of folder: String) -> [(String, [String])] {
        ["cur", "new", "tmp"].map { sub in
            let dir = "\(folder)/\(sub)"
            return (dir, listFiles(dir))
        }
    }

    public func next() -> ArchiveRecord? {
        while fileIndex >= files.count {
            guard let folder = pendingFolders.popLast() else { return nil }
            files = []
            for (dir, names) in Self.listing(of: folder) where !names.isEmpty {
                let handle = FolderHandle(dir)
                files += names.map { (handle, $0) }
            }
            fileIndex = 0
        }
        let (folder, name) = files[fileIndex]
        fileIndex += 1
        // As `mailRecord(path:parser:directory:)` reads the file's whole path.
        let path = "\(folder.path)/\(name)"
        let (bytes, size, reason) = readSmallFile(in: folder, name: name, limit: ArchiveLimits.messageBytes)
        bytesRead += size
        guard let bytes else { return ArchiveRecord(source: path, payload: .rejected(reason ?? "unreadable")) }
        return mailRecord(bytes: bytes, source: path, parser: parser, directory: directory)
    }
}
