/// Bounds of the zip reader against archives built to exhaust memory or time (zip bombs), in the
/// spirit of `ArchiveLimits` (docs/limits.md, "Zip archives"). Exceeding one is a `ZipError` of
/// kind `.limit` that names the limit; nothing is decompressed past it.
///
/// Only entries that are read (a WhatsApp export's chat text) are decompressed; media entries are
/// listed from the central directory and never expanded, so their sizes do not count.
public struct ZipLimits: Sendable {
    /// Entries in the central directory. The default is the most a zip without ZIP64 can hold.
    public var entries = 65_535
    /// Bytes of the central directory (it is read whole, to list the entries).
    public var centralDirectoryBytes = 64 << 20
    /// Uncompressed bytes of one entry that is read (its size as declared, checked before
    /// decompressing, and enforced while decompressing).
    public var entryBytes = 512 << 20
    /// Uncompressed bytes of all the entries read from one archive together.
    public var totalBytes = 1 << 30
    /// Uncompressed bytes per compressed byte of an entry that is read, above `ratioFloor`.
    /// Chat text deflates 3 to 10 times; deflate cannot exceed about 1,032; a declared ratio over
    /// this is a bomb, not a chat.
    public var compressionRatio = 200
    /// Entries smaller than this (uncompressed) are not held to `compressionRatio`: small
    /// repetitive files legitimately compress far.
    public var ratioFloor = 1 << 20

    /// The standard limits (the values above).
    public init() {}

    /// The limits `invigil scan` uses.
    public static let standard = ZipLimits()
}
