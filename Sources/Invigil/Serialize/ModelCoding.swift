#if canImport(InvigilSIMD)
import InvigilSIMD
#endif

/// The encoding of a rule set's model (docs/compiled-format.md): one function pair per section,
/// writing and reading the same fields in the same order. Readers check every index against
/// what the sections before them defined.
enum ModelCoding {
    static let kinds: [FieldKind] = [.string, .text, .bool, .int, .time, .enumeration]

    // MARK: sources

    /// File names: the sources, then any other file a location names.
    static func fileTable(_ model: RuleSet.Model) -> [String] {
        var files = model.sources
        var index: [String: Int] = [:]
        for (i, f) in files.enumerated() where index[f] == nil { index[f] = i }
        for location in model.rules.map(\.info.location) + model.examples.map(\.location) where index[location.file] == nil {
            index[location.file] = files.count
            files.append(location.file)
        }
        return files
    }

    static func writeSources(_ model: RuleSet.Model, _ files: [String], _ w: inout ByteWriter) {
        w.u32(model.sources.count)
        w.strings(files)
    }

    static func readSources(_ r: inout ByteReader) throws(CompiledRulesError) -> (sources: [String], files: [String]) {
        let sourceCount = Int(try r.u32("count of sources"))
        let files = try r.strings("file name")
        guard sourceCount <= files.count else { throw r.corrupted("\(sourceCount) sources but \(files.count) file names") }
        return (Array(files[0..<sourceCount]), files)
    }

    static func writeLocation(_ l: SourceLocation, _ fileIndex: [String: Int], _ w: inout ByteWriter) {
        w.u32(fileIndex[l.file] ?? 0)
        w.u32(l.line)
        w.u32(l.column)
    }

    static func readLocation(_ r: inout ByteReader, _ files: [String]) throws(CompiledRulesError) -> SourceLocation {
        let f = try r.index(files.count, "file name")
        let line = Int(try r.u32("line"))
        let column = Int(try r.u32("column"))
        return SourceLocation(file: files[f], line: line, column: column)
    }

    /// Checks what `readLocation` reads, without building it.
    @inline(__always)
    static func checkLocation(_ r: inout ByteReader, _ files: [String]) throws(CompiledRulesError) {
        _ = try r.index(files.count, "file name")
        _ = try r.u32("line")
        _ = try r.u32("column")
    }

    // MARK: schema

    static func writeSchema(_ model: RuleSet.Model, _ w: inout ByteWriter) {
        w.strings(model.groups)
        w.u32(model.fields.count)
        for f in model.fields {
            w.string(f.name)
            w.u8(UInt8(kinds.firstIndex(of: f.kind)!))
            w.bool(f.isList)
            w.strings(f.enumValues)
            w.optionalString(f.group)
        }
    }

    /// The groups and fields, and the table of the fields' names (which checks that they are
    /// unique, and which the rule set keeps for its look-ups by name).
    static func readSchema(_ r: inout ByteReader) throws(CompiledRulesError) -> (
        groups: [String], fields: [FieldInfo], names: ByteStringTable
    ) {
        let groups = try r.strings("group")
        let n = try r.count("fields", minimumBytes: 11)
        var fields: [FieldInfo] = []
        fields.reserveCapacity(n)
        for _ in 0..<n {
            let name = try r.string("field name")
            let kind = kinds[try r.smallIndex(kinds.count, "field kind")]
            let isList = try r.bool("list flag")
            let values = try r.strings("enum value")
            let group = try r.optionalString("field group")
            if let group, !groups.contains(group) { throw r.corrupted("field '\(name)' is in undeclared group '\(group)'") }
            fields.append(FieldInfo(name: name, kind: kind, isList: isList, enumValues: values, group: group))
        }
        // Names unique: the byte-string table keeps one of each (cheaper than a set of Strings,
        // which hashes each with a seeded hasher); the slow search only names the repeated one.
        let names = ByteStringTable(strings: fields.map { $0.name })
        if names.count != n {
            for i in 1..<n where fields[..<i].contains(where: { $0.name == fields[i].name }) {
                throw r.corrupted("field '\(fields[i].name)' declared twice")
            }
        }
        return (groups, fields, names)
    }

