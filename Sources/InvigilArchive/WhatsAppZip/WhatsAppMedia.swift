/// The media files of a WhatsApp `.zip` export (every entry that is not a folder or the chat
/// text), matched to the messages that name them (`<attached: NAME>`, `NAME (file attached)`).
/// What no message names, and what messages name but the archive lacks, become summary notes, so
/// that nothing in the archive is passed over without a word.
final class WhatsAppMedia {
    struct File {
        /// The entry's full name in the archive.
        var name: String
        var size: Int
        var kind: String
    }

    private(set) var files: [File] = []
    private var referenced: [Bool] = []
    private var byFileName: [String: Int] = [:]
    private var byLowercasedName: [String: Int] = [:]
    /// File names messages name that are not in the archive, with how often.
    private(set) var missing: [String: Int] = [:]

    init(entries: [ZipEntry]) {
        for entry in entries {
            let index = files.count
            files.append(File(name: entry.name, size: entry.uncompressedSize, kind: kindForFileName(entry.fileName) ?? "document"))
            referenced.append(false)
            if byFileName[entry.fileName] == nil { byFileName[entry.fileName] = index }
            let lower = entry.fileName.lowercased()
            if byLowercasedName[lower] == nil { byLowercasedName[lower] = index }
        }
    }

    /// The file a message names (exactly, or failing that ignoring case), now counted as
    /// referenced; nil, and counted as missing, when the archive has no such file.
    func claim(_ fileName: String) -> File? {
        guard !fileName.isEmpty else { return nil }
        guard let index = byFileName[fileName] ?? byLowercasedName[fileName.lowercased()] else {
            missing[fileName, default: 0] += 1
            return nil
        }
        referenced[index] = true
        return files[index]
    }

    /// Files no message named, in archive order.
    var unreferenced: [File] { files.indices.filter { !referenced[$0] }.map { files[$0] } }

    /// How many files are listed one by one in the notes; the rest are counted together.
    static let listedNotes = 20

    /// Summary notes (`ArchiveNotes`): each file no message names (up to `listedNotes`, then a
    /// count of the rest), and each name messages give that the archive lacks.
    var notes: [String: Int] {
        var result: [String: Int] = [:]
        let unnamed = unreferenced
        for file in unnamed.prefix(Self.listedNotes) {
            result["media file that no message names (not scanned): \(file.name) (\(file.kind), \(file.size) bytes)", default: 0] += 1
        }
        if unnamed.count > Self.listedNotes {
            result["more media files that no message names (not scanned)"] = unnamed.count - Self.listedNotes
        }
        let absent = missing.sorted { $0.key < $1.key }
        for (name, count) in absent.prefix(Self.listedNotes) {
            result["media file named by a message but not in the archive: \(name)"] = count
        }
        if absent.count > Self.listedNotes {
            result["more media files named by messages but not in the archive"] = absent.dropFirst(Self.listedNotes).reduce(0) { $0 + $1.value }
        }
        return result
    }
}
