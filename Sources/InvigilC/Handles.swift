// The objects behind the C handles, and the checks made on every entry.
//
// A handle is a pointer to a small block {magic, object}: the magic number tells the kind of
// handle and is cleared when the handle is freed, so that a wrong or freed handle (whose memory
// has not been reused) is refused with INVIGIL_ERROR_ARGUMENT instead of being dereferenced.

import CInvigil
import Invigil

#if canImport(Glibc)
import Glibc
#elseif canImport(Musl)
import Musl
#elseif canImport(Darwin)
import Darwin
#endif

struct HandleBlock {
    var magic: UInt64
    var object: UnsafeMutableRawPointer
}

/// Computed, not stored, so that each use is a constant rather than a lazily initialised global.
enum Magic {
    static var rules: UInt64 { 0x4956_4752_554C_4553 }  // "IVGRULES"
    static var scanner: UInt64 { 0x4956_4753_4341_4E52 }  // "IVGSCANR"
    static var error: UInt64 { 0x4956_4745_5252_4F52 }  // "IVGERROR"
    static var errorNode: UInt64 { 0x4956_4745_4E4F_4445 }  // "IVGENODE"
    static var dead: UInt64 { 0x4445_4144_4445_4144 }  // "DEADDEAD"
}

@inline(__always)
func makeHandle(_ object: AnyObject, _ magic: UInt64) -> OpaquePointer {
    let block = UnsafeMutablePointer<HandleBlock>.allocate(capacity: 1)
    block.initialize(to: HandleBlock(magic: magic, object: Unmanaged.passRetained(object).toOpaque()))
    return OpaquePointer(block)
}

@inline(__always)
func handleBlock(_ handle: OpaquePointer?, _ magic: UInt64) -> UnsafeMutablePointer<HandleBlock>? {
    guard let handle else { return nil }
    let raw = UnsafeMutableRawPointer(handle)
    guard Int(bitPattern: raw) & (MemoryLayout<HandleBlock>.alignment - 1) == 0 else { return nil }
    let block = raw.assumingMemoryBound(to: HandleBlock.self)
    guard block.pointee.magic == magic else { return nil }
    return block
}

@inline(__always)
func object<T: AnyObject>(_ handle: OpaquePointer?, _ magic: UInt64, _ type: T.Type) -> T? {
    guard let block = handleBlock(handle, magic) else { return nil }
    return Unmanaged<T>.fromOpaque(block.pointee.object).takeUnretainedValue()
}

/// Clears the magic, releases the object and frees the block.
func destroyHandle<T: AnyObject>(_ block: UnsafeMutablePointer<HandleBlock>, _ type: T.Type) {
    let object = block.pointee.object
    block.pointee.magic = Magic.dead
    block.deinitialize(count: 1)
    block.deallocate()
    Unmanaged<T>.fromOpaque(object).release()
}

/// A malloc'd NUL-terminated copy of a string (NUL bytes inside it end the C string early).
func mallocCString(_ string: String) -> UnsafeMutablePointer<CChar> {
    var s = string
    return s.withUTF8 { utf8 in
        let p = UnsafeMutablePointer<CChar>.allocate(capacity: utf8.count + 1)
        utf8.withMemoryRebound(to: CChar.self) { c in
            if let base = c.baseAddress { p.update(from: base, count: c.count) }
        }
        p[utf8.count] = 0
        return p
    }
}

/// Static text that lives for the whole process.
enum StaticText {
    nonisolated(unsafe) static let empty: UnsafePointer<CChar> = UnsafePointer(mallocCString(""))
    nonisolated(unsafe) static let version: UnsafePointer<CChar> = UnsafePointer(mallocCString(versionString))
    static let versionString = "\(versionMajor).\(versionMinor).\(versionPatch)"
    static let versionMajor: Int32 = 0
    static let versionMinor: Int32 = 1
    static let versionPatch: Int32 = 0
    nonisolated(unsafe) static let statuses: [UnsafePointer<CChar>] = [
        "ok", "invalid argument", "rule syntax error", "invalid rules", "limit exceeded", "I/O error",
        "invalid event field", "malformed event JSON", "out of memory", "scanner in use by another thread",
        "scan interrupted"
    ].map { UnsafePointer(mallocCString($0)) }
    nonisolated(unsafe) static let unknownStatus: UnsafePointer<CChar> = UnsafePointer(mallocCString("unknown status"))
}

// MARK: - Rules