    // MARK: packs

    static func writePacks(_ model: RuleSet.Model, _ w: inout ByteWriter) {
        w.u32(model.packs.count)
        for p in model.packs {
            w.string(p.name)
            w.optionalString(p.code)
            w.string(p.title)
            w.string(p.source)
            w.string(p.timezone)
        }
    }

    static func readPacks(_ r: inout ByteReader) throws(CompiledRulesError) -> [PackInfo] {
        let n = try r.count("packs", minimumBytes: 17)
        var packs: [PackInfo] = []
        for _ in 0..<n {
            packs.append(
                PackInfo(
                    name: try r.string("pack name"), code: try r.optionalString("school code"),
                    title: try r.string("pack title"), source: try r.string("pack source"),
                    timezone: try r.string("pack time zone")))
        }
        return packs
    }

    // MARK: lists

    static func writePhraseLists(_ model: RuleSet.Model, _ w: inout ByteWriter) {
        w.u32(model.phraseLists.count)
        for l in model.phraseLists {
            w.string(l.name)
            w.bool(l.wholeWord)
            w.bool(l.caseSensitive)
            w.u8(l.normalize.rawValue)
            w.u32(l.phraseCount)
        }
    }

    /// The modes the normaliser knows.
    static let knownModes: UInt8 = 0x0F

    static func readPhraseLists(_ r: inout ByteReader) throws(CompiledRulesError) -> [PhraseListInfo] {
        let n = try r.count("phrase lists", minimumBytes: 11)
        var lists: [PhraseListInfo] = []
        for _ in 0..<n {
            let name = try r.string("phrase list name")
            let wholeWord = try r.bool("whole-word flag")
            let caseSensitive = try r.bool("case flag")
            let mode = try r.u8("normalisation modes")
            guard mode & ~knownModes == 0 else { throw r.corrupted("unknown normalisation modes \(mode) of list '\(name)'") }
            let count = Int(try r.u32("phrase count"))
            lists.append(
                PhraseListInfo(
                    name: name, wholeWord: wholeWord, caseSensitive: caseSensitive,
                    normalize: NormalizeMode(rawValue: mode), phraseCount: count))
        }
        return lists
    }

    static func writeHostLists(_ model: RuleSet.Model, _ w: inout ByteWriter) {
        w.u32(model.hostLists.count)
        for l in model.hostLists {
            w.string(l.name)
            w.u32(l.hosts.count)
            for h in l.hosts { w.data(h) }
        }
    }

    static func readHostLists(_ r: inout ByteReader) throws(CompiledRulesError) -> [HostList] {
        let n = try r.count("host lists", minimumBytes: 8)
        var lists: [HostList] = []
        for _ in 0..<n {
            let name = try r.string("host list name")
            let m = try r.count("hosts", minimumBytes: 4)
            var hosts: [[UInt8]] = []
            hosts.reserveCapacity(m)
            for _ in 0..<m { hosts.append(try r.data("host")) }
            lists.append(HostList(name: name, hosts: hosts))
        }
        return lists
    }

    // MARK: schedules

    static func writeSchedules(_ model: RuleSet.Model, _ w: inout ByteWriter) {
        w.u32(model.schedules.count)
        for s in model.schedules {
            w.string(s.name)
            w.u32(s.lines.count)
            for line in s.lines {
                w.u8(line.dayMask)
                w.u32(line.ranges.count)
                for range in line.ranges { w.u32(range.start); w.u32(range.end) }
            }
        }
    }

