#if canImport(Glibc)
import Glibc
#endif

/// A WhatsApp export as WhatsApp shares it: a `.zip` holding the chat text (`_chat.txt` from
/// iOS, `WhatsApp Chat with NAME.txt` from Android) and, when exported with media, the media
/// files. The chat text is read by `WhatsAppSource`, with sources naming the entry
/// (`export.zip!_chat.txt:12`). A message that names a file of the archive gets its
/// `attachments.name` and `attachments.size` (its `attachments.kind` comes from the name);
/// files no message names are listed in `notes`. Media are listed from the zip's central
/// directory and never decompressed.
public final class WhatsAppZipSource: ArchiveSource, ArchiveNotes {
    let zip: ZipArchive
    let name: String
    let options: WhatsAppOptions
    let directory: PeopleDirectory?
    let media: WhatsAppMedia
    /// The chat entries, in archive order, and the next one to read.
    let chats: [ZipEntry]
    private var nextChat = 0
    private var current: WhatsAppSource? = nil
    private var currentEntry: ZipEntry? = nil
    private var compressedDone = 0
    private var finished = false

    /// Opens a `.zip` export. Throws when it is not a zip this reader reads, holds no chat text,
    /// or its first chat text cannot be read (the reason says which).
    public convenience init(
        path: String, options: WhatsAppOptions = WhatsAppOptions(), directory: PeopleDirectory? = nil,
        limits: ZipLimits = .standard
    ) throws(ArchiveOpenError) {
        let zip: ZipArchive
        do { zip = try ZipArchive(path: path, limits: limits) } catch { throw ArchiveOpenError(path: path, reason: error.reason) }
        try self.init(zip: zip, name: path, options: options, directory: directory)
    }

    /// Reads a `.zip` export already in memory; `name` stands for its path in sources.
    public convenience init(
        bytes: [UInt8], name: String, options: WhatsAppOptions = WhatsAppOptions(), directory: PeopleDirectory? = nil,
        limits: ZipLimits = .standard
    ) throws(ArchiveOpenError) {
        let zip: ZipArchive
        do { zip = try ZipArchive(bytes: bytes, limits: limits) } catch { throw ArchiveOpenError(path: name, reason: error.reason) }
        try self.init(zip: zip, name: name, options: options, directory: directory)
    }

    init(zip: ZipArchive, name: String, options: WhatsAppOptions, directory: PeopleDirectory?) throws(ArchiveOpenError) {
        self.zip = zip
        self.name = name
        self.options = options
        self.directory = directory
        let found = WhatsAppChatEntries.find(in: zip)
        guard !found.entries.isEmpty else {
            var reason =
                "zip archive with no WhatsApp chat text (_chat.txt, or WhatsApp Chat with NAME.txt) among its \(zip.entries.count) entr\(zip.entries.count == 1 ? "y" : "ies")"
            if !found.unreadable.isEmpty { reason += "; could not read " + found.unreadable.joined(separator: "; ") }
            throw ArchiveOpenError(path: name, reason: reason)
        }
        chats = found.entries
        let chatNames = Set(chats.map(\.name))
        media = WhatsAppMedia(entries: zip.entries.filter { !$0.isDirectory && !chatNames.contains($0.name) })
        // The first chat is read now, so that an archive whose chat cannot be read is an input
        // that cannot be opened; later ones (rare) become a rejected record if they fail.
        switch open(chats[0]) {
        case .success(let chat): start(chat, chats[0])
        case .failure(let error): throw ArchiveOpenError(path: name, reason: error.reason)
        }
    }

    private func open(_ entry: ZipEntry) -> Result<WhatsAppSource, ZipError> {
        let bytes: [UInt8]
        do { bytes = try zip.contents(of: entry) } catch { return .failure(error) }
        let chat = WhatsAppSource(bytes: bytes, name: "\(name)!\(entry.name)", options: options, directory: directory)
        chat.media = media
        return .success(chat)
    }

    private func start(_ chat: WhatsAppSource, _ entry: ZipEntry) {
        current = chat
        currentEntry = entry
        nextChat += 1
    }

    public func next() -> ArchiveRecord? {
        while !finished {
            if let chat = current, let record = chat.next() { return record }
            if let entry = currentEntry { compressedDone += entry.compressedSize }
            current = nil
            currentEntry = nil
            guard nextChat < chats.count else {
                finished = true
                return nil
            }
            let entry = chats[nextChat]
            switch open(entry) {
            case .success(let chat): start(chat, entry)
            case .failure(let error):
                nextChat += 1
                compressedDone += entry.compressedSize
                return ArchiveRecord(source: "\(name)!\(entry.name)", payload: .rejected("chat text not read: \(error.reason)"))
            }
        }
        return nil
    }

    /// The compressed bytes of the chat texts read so far (in proportion, inside the current
    /// one); the whole archive once every chat is read.
    public var bytesRead: Int {
        if finished { return zip.storage.size }
        guard let chat = current, let entry = currentEntry, entry.uncompressedSize > 0 else { return compressedDone }
        return compressedDone + Int(Double(entry.compressedSize) * Double(chat.bytesRead) / Double(entry.uncompressedSize))
    }

    /// Media no message names, and names messages give that the archive lacks.
    public var notes: [String: Int] { media.notes }
}