/// A compiled rule set plus the C strings that findings point at, all made at compile time.
final class RulesBox: @unchecked Sendable {
    let rules: RuleSet
    /// Set by invigil_rules_free; scanners that outlive the rules check it. Reading it while
    /// another thread frees the rules is the caller's data race, as documented.
    var freed = false
    /// The handle block, while the rules are not freed.
    var handle: OpaquePointer?
    /// Random, non-zero: the high half of this rule set's field ids (FieldHandles.swift).
    let tag = UInt32.random(in: 1...UInt32.max)

    private let pool: UnsafeMutablePointer<CChar>
    /// Per rule: name, clauses, severity, action, message.
    let ruleStrings: [UnsafePointer<CChar>]
    let fieldNames: [UnsafePointer<CChar>]
    let matcherNames: [UnsafePointer<CChar>]
    /// Per field: its enum values (empty for other kinds), pointer and length.
    let enumValues: [[(UnsafePointer<CChar>, Int)]]

    init(rules: RuleSet) {
        self.rules = rules
        var bytes: [UInt8] = []
        func add(_ s: String) -> Int {
            let offset = bytes.count
            bytes.append(contentsOf: s.utf8)
            bytes.append(0)
            return offset
        }
        var ruleOffsets: [Int] = []
        ruleOffsets.reserveCapacity(rules.rules.count * 5)
        for r in rules.rules {
            ruleOffsets.append(add(r.name))
            ruleOffsets.append(add(r.clauses.joined(separator: ",")))
            ruleOffsets.append(add(r.severity.name))
            ruleOffsets.append(add(r.action))
            ruleOffsets.append(add(r.message))
        }
        let fieldOffsets = rules.fields.map { add($0.name) }
        let matcherOffsets = rules.matcherNames.map { add($0) }
        let enumOffsets = rules.fields.map { f in f.enumValues.map { (add($0), $0.utf8.count) } }
        let storage = UnsafeMutablePointer<CChar>.allocate(capacity: max(1, bytes.count))
        bytes.withUnsafeBufferPointer { b in
            b.withMemoryRebound(to: CChar.self) { c in
                if let base = c.baseAddress { storage.update(from: base, count: c.count) }
            }
        }
        pool = storage
        let base = UnsafePointer(storage)
        ruleStrings = ruleOffsets.map { base + $0 }
        fieldNames = fieldOffsets.map { base + $0 }
        matcherNames = matcherOffsets.map { base + $0 }
        enumValues = enumOffsets.map { values in values.map { (base + $0.0, $0.1) } }
    }

    deinit { pool.deallocate() }

    func describe(rule r: Int, into out: UnsafeMutablePointer<invigil_finding>, matchCount: Int) {
        let info = rules.rules[r]
        out.pointee = invigil_finding(
            rule: ruleStrings[r * 5], clauses: ruleStrings[r * 5 + 1], severity: ruleStrings[r * 5 + 2],
            level: Int32(info.severity.rawValue), action: ruleStrings[r * 5 + 3], message: ruleStrings[r * 5 + 4],
            match_count: matchCount, rule_index: r)
    }
}

// MARK: - Scanner

final class ScannerBox {
    let owner: RulesBox
    let scanner: Scanner
    // The two below are touched only by the thread that holds the scanner (`tryEnter`), so
    // their run-time exclusivity checks, two per call, are left out.
    @exclusivity(unchecked) var lastError: UnsafeMutablePointer<CChar>?
    /// Whether the current call set `lastError` (see ScannerGuard.swift: a failing call that did
    /// not gets its status's text, a successful call clears it).
    @exclusivity(unchecked) var failedThisCall = false
    /// The field names this scanner was last given, and their slots.
    let fieldNames = RecentFieldNames()
    /// Two atomic ints (ivg_atomic.h): [0] the in-use state (0 free, -1 one writer, n > 0 n
    /// readers), [1] the interrupt request. See ScannerGuard.swift.
    let shared: UnsafeMutablePointer<Int32>

    init(owner: RulesBox) {
        self.owner = owner
        scanner = Scanner(rules: owner.rules)
        shared = UnsafeMutablePointer<Int32>.allocate(capacity: 2)
        shared.initialize(repeating: 0, count: 2)
        let interrupt = shared + 1
        scanner.interruptCheck = { ivg_atomic_load(interrupt) != 0 }
    }

    deinit {
        lastError?.deallocate()
        shared.deallocate()
    }

    func fail(_ status: invigil_status, _ message: String) -> invigil_status {
        lastError?.deallocate()
        lastError = mallocCString(message)
        failedThisCall = true
        return status
    }
}