    static func readSchedules(_ r: inout ByteReader) throws(CompiledRulesError) -> [Schedule] {
        let n = try r.count("schedules", minimumBytes: 8)
        var schedules: [Schedule] = []
        for _ in 0..<n {
            let name = try r.string("schedule name")
            let m = try r.count("schedule lines", minimumBytes: 5)
            var lines: [ScheduleLine] = []
            for _ in 0..<m {
                let mask = try r.u8("day mask")
                let k = try r.count("time ranges", minimumBytes: 8)
                var ranges: [(start: Int, end: Int)] = []
                for _ in 0..<k {
                    let start = Int(try r.u32("range start")), end = Int(try r.u32("range end"))
                    guard start <= end, end <= 24 * 60 else { throw r.corrupted("time range \(start)–\(end) of schedule '\(name)'") }
                    ranges.append((start, end))
                }
                lines.append(ScheduleLine(dayMask: mask, ranges: ranges))
            }
            schedules.append(Schedule(name: name, lines: lines))
        }
        return schedules
    }

    // MARK: rules and examples

    static func writeRules(_ model: RuleSet.Model, _ fileIndex: [String: Int], _ w: inout ByteWriter) {
        w.u32(model.rules.count)
        for rule in model.rules {
            let i = rule.info
            w.string(i.name)
            w.u32(rule.pack)
            w.strings(i.clauses)
            w.u8(UInt8(i.severity.rawValue))
            w.string(i.action)
            w.string(i.message)
            writeLocation(i.location, fileIndex, &w)
        }
    }

    /// The conditions section (in the cold part): every rule's condition, in rule order.
    static func writeConditions(_ model: RuleSet.Model, _ w: inout ByteWriter) {
        w.u32(model.rules.count)
        for rule in model.rules { ConditionCoding.write(rule.condition, to: &w) }
    }

    /// What the loader reads of the rules section: where each rule's record starts, and each
    /// rule's pack. The descriptions are checked, not built.
    struct CheckedRules {
        var starts: [Int]
        var packs: [Int32]
    }

    /// Checks the rules section as `readRuleInfo` reads it, building nothing but each rule's
    /// pack and offset: names, clauses, actions and messages are checked as UTF-8 in place and
    /// decoded on first use (`DeferredModel`).
    static func checkRules(_ r: inout ByteReader, packs: [PackInfo], files: [String]) throws(CompiledRulesError) -> CheckedRules {
        let n = try r.count("rules", minimumBytes: 30)
        var checked = CheckedRules(starts: [], packs: [])
        checked.starts.reserveCapacity(n)
        checked.packs.reserveCapacity(n)
        for _ in 0..<n {
            #if canImport(InvigilSIMD)
            // The next rules' lines (a rule's record is a few hundred bytes), requested while
            // this one is checked: the walk from record to record otherwise waits on each.
            ivg_prefetch_256(r.base + (r.offset &+ 1024))
            #endif
            checked.starts.append(r.offset)
            try r.skipString("rule name")
            let pack = try r.index(packs.count, "pack")
            let clauses = try r.count("clause", minimumBytes: 4)
            for _ in 0..<clauses { try r.skipString("clause") }
            _ = try r.smallIndex(Severity.allCases.count, "severity")
            try r.skipString("action")
            try r.skipString("message")
            try checkLocation(&r, files)
            checked.packs.append(Int32(pack))
        }
        return checked
    }

    /// Checks the conditions section (`ruleCount` conditions, as `ConditionCoding.read` reads
    /// them, each key a condition tests one of the program's) and returns where each starts.
    static func checkConditions(_ r: inout ByteReader, ruleCount: Int, scope: ConditionCoding.Scope) throws(CompiledRulesError) -> [Int] {
        let n = try r.count("conditions", minimumBytes: 2)
        guard n == ruleCount else { throw r.corrupted("\(n) conditions for \(ruleCount) rules") }
        var starts: [Int] = []
        starts.reserveCapacity(n)
        let quick = ConditionQuickCheck(scope)
        for _ in 0..<n {
            starts.append(r.offset)
            // The precise reader only for what the fast path does not certainly accept: it
            // throws with the message naming what is wrong.
            if !quick.accepts(r.base, end: r.end, offset: &r.offset) { try ConditionCoding.check(&r, scope) }
        }
        return starts
    }

