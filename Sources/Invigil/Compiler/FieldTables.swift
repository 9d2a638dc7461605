/// The lookups the scanner makes by field: slots by name (as a string and as bytes), groups,
/// kinds, enum values, each pack's school code, and the fields with a fixed meaning.
struct FieldTables {
    var fieldIndex: [String: Int]
    var fieldHash: ByteStringTable
    var groupOfField: [Int32]
    var fieldKinds: [FieldKind]
    var fieldIsList: [Bool]
    var enumTables: [ByteStringTable]
    var enumIndex: [[String: Int32]]
    var packCodes: [[UInt8]?]
    /// The `school` field when it is a string or an enumeration, and the `id` field when it is a
    /// string or text.
    var schoolField: Int?
    var idField: Int?

    init(fields: [FieldInfo], groups: [String], packs: [PackInfo]) {
        var index: [String: Int] = [:]
        for (i, f) in fields.enumerated() { index[f.name] = i }
        fieldIndex = index
        fieldHash = ByteStringTable(fields.map { Array($0.name.utf8) })
        groupOfField = fields.map { f in f.group.flatMap { g in groups.firstIndex(of: g).map(Int32.init) } ?? -1 }
        fieldKinds = fields.map(\.kind)
        fieldIsList = fields.map(\.isList)
        enumTables = fields.map { ByteStringTable($0.enumValues.map { Array($0.utf8) }) }
        packCodes = packs.map { $0.code.map { Array($0.utf8) } }
        enumIndex = fields.map { f in
            var d: [String: Int32] = [:]
            for (i, v) in f.enumValues.enumerated() { d[v] = Int32(i) }
            return d
        }
        schoolField = index["school"].flatMap { fields[$0].kind == .string || fields[$0].kind == .enumeration ? $0 : nil }
        idField = index["id"].flatMap { fields[$0].kind == .string || fields[$0].kind == .text ? $0 : nil }
    }
}
