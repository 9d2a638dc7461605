/// Limits of the archive readers (docs/limits.md, "Archive readers"). Exceeding one rejects the
/// record concerned (with its file and line or message number), never the input and never the scan.
public enum ArchiveLimits {
    /// Bytes in one line of a line-based input (CSV, WhatsApp). A longer line is skipped without
    /// being held in memory and its record is rejected.
    public static let lineBytes = 64 << 20
    /// Bytes in one CSV record (all its lines) and lines in one record: an unterminated quoted
    /// cell is rejected when it reaches either, and reading resumes on the line after its start.
    public static let csvRecordBytes = 64 << 20
    /// Lines in one CSV record (see `csvRecordBytes`).
    public static let csvRecordLines = 100_000
    /// Columns in one CSV record.
    public static let csvColumns = 10_000
    /// Bytes in one mail message (mbox message, .eml or Maildir file). A larger message is
    /// rejected without being read whole.
    public static let messageBytes = 64 << 20
    /// Bytes in the header section of one message or MIME part.
    public static let headerBytes = 1 << 20
    /// Nesting depth of MIME multiparts and attached messages.
    public static let mimeDepth = 16
    /// MIME parts in one message, at every depth.
    public static let mimeParts = 1_000
    /// Recipients taken from To, Cc and Bcc of one message (the rest are dropped and counted).
    public static let recipients = 10_000
    /// Lines in one WhatsApp message (continuation lines).
    public static let chatMessageLines = 100_000
    /// Distinct authors of one WhatsApp export that are given as recipients of the others'
    /// messages; a chat with more participants gets no recipients.
    public static let chatParticipants = 256
}

/// Counts of things a reader decoded only in part (charsets it does not know, bytes it replaced),
/// for the scan summary. The records concerned are still scanned.
public protocol ArchiveNotes {
    /// Note text → how many times (e.g. "charset 'x-unknown' decoded as ASCII with replacements").
    var notes: [String: Int] { get }
}
