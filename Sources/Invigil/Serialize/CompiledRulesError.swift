/// Why a compiled rule file was refused. The message names what is wrong, in one line.
public struct CompiledRulesError: Error, Sendable, CustomStringConvertible {
    /// What kind of refusal.
    public enum Kind: Sendable, Equatable {
        /// The bytes do not start with the compiled-file magic: not a compiled rule file.
        case notCompiled
        /// The file ends before the header or the payload the header announces.
        case truncated
        /// A checksum does not match, or a table or offset is inconsistent.
        case corrupted
        /// Another format version (the message names both), or another byte order.
        case incompatible
        /// The file could not be read or written.
        case io
    }

    /// What kind of refusal it is.
    public var kind: Kind
    /// What is wrong, in one line.
    public var message: String

    /// An error of `kind` saying `message`.
    public init(_ kind: Kind, _ message: String) {
        self.kind = kind
        self.message = message
    }

    /// The message.
    public var description: String { message }
}
