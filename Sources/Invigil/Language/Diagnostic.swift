/// A position in a rule file: 1-based line and column (columns count bytes).
public struct SourceLocation: Sendable, Hashable, CustomStringConvertible {
    /// The file's name as it was given (or the name passed to `RuleSet.compile(source:name:)`).
    public var file: String
    /// 1-based line; 0 when the problem concerns the whole file.
    public var line: Int
    /// 1-based column, in bytes.
    public var column: Int

    /// A location in `file`.
    public init(file: String, line: Int, column: Int) {
        self.file = file
        self.line = line
        self.column = column
    }

    /// `file:line:col`, or the file alone for line 0.
    public var description: String { line > 0 ? "\(file):\(line):\(column)" : file }
}

/// One problem found in a rule set.
public struct Diagnostic: Sendable, CustomStringConvertible {
    /// What kind of problem, which maps onto the C API's status codes.
    public enum Kind: Sendable {
        /// The source does not parse.
        case syntax
        /// The source parses but is not a valid rule set (unknown names, type errors, duplicates).
        case rules
        /// A documented limit is exceeded.
        case limit
        /// A file could not be read.
        case io
    }

    /// What kind of problem it is.
    public var kind: Kind
    /// Where the problem is.
    public var location: SourceLocation
    /// What is wrong, in one line (with a suggestion where there is one).
    public var message: String
    /// The source line the problem is on, for display with a caret.
    public var sourceLine: String

    /// A diagnostic; `sourceLine` is shown under it with a caret at the column.
    public init(kind: Kind, location: SourceLocation, message: String, sourceLine: String = "") {
        self.kind = kind
        self.location = location
        self.message = message
        self.sourceLine = sourceLine
    }

    /// `file:line:col: error: message`, the source line and a caret.
    public var description: String {
        var text = "\(location): error: \(message)"
        if !sourceLine.isEmpty, location.column > 0 {
            text += "\n    " + sourceLine + "\n    "
            var pad = ""
            var count = 0
            for byte in sourceLine.utf8 {
                count += 1
                if count >= location.column { break }
                if byte & 0xC0 == 0x80 { continue }
                pad += byte == 9 ? "\t" : " "
            }
            text += pad + "^"
        }
        return text
    }
}

/// The error thrown when a rule set does not compile: every diagnostic found, in source order.
public struct RuleSetError: Error, Sendable, CustomStringConvertible {
    /// Every problem found, sorted by file, line and column.
    public var diagnostics: [Diagnostic]

    /// An error carrying `diagnostics`.
    public init(_ diagnostics: [Diagnostic]) { self.diagnostics = diagnostics }

    /// The most fundamental kind among the diagnostics (I/O, then syntax, then limits, then rules).
    public var kind: Diagnostic.Kind {
        let kinds = diagnostics.map(\.kind)
        if kinds.contains(.io) { return .io }
        if kinds.contains(.syntax) { return .syntax }
        if kinds.contains(.limit) { return .limit }
        return .rules
    }

    /// Every diagnostic, rendered, one after another.
    public var description: String { diagnostics.map(\.description).joined(separator: "\n") }
}

/// A rule source file held in memory, with a line index for diagnostics.
final class SourceText {
    let path: String
    let bytes: [UInt8]
    private(set) var lineStarts: [Int] = [0]

    init(path: String, bytes: [UInt8]) {
        self.path = path
        self.bytes = bytes
        for (i, b) in bytes.enumerated() where b == 10 { lineStarts.append(i + 1) }
    }

    func location(ofOffset offset: Int) -> SourceLocation {
        var lo = 0
        var hi = lineStarts.count - 1
        while lo < hi {
            let mid = (lo + hi + 1) / 2
            if lineStarts[mid] <= offset { lo = mid } else { hi = mid - 1 }
        }
        return SourceLocation(file: path, line: lo + 1, column: offset - lineStarts[lo] + 1)
    }

    /// Lines longer than this are not quoted in diagnostics: a hostile one-line file (up to 16 MiB)
    /// would otherwise be decoded and copied into every diagnostic on it.
    static let maximumQuotedLine = 4096

    func line(_ number: Int) -> String {
        guard number >= 1, number <= lineStarts.count else { return "" }
        let start = lineStarts[number - 1]
        var end = number < lineStarts.count ? lineStarts[number] - 1 : bytes.count
        if end - start > SourceText.maximumQuotedLine { return "" }
        if end > start, bytes[end - 1] == 13 { end -= 1 }
        return String(decoding: bytes[start..<max(start, end)], as: UTF8.self)
    }

    func diagnostic(_ kind: Diagnostic.Kind, at offset: Int, _ message: String) -> Diagnostic {
        let location = location(ofOffset: offset)
        return Diagnostic(kind: kind, location: location, message: message, sourceLine: line(location.line))
    }
}
