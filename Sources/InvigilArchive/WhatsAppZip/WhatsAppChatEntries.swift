/// Which entries of a zip are a WhatsApp chat text.
///
/// By name first: `_chat.txt` (iOS), or a `.txt` whose name contains "WhatsApp" (Android's
/// `WhatsApp Chat with NAME.txt`, and its translations such as `WhatsApp Chat mit NAME.txt`).
/// Failing that, by content: `.txt` entries (the first `contentCandidates`) whose first lines
/// start with a message date and time, as `sniffFormat` recognises a chat `.txt` file. Only the
/// first `headBytes` of a candidate are decompressed to decide, so recognising costs little
/// however large the entries are.
enum WhatsAppChatEntries {
    static let contentCandidates = 8
    static let headBytes = 1 << 16

    struct Found {
        var entries: [ZipEntry] = []
        /// Candidates by content that could not be read: "NAME: reason".
        var unreadable: [String] = []
    }

    static func find(in zip: ZipArchive) -> Found {
        var found = Found()
        let texts = zip.entries.filter { !$0.isDirectory && $0.fileName.lowercased().hasSuffix(".txt") && !$0.name.hasPrefix("__MACOSX/") }
        for entry in texts {
            let lower = entry.fileName.lowercased()
            if lower == "_chat.txt" || lower.contains("whatsapp") { found.entries.append(entry) }
        }
        if !found.entries.isEmpty { return found }
        for entry in texts.prefix(contentCandidates) {
            do {
                if looksLikeChat(try zip.prefix(of: entry, count: headBytes)) { found.entries.append(entry) }
            } catch {
                found.unreadable.append("\(entry.name): \(error.reason)")
            }
        }
        return found
    }

    /// Whether a text starts like a chat export: one of its first three non-blank lines (within
    /// its first 64 KB) starts with a date and time.
    static func looksLikeChat(_ bytes: [UInt8]) -> Bool {
        let head = bytes.prefix(headBytes)
        var checked = 0
        for piece in head.split(separator: 0x0A, omittingEmptySubsequences: true) {
            var line = Array(piece)
            if line.last == 0x0D { line.removeLast() }
            if line.allSatisfy({ $0 == 0x20 || $0 == 0x09 }) { continue }
            if line.withUnsafeBufferPointer({ parseChatHeader($0) != nil }) { return true }
            checked += 1
            if checked == 3 { return false }
        }
        return false
    }

    /// Whether a file is a zip that holds a chat text (for `--input-format auto`).
    static func isChatArchive(path: String) -> Bool {
        guard ZipArchive.hasSignature(path: path), let zip = try? ZipArchive(path: path) else { return false }
        return !find(in: zip).entries.isEmpty
    }
}