    /// One rule's description, read from the start of its record: what `checkRules` checked
    /// there, built.
    static func readRuleInfo(_ r: inout ByteReader, packs: [PackInfo], files: [String]) throws(CompiledRulesError) -> RuleInfo {
        let name = try r.string("rule name")
        let pack = try r.index(packs.count, "pack")
        let clauses = try r.strings("clause")
        let severity = Severity(rawValue: try r.smallIndex(Severity.allCases.count, "severity"))!
        let action = try r.string("action")
        let message = try r.string("message")
        let location = try readLocation(&r, files)
        return RuleInfo(
            name: name, pack: packs[pack].name, clauses: clauses, severity: severity,
            action: action, message: message, location: location)
    }

    static func writeExamples(_ model: RuleSet.Model, _ fileIndex: [String: Int], _ w: inout ByteWriter) {
        w.u32(model.examples.count)
        for e in model.examples {
            w.u32(e.rule)
            w.bool(e.expectFlag)
            w.data(e.json)
            writeLocation(e.location, fileIndex, &w)
        }
    }

    /// Checks the examples as `readExamples(build: false)` does, in one loop over raw bytes (an
    /// example is a rule, a flag, the event's length and bytes, and a location); on anything it
    /// does not certainly accept, that precise reader runs from the start and throws the message.
    static func checkExamples(_ r: inout ByteReader, ruleCount: Int, files: [String]) throws(CompiledRulesError) {
        let start = r.offset
        let fileCount = files.count
        let base = r.base, end = r.end
        var p = start
        @inline(__always) func u32(_ at: Int) -> Int { Int(UInt32(littleEndian: base.loadUnaligned(fromByteOffset: at, as: UInt32.self))) }
        var accepted = false
        if end - p >= 4 {
            let n = u32(p)
            p += 4
            var i = 0
            if n <= (end - p) / 21 {
                while i < n {
                    #if canImport(InvigilSIMD)
                    // The next records' lines, requested while this one is checked.
                    ivg_prefetch_256(base + (p &+ 1024))
                    #endif
                    guard end - p >= 21 else { break }
                    let rule = u32(p), flag = base.load(fromByteOffset: p + 4, as: UInt8.self), length = u32(p + 5)
                    guard rule < ruleCount, flag <= 1, length <= end - p - 21 else { break }
                    p += 9 + length
                    guard u32(p) < fileCount else { break }
                    p += 12
                    i += 1
                }
                accepted = i == n
            }
        }
        if accepted {
            r.offset = p
        } else {
            _ = try readExamples(&r, ruleCount: ruleCount, files: files, build: false)
        }
    }

    /// The examples, or when not `build` only their check (nothing is allocated): the loader
    /// checks them and `DeferredModel` reads them on first use, through the same function.
    static func readExamples(_ r: inout ByteReader, ruleCount: Int, files: [String], build: Bool = true) throws(CompiledRulesError)
        -> [RuleExample]
    {
        let n = try r.count("examples", minimumBytes: 21)
        var examples: [RuleExample] = []
        if build { examples.reserveCapacity(n) }
        for _ in 0..<n {
            let rule = try r.index(ruleCount, "rule")
            let expectFlag = try r.bool("expectation")
            if build {
                let json = try r.data("example event")
                examples.append(RuleExample(rule: rule, expectFlag: expectFlag, json: json, location: try readLocation(&r, files)))
            } else {
                try r.skipData("example event")
                try checkLocation(&r, files)
            }
        }
        return examples
    }
}
