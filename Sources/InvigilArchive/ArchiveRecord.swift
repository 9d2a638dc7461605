import Invigil

/// One record read from an archive: an event to scan, or a record that could not be read.
public struct ArchiveRecord: Sendable {
    /// Where the record came from: `file:line` for line-based inputs, `file:#N` for the Nth
    /// message of an mbox, the file path for eml and Maildir.
    public var source: String
    /// The event, or why the record could not be read.
    public var payload: Payload

    /// What a record holds.
    public enum Payload: Sendable {
        /// An event in the JSON form of the event schema (JSONL lines).
        case json([UInt8])
        /// An event as a list of field assignments (mail, chat, CSV).
        case fields([ArchiveField])
        /// The record could not be read; the reason, for an error line.
        case rejected(String)
    }

    /// A record from `source` holding `payload`.
    public init(source: String, payload: Payload) {
        self.source = source
        self.payload = payload
    }
}

/// One field assignment of an event built by a reader.
public struct ArchiveField: Sendable {
    /// A field value: text, a truth value or an integer, as the event schema's field kinds take them.
    public enum Value: Sendable {
        case string(String)
        case bool(Bool)
        case int(Int64)
    }

    /// Dotted field name of the event schema (`author.role`).
    public var name: String
    /// The value assigned.
    public var value: Value
    /// For list fields: which element of a list-of-objects group (`recipients`) the value belongs
    /// to; nil appends as the next element.
    public var element: Int32?
    /// True for list fields (append), false to replace.
    public var isListValue: Bool

    /// An assignment of `value` to the field `name`; `element` and `list` as the properties of the same names.
    public init(_ name: String, _ value: Value, element: Int32? = nil, list: Bool = false) {
        self.name = name
        self.value = value
        self.element = element
        self.isListValue = list
    }
}

extension ArchiveRecord {
    /// Sets a scanner's event from one JSON event; the reason when it cannot be, as a JSON
    /// record's `load(into:)` gives it (the scan's workers load JSONL lines where they lie).
    package static func loadJSON(_ bytes: UnsafeBufferPointer<UInt8>, into scanner: Scanner) -> String? {
        do {
            try scanner.setJSON(bytes)
            return nil
        } catch {
            return error.message + " (byte \(error.offset + 1))"
        }
    }

    /// Loads this record into a scanner (after a reset). Fields the rule set does not declare are
    /// skipped, as unknown JSON fields are. Throws a reason when the record cannot be scanned.
    public func load(into scanner: Scanner) -> String? {
        switch payload {
        case .rejected(let reason):
            return reason
        case .json(let bytes):
            return bytes.withUnsafeBufferPointer { Self.loadJSON($0, into: scanner) }
        case .fields(let fields):
            scanner.reset()
            for field in fields {
                guard let slot = scanner.slot(of: field.name) else { continue }
                let append = field.isListValue
                do throws(FieldError) {
                    switch field.value {
                    case .string(let s):
                        var copy = s
                        let result: Result<Void, FieldError> = copy.withUTF8 { b in
                            Result { () throws(FieldError) in try scanner.setString(slot: slot, b, append: append, element: field.element) }
                        }
                        try result.get()
                    case .bool(let b): try scanner.setBool(slot: slot, b, append: append, element: field.element)
                    case .int(let i): try scanner.setInt(slot: slot, i, append: append, element: field.element)
                    }
                } catch {
                    return error.description
                }
            }
            return nil
        }
    }
}
