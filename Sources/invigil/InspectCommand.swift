#if canImport(Glibc)
import Glibc
#endif
import Invigil

/// `invigil inspect FILE`: the header of a compiled rule file (format and engine versions,
/// sizes, checksum) and what it holds (packs, rules, phrases, automata). Exit status 0 when the
/// file loads, 2 when it is refused (one message on standard error).
func runInspect(_ arguments: [String]) throws(UsageError) -> Int32 {
    let options = try Options(arguments, valued: [], flags: [])
    guard options.positional.count == 1 else { throw UsageError("usage: invigil inspect FILE") }
    let path = options.positional[0]
    let bytes: [UInt8]
    switch readWholeFile(path) {
    case .success(let b): bytes = b
    case .failure(let e): throw UsageError(e.message, status: 2)
    }
    let header: CompiledRulesHeader
    do {
        header = try bytes.withUnsafeBytes { b in Result { () throws(CompiledRulesError) in try CompiledRulesHeader(b) } }.get()
    } catch {
        throw UsageError("\(path): \(error.message)", status: 2)
    }
    let checksumOK = (try? bytes.withUnsafeBytes { b in Result { () throws(CompiledRulesError) in try header.verifyPayload(b) } }.get()) != nil
    print("file:             \(path) (\(header.fileLength) bytes)")
    print("format version:   \(header.formatVersion)")
    print("engine version:   \(header.engineVersion)")
    print("byte order:       little-endian")
    print(
        "payload:          \(header.payloadLength) bytes, CRC-32C \(hexChecksum(header.payloadChecksum)) (\(checksumOK ? "valid" : "does not match"))"
    )
    let coldOK =
        (try? bytes.withUnsafeBytes { b in
            Result { () throws(CompiledRulesError) in
                try header.verifyCold(UnsafeRawBufferPointer(rebasing: b[header.coldOffset..<(header.coldOffset + header.coldLength)]))
            }
        }.get()) != nil
    print(
        "cold part:        \(header.coldLength) bytes (examples, conditions), CRC-32C \(hexChecksum(header.coldChecksum)) (\(coldOK ? "valid" : "does not match"))"
    )
    let rules: RuleSet
    let exampleCount: Int
    do {
        rules = try RuleSet.load(compiled: bytes)
        exampleCount = try rules.examples.count
    } catch {
        throw UsageError("\(path): \(error.message)", status: 2)
    }
    let packs = rules.packs.map { p in p.code.map { "\(p.name) (\($0))" } ?? p.name }.joined(separator: ", ")
    print("packs:            \(rules.packs.count): \(packs)")
    print("rules:            \(rules.rules.count), \(exampleCount) examples, \(rules.instructionCount) instructions")
    print("fields:           \(rules.fields.count)")
    let summary = rules.compiledSummary
    print("phrase lists:     \(summary.phraseLists), \(summary.phrases) phrases")
    print("host lists:       \(summary.hostLists), \(summary.hosts) hosts")
    for a in summary.automata {
        let layout = a.denseStates == a.states ? "dense" : "hybrid (\(a.denseStates) dense states)"
        print("automaton:        \(a.mode): \(a.patterns) patterns, \(a.states) states, \(a.classes) classes, \(layout)")
    }
    print("sources:          \(summary.sources.count) file\(summary.sources.count == 1 ? "" : "s")")
    for s in summary.sources { print("  \(s)") }
    return 0
}

func hexChecksum(_ v: UInt32) -> String {
    let digits = String(v, radix: 16)
    return "0x" + String(repeating: "0", count: max(0, 8 - digits.count)) + digits
}

struct FileReadError: Error { var message: String }

func readWholeFile(_ path: String) -> Result<[UInt8], FileReadError> {
    FileSystem.readWholeFile(path).mapError { FileReadError(message: "cannot read \(path): \($0.reason)") }
}