/// The live scanner behind a handle, or nil when the handle is bad or its rules were freed.
@inline(__always)
func liveScanner(_ handle: OpaquePointer?) -> ScannerBox? {
    guard let box = object(handle, Magic.scanner, ScannerBox.self), !box.owner.freed else { return nil }
    return box
}

// MARK: - Errors

/// One problem of an error chain. The head of a chain owns the handles of the nodes after it.
final class ErrorNode {
    let status: invigil_status
    let message: UnsafeMutablePointer<CChar>
    let source: UnsafeMutablePointer<CChar>
    let text: UnsafeMutablePointer<CChar>
    let line: UInt32
    let column: UInt32
    let offset: Int
    var next: OpaquePointer?
    var count = 1

    init(
        status: invigil_status, message: String, source: String = "", line: Int = 0, column: Int = 0,
        offset: Int = -1, text: String? = nil
    ) {
        self.status = status
        self.message = mallocCString(message)
        self.source = mallocCString(source)
        self.text = mallocCString(text ?? message)
        self.line = UInt32(clamping: max(0, line))
        self.column = UInt32(clamping: max(0, column))
        self.offset = offset
    }

    deinit {
        message.deallocate()
        source.deallocate()
        text.deallocate()
    }
}

/// Makes the handle of an error chain from its problems (at least one).
func makeError(_ nodes: [ErrorNode]) -> OpaquePointer? {
    guard let first = nodes.first else { return nil }
    var nextHandle: OpaquePointer? = nil
    for node in nodes.dropFirst().reversed() {
        node.next = nextHandle
        nextHandle = makeHandle(node, Magic.errorNode)
    }
    first.next = nextHandle
    first.count = nodes.count
    return makeHandle(first, Magic.error)
}

func makeError(_ status: invigil_status, _ message: String) -> OpaquePointer? {
    makeError([ErrorNode(status: status, message: message)])
}

@inline(__always)
func errorNode(_ handle: OpaquePointer?) -> ErrorNode? {
    object(handle, Magic.error, ErrorNode.self) ?? object(handle, Magic.errorNode, ErrorNode.self)
}

// MARK: - Status mapping

func status(of kind: Diagnostic.Kind) -> invigil_status {
    switch kind {
    case .syntax: return INVIGIL_ERROR_SYNTAX
    case .rules: return INVIGIL_ERROR_RULES
    case .limit: return INVIGIL_ERROR_LIMIT
    case .io: return INVIGIL_ERROR_IO
    }
}

func status(of error: FieldError) -> invigil_status {
    switch error {
    case .unknownField, .wrongType, .invalidUTF8: return INVIGIL_ERROR_FIELD
    case .tooLarge: return INVIGIL_ERROR_LIMIT
    }
}

/// An error chain from a rule set that did not compile.
func makeError(_ error: RuleSetError) -> OpaquePointer? {
    let overall = status(of: error.kind)
    var nodes = error.diagnostics.map { d in
        ErrorNode(
            status: overall, message: d.message, source: d.location.file, line: d.location.line,
            column: d.location.column, text: d.description)
    }
    if nodes.isEmpty { nodes = [ErrorNode(status: overall, message: "the rules did not compile")] }
    // The head's text is every problem.
    let all = error.diagnostics.map(\.description).joined(separator: "\n")
    let head = nodes[0]
    nodes[0] = ErrorNode(
        status: overall, message: String(cString: head.message), source: String(cString: head.source),
        line: Int(head.line), column: Int(head.column), text: all.isEmpty ? nil : all)
    return makeError(nodes)
}

/// An error for an event, with line and column computed in the JSON text.
func makeEventError(_ error: EventError, _ status: invigil_status, json: UnsafeBufferPointer<UInt8>) -> ErrorNode {
    let offset = min(max(0, error.offset), json.count)
    var line = 1
    var lineStart = 0
    for i in 0..<offset where json[i] == 0x0A {
        line += 1
        lineStart = i + 1
    }
    let column = offset - lineStart + 1
    return ErrorNode(
        status: status, message: error.message, line: line, column: column, offset: offset,
        text: "\(line):\(column): error: \(error.message)")
}

/// One status per kind of problem on every path: a limit is INVIGIL_ERROR_LIMIT from scan_json as
/// from the setters.
func eventStatus(_ error: EventError) -> invigil_status {
    error.isLimit ? INVIGIL_ERROR_LIMIT : error.isSyntax ? INVIGIL_ERROR_EVENT : INVIGIL_ERROR_FIELD
}
