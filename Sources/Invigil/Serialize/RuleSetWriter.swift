/// Writes a rule set as a compiled file: the header, then one section per part of the model
/// and one per automaton (docs/compiled-format.md).
enum RuleSetWriter {
    static func write(_ rules: RuleSet) -> [UInt8] { write(rules, tables: rules.tables) }

    /// Writes `rules` with `tables` in its program section (tests write damaged tables this way).
    static func write(_ rules: RuleSet, tables: RuleTables) -> [UInt8] {
        let model = rules.model
        let files = ModelCoding.fileTable(model)
        var fileIndex: [String: Int] = [:]
        for (i, f) in files.enumerated() where fileIndex[f] == nil { fileIndex[f] = i }

        var payload = ByteWriter()
        func section(_ id: CompiledFormat.Section, _ body: (inout ByteWriter) -> Void) {
            var w = ByteWriter()
            body(&w)
            payload.u32(id.rawValue)
            payload.u32(CompiledFormat.requiredFlag)
            payload.u64(UInt64(w.bytes.count))
            payload.bytes += w.bytes
            payload.align()
        }
        section(.sources) { ModelCoding.writeSources(model, files, &$0) }
        section(.schema) { ModelCoding.writeSchema(model, &$0) }
        section(.packs) { ModelCoding.writePacks(model, &$0) }
        section(.phraseLists) { ModelCoding.writePhraseLists(model, &$0) }
        section(.hostLists) { ModelCoding.writeHostLists(model, &$0) }
        section(.schedules) { ModelCoding.writeSchedules(model, &$0) }
        section(.rules) { ModelCoding.writeRules(model, fileIndex, &$0) }
        section(.examples) { ModelCoding.writeExamples(model, fileIndex, &$0) }
        section(.program) { ProgramCoding.write(tables, to: &$0) }
        section(.automaton) { AutomatonCoding.write(rules.automaton, rules.patternEntries, to: &$0) }
        for n in rules.normalizedAutomata {
            section(.normalizedAutomaton) { w in
                w.u8(n.mode.rawValue)
                AutomatonCoding.write(n.automaton, n.patternEntries, to: &w)
            }
        }
        // Section bodies start 16 bytes after an 8-aligned section start, so their tables'
        // alignment (relative to the body) is alignment in the payload.

        return file(payload: payload.bytes)
    }

    /// The header for `payload` (its length and checksums), then the payload.
    static func file(payload: [UInt8]) -> [UInt8] {
        var header = ByteWriter()
        header.bytes += CompiledFormat.magic
        header.u32(CompiledFormat.version)
        header.u32(CompiledFormat.byteOrderMark)
        header.u32(CompiledFormat.headerLength)
        header.u32(0)
        header.u64(UInt64(payload.count))
        header.u32(CRC32C.checksum(payload))
        header.u32(0)
        var version = Array(RuleSet.engineVersion.utf8.prefix(CompiledFormat.engineVersionLength))
        version += [UInt8](repeating: 0, count: CompiledFormat.engineVersionLength - version.count)
        header.bytes += version
        let headerCRC = CRC32C.checksum(header.bytes)
        withUnsafeBytes(of: headerCRC.littleEndian) { crc in
            for i in 0..<4 { header.bytes[CompiledFormat.headerChecksumOffset + i] = crc[i] }
        }
        return header.bytes + payload
    }
}
