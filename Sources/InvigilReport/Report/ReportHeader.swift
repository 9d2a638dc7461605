/// What the report's header says about the run: who ran it and where, when, the engine, the
/// packs, every input with its size and SHA-256, and the reconciliation line. `scan --report`
/// fills all of it; `report FINDINGS.jsonl` knows only what the findings file and the present
/// machine tell (see docs/report.md, "When the header is incomplete"), and says so in `notes`.
public struct ReportHeader: Sendable {
    public struct Input: Sendable {
        public var path: String
        public var bytes: Int
        /// Lower-case hex, or nil when the file could not be read.
        public var sha256: String?
        public init(path: String, bytes: Int, sha256: String?) { self.path = path; self.bytes = bytes; self.sha256 = sha256 }
    }

    public struct Pack: Sendable {
        public var name: String
        public var title: String
        public var file: String
        /// The rule file's SHA-256: packs carry no version number, so the digest names the version.
        public var sha256: String?
        public init(name: String, title: String, file: String, sha256: String?) {
            self.name = name; self.title = title; self.file = file; self.sha256 = sha256
        }
    }

    /// `user@host`.
    public var ranBy: String
    /// UTC, ISO 8601.
    public var ranAt: String
    public var engineVersion: String
    /// `scan` or `report`, and its arguments.
    public var command: String
    public var packs: [Pack] = []
    public var inputs: [Input] = []
    /// `invigil: read N, scanned N, rejected N, findings N`, when the scan ran here.
    public var reconciliation: String?
    /// What was masked (nil: nothing).
    public var redaction: String?
    /// Anything the reader should know about the header (what is missing and why).
    public var notes: [String] = []

    public init(ranBy: String, ranAt: String, engineVersion: String, command: String) {
        self.ranBy = ranBy; self.ranAt = ranAt; self.engineVersion = engineVersion; self.command = command
    }
}
