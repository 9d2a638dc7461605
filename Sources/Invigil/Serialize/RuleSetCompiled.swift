#if canImport(Glibc)
import Glibc
#endif

/// Compiled rule files: a rule set written once, loaded on many machines without the sources
/// and without compiling (docs/compiled-format.md).
///
/// ```swift
/// let rules = try RuleSet.load(paths: ["packs"])
/// let bytes = rules.compiledBytes()
/// let loaded = try RuleSet.load(compiled: bytes)    // same findings as `rules`
/// ```
extension RuleSet {
    /// The rule set as a compiled file. For a rule set loaded from a compiled file this reads
    /// the file's cold part (examples and conditions) if no use has yet, which fails when the
    /// file has since been changed, removed or damaged.
    public func compiledBytes() throws(CompiledRulesError) -> [UInt8] { try RuleSetWriter.write(self) }

    /// For a rule set loaded from a compiled file, reads and checks the file's cold part (the
    /// examples and the conditions, which only `invigil test`, `explain`, `inspect` and the writer
    /// use) now, if no use has read it yet; throws when it cannot be read, has changed since the
    /// load or is damaged. Does nothing for a rule set compiled from sources. `examples`,
    /// `compiledBytes()` and explanations do this themselves on first use.
    public func loadExamplesAndConditions() throws(CompiledRulesError) {
        if case .deferred(let d) = holding { try d.ensureColdChecked() }
    }

    /// Loads a compiled file held in memory and checks its cold part at once: every check a
    /// load made before the cold part was deferred (the C API's load, which documents that a
    /// damaged file is refused by the load).
    package static func loadChecked(compiled bytes: UnsafeRawBufferPointer) throws(CompiledRulesError) -> RuleSet {
        let rules = try load(compiled: bytes)
        try rules.loadExamplesAndConditions()
        return rules
    }

    /// Reads the whole compiled file at `path`, closes it, and loads it with its cold part
    /// checked at once: the rule set keeps no reference to the file (the C API's file load).
    package static func loadChecked(compiledPath path: String) throws(CompiledRulesError) -> RuleSet {
        let storage = try CompiledStorage.read(path: path, whole: true)
        do throws(CompiledRulesError) {
            let rules = try RuleSetReader.read(storage)
            try rules.loadExamplesAndConditions()
            return rules
        } catch {
            throw CompiledRulesError(error.kind, "\(path): \(error.message)")
        }
    }

    /// Loads a compiled file held in memory. The bytes are copied once into an aligned buffer
    /// that the rule set owns; the caller's buffer is not referenced after the call.
    public static func load(compiled bytes: UnsafeRawBufferPointer) throws(CompiledRulesError) -> RuleSet {
        guard let storage = CompiledStorage(copying: bytes) else { throw CompiledRulesError(.io, "out of memory loading compiled rules") }
        return try RuleSetReader.read(storage)
    }

    /// Loads a compiled file held in an array; see `load(compiled:)` on a buffer.
    public static func load(compiled bytes: [UInt8]) throws(CompiledRulesError) -> RuleSet {
        let result = bytes.withUnsafeBytes { b in Result { () throws(CompiledRulesError) -> RuleSet in try load(compiled: b) } }
        return try result.get()
    }

    /// Loads a compiled file from disk: its header and payload, not its cold part (examples and
    /// conditions), which the first use of them reads from the file again (by its absolute
    /// path) and checks against the header loaded here. A refused file's message starts with
    /// its path.
    public static func load(compiledPath path: String) throws(CompiledRulesError) -> RuleSet {
        let storage = try CompiledStorage.read(path: path)
        do throws(CompiledRulesError) {
            return try RuleSetReader.read(storage, path: path)
        } catch {
            throw CompiledRulesError(error.kind, "\(path): \(error.message)")
        }
    }

    /// Whether the file at `path` is a compiled rule file (it starts with the magic bytes).
    public static func isCompiledFile(path: String) -> Bool {
        let fd = open(path, O_RDONLY | O_CLOEXEC)
        if fd < 0 { return false }
        defer { close(fd) }
        var head = [UInt8](repeating: 0, count: CompiledFormat.magic.count)
        let n = head.withUnsafeMutableBytes { Glibc.read(fd, $0.baseAddress, $0.count) }
        return n == head.count && head == CompiledFormat.magic
    }

    /// Writes the compiled file to `path`. A regular file (or a new one) is written through a
    /// temporary file renamed over it, so that a reader never sees half a file; anything else
    /// that exists (a device, a pipe) is written in place, never replaced.
    public func writeCompiled(to path: String) throws(CompiledRulesError) {
        let bytes = try compiledBytes()
        var info = stat()
        let replace = stat(path, &info) != 0 || (info.st_mode & S_IFMT) == S_IFREG
        let temporary = replace ? path + ".tmp\(getpid())" : path
        let fd = open(temporary, O_WRONLY | O_CREAT | O_TRUNC | O_CLOEXEC, 0o644)
        if fd < 0 { throw CompiledRulesError(.io, "cannot write \(path): \(String(cString: strerror(errno)))") }
        var offset = 0
        var failure: Int32 = 0
        bytes.withUnsafeBytes { raw in
            while offset < raw.count {
                let n = write(fd, raw.baseAddress! + offset, raw.count - offset)
                if n < 0 { if errno == EINTR { continue }; failure = errno; return }
                offset += n
            }
        }
        if close(fd) != 0 && failure == 0 { failure = errno }
        if failure == 0 && replace && rename(temporary, path) != 0 { failure = errno }
        if failure != 0 {
            if replace { unlink(temporary) }
            throw CompiledRulesError(.io, "cannot write \(path): \(String(cString: strerror(failure)))")
        }
    }
}

/// What a rule set holds, as `invigil inspect` reports it.
public struct CompiledSummary: Sendable {
    /// One of the rule set's automata: the plain one, or one per normalisation mode in use.
    public struct AutomatonSummary: Sendable {
        /// `plain`, or the normalisation modes.
        public var mode: String
        /// Phrases in it.
        public var patterns: Int
        /// Its states.
        public var states: Int
        /// States with a full transition row.
        public var denseStates: Int
        /// Byte classes (columns of a dense row).
        public var classes: Int
        /// Bytes of its tables in memory.
        public var tableBytes: Int
    }

    /// Phrase lists in the rule set.
    public var phraseLists: Int
    /// Phrases across them.
    public var phrases: Int
    /// Host lists in the rule set.
    public var hostLists: Int
    /// Hosts across them.
    public var hosts: Int
    /// The automata, the plain one first.
    public var automata: [AutomatonSummary]
    /// The rule files the set was compiled from.
    public var sources: [String]
}

extension RuleSet {
    /// What the rule set holds, as `invigil inspect` reports it.
    public var compiledSummary: CompiledSummary {
        func summary(_ mode: NormalizeMode, _ a: Automaton) -> CompiledSummary.AutomatonSummary {
            .init(
                mode: mode.description, patterns: a.patternCount, states: a.stateCount, denseStates: a.denseStateCount, classes: a.classCount,
                tableBytes: a.memoryBytes)
        }
        let model = schemaModel
        return CompiledSummary(
            phraseLists: model.phraseLists.count, phrases: model.phraseLists.reduce(0) { $0 + $1.phraseCount },
            hostLists: model.hostLists.count, hosts: model.hostLists.reduce(0) { $0 + $1.hosts.count },
            automata: [summary(NormalizeMode(), automaton)] + normalizedAutomata.map { summary($0.mode, $0.automaton) },
            sources: model.sources)
    }
}
