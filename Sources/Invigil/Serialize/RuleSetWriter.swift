/// Writes a rule set as a compiled file: the header, the payload (one section per part of the
/// model a scan needs and one per automaton), then the cold part (the examples and the
/// conditions) (docs/compiled-format.md).
enum RuleSetWriter {
    static func write(_ rules: RuleSet) throws(CompiledRulesError) -> [UInt8] { try write(rules, tables: rules.tables) }

    /// Writes `rules` with `tables` in its program section (tests write damaged tables this way).
    static func write(_ rules: RuleSet, tables: RuleTables) throws(CompiledRulesError) -> [UInt8] {
        let model = try rules.model
        let files = ModelCoding.fileTable(model)
        var fileIndex: [String: Int] = [:]
        for (i, f) in files.enumerated() where fileIndex[f] == nil { fileIndex[f] = i }

        func section(_ id: CompiledFormat.Section, into part: inout ByteWriter, _ body: (inout ByteWriter) -> Void) {
            var w = ByteWriter()
            body(&w)
            part.u32(id.rawValue)
            part.u32(CompiledFormat.requiredFlag)
            part.u64(UInt64(w.bytes.count))
            part.bytes += w.bytes
            part.align()
        }
        var payload = ByteWriter()
        section(.sources, into: &payload) { ModelCoding.writeSources(model, files, &$0) }
        section(.schema, into: &payload) { ModelCoding.writeSchema(model, &$0) }
        section(.packs, into: &payload) { ModelCoding.writePacks(model, &$0) }
        section(.phraseLists, into: &payload) { ModelCoding.writePhraseLists(model, &$0) }
        section(.hostLists, into: &payload) { ModelCoding.writeHostLists(model, &$0) }
        section(.schedules, into: &payload) { ModelCoding.writeSchedules(model, &$0) }
        section(.rules, into: &payload) { ModelCoding.writeRules(model, fileIndex, &$0) }
        section(.program, into: &payload) { ProgramCoding.write(tables, to: &$0) }
        section(.automaton, into: &payload) { AutomatonCoding.write(rules.automaton, rules.patternEntries, to: &$0) }
        for n in rules.normalizedAutomata {
            section(.normalizedAutomaton, into: &payload) { w in
                w.u8(n.mode.rawValue)
                AutomatonCoding.write(n.automaton, n.patternEntries, to: &w)
            }
        }
        // Section bodies start 16 bytes after an 8-aligned section start, so their tables'
        // alignment (relative to the body) is alignment in the payload.

        // The cold part starts with the tie (the payload's length and checksum), which
        // `file(payload:cold:)` fills in; its sections follow 8-aligned.
        var cold = ByteWriter()
        cold.bytes += [UInt8](repeating: 0, count: CompiledFormat.coldTieLength)
        section(.examples, into: &cold) { ModelCoding.writeExamples(model, fileIndex, &$0) }
        section(.conditions, into: &cold) { ModelCoding.writeConditions(model, &$0) }
        return file(payload: payload.bytes, cold: cold.bytes)
    }

    /// The header for `payload` and `cold` (their lengths and checksums), then the payload, then
    /// the cold part with its first bytes (the tie) set to the payload's length and checksum.
    /// `cold` must be at least the tie's length.
    static func file(payload: [UInt8], cold: [UInt8]) -> [UInt8] {
        let payloadCRC = CRC32C.checksum(payload)
        var cold = cold
        var tie = ByteWriter()
        tie.u64(UInt64(payload.count))
        tie.u32(payloadCRC)
        tie.u32(0)
        for i in 0..<min(tie.bytes.count, cold.count) { cold[i] = tie.bytes[i] }
        var header = ByteWriter()
        header.bytes += CompiledFormat.magic
        header.u32(CompiledFormat.version)
        header.u32(CompiledFormat.byteOrderMark)
        header.u32(CompiledFormat.headerLength)
        header.u32(0)
        header.u64(UInt64(payload.count))
        header.u32(payloadCRC)
        header.u32(0)
        var version = Array(RuleSet.engineVersion.utf8.prefix(CompiledFormat.engineVersionLength))
        version += [UInt8](repeating: 0, count: CompiledFormat.engineVersionLength - version.count)
        header.bytes += version
        header.u64(UInt64(cold.count))
        header.u32(CRC32C.checksum(cold))
        header.u32(0)
        let headerCRC = CRC32C.checksum(header.bytes)
        withUnsafeBytes(of: headerCRC.littleEndian) { crc in
            for i in 0..<4 { header.bytes[CompiledFormat.headerChecksumOffset + i] = crc[i] }
        }
        return header.bytes + payload + cold
    }

    /// `bytes` (a file, perhaps damaged) with its header's lengths and checksums made valid
    /// again for the payload and cold part it holds, split where its header says (or all payload
    /// when the header cannot say): the tests and the fuzz target damage a file's tables this
    /// way and still reach the checks after the checksums. Nil when `bytes` is shorter than a header.
    static func resealed(_ bytes: [UInt8]) -> [UInt8]? {
        let h = CompiledFormat.headerLength
        guard bytes.count >= h else { return nil }
        let body = Array(bytes[h...])
        let stated = bytes.withUnsafeBytes { Int(truncatingIfNeeded: CompiledRulesHeader.u64($0, CompiledFormat.payloadLengthOffset)) }
        let split = stated >= 0 && stated <= body.count - CompiledFormat.coldTieLength ? stated : max(0, body.count - CompiledFormat.coldTieLength)
        let cold = Array(body[split...])
        return file(
            payload: Array(body[..<split]),
            cold: cold.count >= CompiledFormat.coldTieLength ? cold : cold + [UInt8](repeating: 0, count: CompiledFormat.coldTieLength - cold.count))
    }
}
