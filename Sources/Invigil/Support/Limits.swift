/// Documented limits (docs/limits.md). Exceeding one is an error, never a hang.
public enum Limits {
    /// Bytes in one rule file.
    public static let ruleFileBytes = 16 << 20
    /// Bytes in all the files of one rule set.
    public static let ruleSetBytes = 64 << 20
    /// Depth of nested includes.
    public static let includeDepth = 32
    /// Nesting depth of conditions (parentheses and `not`).
    public static let conditionDepth = Parser.maximumConditionDepth
    /// Phrases in one rule set, over all lists.
    public static let phrases = 1_000_000
    /// Bytes in one phrase.
    public static let phraseBytes = 1024
    /// Rules in one rule set.
    public static let rules = 100_000
    /// Bytes in one event as JSON.
    public static let eventBytes = 64 << 20
    /// Values set on one event, over all fields.
    public static let eventValues = 100_000
    /// The largest word window of a proximity test (`a near b within N words`).
    public static let proximityWords = 50
    /// Match spans stored per event by default (`Scanner.storedSpanLimit`); the rest are counted.
    public static let storedSpans = 4096
    /// The largest `Scanner.storedSpanLimit` (a larger setting is clamped to it).
    public static let storedSpansMaximum = 1 << 24
    /// Nesting depth of JSON events.
    public static let jsonDepth = 64
}
