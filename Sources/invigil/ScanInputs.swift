#if canImport(Glibc)
import Glibc
#endif
import InvigilArchive

/// Expands inputs: folders become their files (a Maildir folder stays one input). With
/// `--input-format auto`, files inside folders whose format neither their extension nor their
/// content tells (a LICENSE, a README) are left out and listed in `skipped`. Symbolic links are
/// followed, but a folder or file reached a second time inside folders (a link back up the
/// tree, two links to one file) is read once and the other paths are listed in `repeated`, so
/// no record is scanned twice and a link loop ends.
func expandInputs(_ inputs: [String], format: ArchiveFormat, skipped: inout [String], repeated: inout [String]) -> [String] {
    var seen = Set<FileIdentity>()
    return expandInputs(inputs, format: format, skipped: &skipped, repeated: &repeated, seen: &seen, inFolder: false)
}

/// A file's device and inode: the same file under any path.
struct FileIdentity: Hashable {
    var device: UInt64
    var inode: UInt64

    init?(path: String) {
        var info = stat()
        guard stat(path, &info) == 0 else { return nil }
        device = UInt64(info.st_dev)
        inode = UInt64(info.st_ino)
    }
}

private func expandInputs(
    _ inputs: [String], format: ArchiveFormat, skipped: inout [String], repeated: inout [String],
    seen: inout Set<FileIdentity>, inFolder: Bool
) -> [String] {
    var out: [String] = []
    for input in inputs {
        let identity = input == "-" ? nil : FileIdentity(path: input)
        if input != "-", isDirectory(input), format != .maildir,
            !(isDirectory(input + "/cur") || isDirectory(input + "/new"))
        {
            if let identity, !seen.insert(identity).inserted {
                repeated.append(input)
                continue
            }
            var names: [String] = []
            if let dir = opendir(input) {
                while let entry = readdir(dir) {
                    let name = withUnsafePointer(to: entry.pointee.d_name) {
                        $0.withMemoryRebound(to: CChar.self, capacity: 256) { String(cString: $0) }
                    }
                    if !name.hasPrefix(".") { names.append(name) }
                }
                closedir(dir)
            }
            out += expandInputs(
                names.sorted().map { input.hasSuffix("/") ? input + $0 : input + "/" + $0 }, format: format,
                skipped: &skipped, repeated: &repeated, seen: &seen, inFolder: true)
        } else if inFolder, format == .auto, recognizedFormat(path: input) == nil {
            skipped.append(input)
        } else if inFolder, let identity, !seen.insert(identity).inserted {
            repeated.append(input)
        } else {
            if let identity { seen.insert(identity) }
            out.append(input)
        }
    }
    return out
}

func fileSize(_ path: String) -> Int {
    var info = stat()
    return stat(path, &info) == 0 ? Int(info.st_size) : 0
}

/// Why a file named on the command line is refused with `--input-format auto`: neither its
/// extension nor its content says it is an archive Invigil reads (a zip of something else, an
/// image, a PDF, an empty or unknown text file). Nil when it is readable. Such a file would
/// otherwise be read as JSONL and every line rejected, which looks like an empty archive.
func unknownFormatReason(path: String) -> String? {
    guard path != "-" else {
        if recognizedFormat(path: "-") != nil { return nil }
        let head = standardInputHead()
        if head.isEmpty { return nil }
        return "standard input is " + (binaryKind(head: head) ?? "in no format Invigil reads")
            + " (\(ArchiveFormat.fileFormatNames)); give --input-format to read it as one"
    }
    if isDirectory(path) || recognizedFormat(path: path) != nil { return nil }
    guard let head = headOfFile(path), !head.isEmpty else { return nil }  // an empty or unreadable file: the reader says why
    let kind = binaryKind(head: head) ?? "in no format Invigil reads"
    // A zip is opened as a WhatsApp export, whose reader says what the zip lacks.
    if kind == "a zip archive" { return nil }
    return "\(path): unknown input format: the file is \(kind) (\(ArchiveFormat.readableNames)); give --input-format to read it as one"
}

private func headOfFile(_ path: String) -> [UInt8]? {
    let fd = open(path, O_RDONLY | O_CLOEXEC)
    guard fd >= 0 else { return nil }
    defer { close(fd) }
    var head = [UInt8](repeating: 0, count: 4096)
    let n = head.withUnsafeMutableBytes { read(fd, $0.baseAddress!, $0.count) }
    guard n >= 0 else { return nil }
    head.removeLast(head.count - n)
    return head
}
