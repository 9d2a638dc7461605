/// One entry of a zip archive's central directory.
package struct ZipEntry: Sendable, Equatable {
    /// The entry's path in the archive (`/` separated), decoded from UTF-8; names in other
    /// encodings (old tools wrote CP437) are decoded with U+FFFD for the bytes that are not UTF-8.
    package var name: String
    /// General purpose flags (bit 0: encrypted; bit 3: sizes in a data descriptor; bit 11: UTF-8).
    package var flags: UInt16
    /// Compression method: 0 stored, 8 deflate; others are refused when the entry is read.
    package var method: UInt16
    package var crc32: UInt32
    package var compressedSize: Int
    package var uncompressedSize: Int
    /// Offset of the entry's local header from the start of the archive.
    package var localHeaderOffset: Int

    /// True for folder entries (names ending in `/`), which hold no data.
    package var isDirectory: Bool { name.hasSuffix("/") }
    /// True when the entry is encrypted (traditional PKWARE or strong encryption).
    package var isEncrypted: Bool { flags & 0x41 != 0 }
    /// The last component of the name (a file name without its folders).
    package var fileName: String {
        guard let slash = name.lastIndex(of: "/") else { return name }
        return String(name[name.index(after: slash)...])
    }

    /// A name for a compression method, for error messages.
    static func methodName(_ method: UInt16) -> String {
        switch method {
        case 0: return "stored"
        case 1: return "shrink"
        case 6: return "implode"
        case 8: return "deflate"
        case 9: return "deflate64"
        case 12: return "bzip2"
        case 14: return "LZMA"
        case 93: return "Zstandard"
        case 95: return "XZ"
        case 98: return "PPMd"
        case 99: return "AES encryption"
        default: return "method \(method)"
        }
    }
}
