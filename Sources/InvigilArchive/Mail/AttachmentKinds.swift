/// Attachment kind of the event schema for a MIME type (and file name, for generic types).
func attachmentKind(type: String, filename: String?) -> String {
    if type.hasPrefix("image/") { return "image" }
    if type.hasPrefix("video/") { return "video" }
    if type.hasPrefix("audio/") { return "audio" }
    if let f = filename, let kind = kindForFileName(f) { return kind }
    return "document"
}

func kindForFileName(_ name: String) -> String? {
    guard let dot = name.lastIndex(of: ".") else { return nil }
    let ext = name[name.index(after: dot)...].lowercased().trimmingSpaces()
    switch ext {
    case "jpg", "jpeg", "png", "gif", "bmp", "heic", "heif", "webp", "tif", "tiff", "svg": return "image"
    case "mp4", "mov", "avi", "mkv", "3gp", "webm", "m4v", "wmv", "mpg", "mpeg": return "video"
    case "mp3", "m4a", "wav", "ogg", "opus", "aac", "amr", "flac", "wma": return "audio"
    case "pdf", "doc", "docx", "xls", "xlsx", "ppt", "pptx", "txt", "rtf", "odt", "csv", "zip", "vcf": return "document"
    default: return nil
    }
}
