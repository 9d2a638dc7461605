/// The layout constants of compiled rule files (docs/compiled-format.md).
///
/// A file is an 80-byte header, the payload (the "hot" sections a scan needs), then the cold part
/// (the sections only `explain`, `invigil test` and the writer need: the examples and the
/// conditions), each a sequence of sections with its own CRC-32C. Every integer is
/// little-endian; tables the scanner reads in place start at multiples of 8 from the payload's
/// start (and the payload starts at 80).
enum CompiledFormat {
    /// `\x89IVG\r\n\x1a\n`: a high byte (not text), the name, and line-ending and EOF bytes that
    /// a text-mode transfer would alter (the PNG idea).
    static let magic: [UInt8] = [0x89, 0x49, 0x56, 0x47, 0x0D, 0x0A, 0x1A, 0x0A]
    /// The format version this engine writes and reads. Bumped whenever the layout or meaning of
    /// any stored table changes (including the normaliser's or the automaton's).
    static let version: UInt32 = 4
    /// Written as a native UInt32: reads as this on a machine of the writer's byte order.
    static let byteOrderMark: UInt32 = 0x0A0B_0C0D
    static let headerLength = 80
    /// Bytes of the engine version field (ASCII, NUL padded).
    static let engineVersionLength = 24
    /// The largest compiled file accepted (the payload length is checked against it first).
    static let maximumFileBytes = 1 << 32

    // Header field offsets. The first 16 bytes (magic, version, byte order, header length)
    // keep their meaning in every format version, so any engine can name a file's version.
    static let versionOffset = 8
    static let byteOrderOffset = 12
    static let headerLengthOffset = 16
    static let flagsOffset = 20
    static let payloadLengthOffset = 24
    static let payloadChecksumOffset = 32
    static let headerChecksumOffset = 36
    static let engineVersionOffset = 40
    static let coldLengthOffset = 64
    static let coldChecksumOffset = 72
    static let reservedOffset = 76
    /// The cold part's first bytes: the payload's length (`u64`) and CRC-32C (`u32`, then a zero
    /// `u32`), which tie it to the hot part it was written with.
    static let coldTieLength = 16

    /// Section flag: an engine that does not know the section must refuse the file.
    static let requiredFlag: UInt32 = 1

    /// Section identifiers.
    enum Section: UInt32, CaseIterable {
        case sources = 1
        case schema = 2
        case packs = 3
        case phraseLists = 4
        case hostLists = 5
        case schedules = 6
        case rules = 7
        case examples = 8
        case automaton = 9
        case normalizedAutomaton = 10
        case program = 11
        case conditions = 12

        /// Whether the section belongs in the cold part (read on first use, not by a load).
        var isCold: Bool { self == .examples || self == .conditions }

        var name: String {
            switch self {
            case .sources: return "sources"
            case .schema: return "schema"
            case .packs: return "packs"
            case .phraseLists: return "phrase lists"
            case .hostLists: return "host lists"
            case .schedules: return "schedules"
            case .rules: return "rules"
            case .examples: return "examples"
            case .automaton: return "automaton"
            case .normalizedAutomaton: return "normalised automaton"
            case .program: return "program"
            case .conditions: return "conditions"
            }
        }
    }
}

extension RuleSet {
    /// The engine version written into compiled files (informative: compatibility is decided by
    /// the format version).
    public static let engineVersion = "0.1.0"

    /// The compiled-file format version this engine writes and reads.
    public static var compiledFormatVersion: Int { Int(CompiledFormat.version) }
}
