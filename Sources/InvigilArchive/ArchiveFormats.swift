/// One input format: its name, how an input is recognised as it (extensions, then the first
/// lines), how it is opened, and which reader options concern it.
///
/// Every list of formats derives from `ArchiveFormat.descriptors`: the extensions and content
/// sniffing of `recognizedFormat(path:)` and `sniffFormat(head:)`, the opening switch of
/// `openArchive`, and the `--input-format` values and help of the command. Adding a format is
/// one entry there (plus its reader); docs/design.md has the checklist.
public struct ArchiveFormatDescriptor: Sendable {
    /// The format, whose raw value is its `--input-format` name.
    public let format: ArchiveFormat
    /// One line for help texts.
    public let summary: String
    /// File name endings, lower case, with the dot (`.jsonl`); empty when only content tells.
    public let extensions: [String]
    /// Whether an input of this format is a folder rather than a file.
    public let isFolder: Bool
    /// The reader options (`ArchiveOptions.help`) that change how this format is read.
    public let options: [String]
    /// Whether the first non-blank lines of an input (at most five, without line ends) look like
    /// this format. The descriptors are asked in order, so a more specific test comes first.
    let sniff: (@Sendable (_ lines: [ArraySlice<UInt8>]) -> Bool)?
    /// Opens an input of this format.
    let open: @Sendable (_ path: String, _ options: ArchiveOptions) throws(ArchiveOpenError) -> any ArchiveSource
}

extension ArchiveFormat {
    /// The readable formats, in the order their content tests are tried.
    public static let descriptors: [ArchiveFormatDescriptor] = [
        ArchiveFormatDescriptor(
            format: .mbox, summary: "mailbox: messages each starting with a 'From ' line",
            extensions: [".mbox", ".mbx"], isFolder: false, options: ["--directory"],
            sniff: { lines in lines[0].starts(with: Array("From ".utf8)) },
            open: { path, options throws(ArchiveOpenError) in
                try MboxSource(path: path, directory: options.directory, options: options.mail)
            }),
        ArchiveFormatDescriptor(
            format: .jsonl, summary: "one JSON event a line",
            extensions: [".jsonl", ".ndjson", ".json"], isFolder: false, options: [],
            sniff: { lines in trimmed(lines[0]).first == 0x7B },
            open: { path, _ throws(ArchiveOpenError) in try JSONLSource(path: path) }),
        ArchiveFormatDescriptor(
            format: .whatsapp, summary: "WhatsApp chat export (the text, or the .zip with its media)",
            extensions: [], isFolder: false, options: ["--directory", "--date-order", "--chat-timezone"],
            sniff: { lines in
                lines.prefix(3).contains { line in Array(line).withUnsafeBufferPointer { parseChatHeader($0) != nil } }
            },
            open: { path, options throws(ArchiveOpenError) in
                if path != "-", ZipArchive.hasSignature(path: path) {
                    return try WhatsAppZipSource(path: path, options: options.whatsApp, directory: options.directory)
                }
                return try WhatsAppSource(path: path, options: options.whatsApp, directory: options.directory)
            }),
        ArchiveFormatDescriptor(
            format: .eml, summary: "one RFC 822 / MIME message a file",
            extensions: [".eml"], isFolder: false, options: ["--directory"],
            sniff: looksLikeMailHeader,
            open: { path, options throws(ArchiveOpenError) in try EMLSource(path: path, directory: options.directory) }),
        ArchiveFormatDescriptor(
            format: .csv, summary: "comma- or tab-separated rows with a header (or --csv-columns)",
            extensions: [".csv", ".tsv", ".tab"], isFolder: false,
            options: ["--map", "--set", "--directory", "--csv-delimiter", "--csv-columns", "--date-order"],
            sniff: { lines in lines[0].contains(0x2C) || lines[0].contains(0x09) },
            open: { path, options throws(ArchiveOpenError) in
                try CSVSource(path: path, options: options.csv, directory: options.directory)
            }),
        ArchiveFormatDescriptor(
            format: .maildir, summary: "Maildir folder (cur/ and new/)",
            extensions: [], isFolder: true, options: ["--directory"],
            sniff: nil,
            open: { path, options throws(ArchiveOpenError) in try MaildirSource(path: path, directory: options.directory) })
    ]

    /// The descriptor of a readable format; `auto` has none.
    public var descriptor: ArchiveFormatDescriptor? {
        ArchiveFormat.descriptors.first { $0.format == self }
    }

    /// The `--input-format` values, `auto` first, as help texts list them.
    package static var names: String { allCases.map(\.rawValue).joined(separator: ", ") }

    /// The names of the formats a single file can be in (not folders), for messages.
    package static var fileFormatNames: String {
        allCases.compactMap { $0.descriptor }.filter { !$0.isFolder }.map(\.format.rawValue).joined(separator: ", ")
    }

    /// The names of every readable format, for messages.
    package static var readableNames: String {
        allCases.compactMap { $0.descriptor }.map(\.format.rawValue).joined(separator: ", ")
    }

    /// The format a name stands for (any case), or nil.
    public init?(name: String) {
        self.init(rawValue: name.lowercased())
    }

    /// The format a file name's ending tells, or nil.
    static func byExtension(_ path: String) -> ArchiveFormat? {
        let lower = path.lowercased()
        return descriptors.first { d in d.extensions.contains { lower.hasSuffix($0) } }?.format
    }
}

/// Mail: a first line "Name: value" with a name of printable ASCII and no spaces, followed by
/// nothing, a continuation line or another header line.
private func looksLikeMailHeader(_ lines: [ArraySlice<UInt8>]) -> Bool {
    let first = lines[0]
    func isHeaderName(_ s: ArraySlice<UInt8>) -> Bool { s.allSatisfy { $0 > 0x20 && $0 < 0x7F } }
    guard let colon = first.firstIndex(of: 0x3A), colon > first.startIndex, isHeaderName(first[first.startIndex..<colon]) else {
        return false
    }
    guard lines.count > 1 else { return true }
    let next = lines[1]
    if next.first == 0x20 || next.first == 0x09 { return true }
    return next.firstIndex(of: 0x3A).map { c in isHeaderName(next[next.startIndex..<c]) } ?? false
}
