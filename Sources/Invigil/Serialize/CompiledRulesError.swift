/// Why a compiled rule file was refused. The message names what is wrong, in one line.
public struct CompiledRulesError: Error, Sendable, CustomStringConvertible {
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

    public var kind: Kind
    public var message: String

    public init(_ kind: Kind, _ message: String) {
        self.kind = kind
        self.message = message
    }

    public var description: String { message }
}
