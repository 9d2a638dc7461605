/// The lookups the scanner makes by field: slots by name (as a string and as bytes), groups,
/// kinds, enum values, each pack's school code, and the fields with a fixed meaning.
struct FieldTables {
    var fieldIndex: FieldNameIndex
    var fieldHash: ByteStringTable
    var groupOfField: [Int32]
    var fieldKinds: [FieldKind]
    var fieldIsList: [Bool]
    var enumTables: [ByteStringTable]
    var packCodes: [[UInt8]?]
    /// The `school` field when it is a string or an enumeration, and the `id` field when it is a
    /// string or text.
    var schoolField: Int?
    var idField: Int?

    /// `names`: the table of the fields' names, when the caller has it.
    init(fields: [FieldInfo], groups: [String], packs: [PackInfo], names: ByteStringTable? = nil) {
        fieldHash = names ?? ByteStringTable(strings: fields.map { $0.name })
        let index = FieldNameIndex(fieldHash)
        fieldIndex = index
        groupOfField = fields.map { f in f.group.flatMap { g in groups.firstIndex(of: g).map(Int32.init) } ?? -1 }
        fieldKinds = fields.map { $0.kind }
        fieldIsList = fields.map { $0.isList }
        enumTables = fields.map { $0.enumValues.isEmpty ? .empty : ByteStringTable(strings: $0.enumValues) }
        packCodes = packs.map { $0.code.map { Array($0.utf8) } }
        schoolField = index["school"].flatMap { fields[$0].kind == .string || fields[$0].kind == .enumeration ? $0 : nil }
        idField = index["id"].flatMap { fields[$0].kind == .string || fields[$0].kind == .text ? $0 : nil }
    }
}

/// Field slots by name, looked up in the table of field names by bytes (`fieldHash`), whose
/// string indices are the slots since field names are unique: a loaded rule set builds no
/// dictionary of names (a String hash per field) for the few look-ups by name it serves.
struct FieldNameIndex: Sendable {
    private let names: ByteStringTable

    init(_ names: ByteStringTable) { self.names = names }

    /// The slot of the field called `name`, or nil.
    subscript(_ name: String) -> Int? {
        if let slot = name.utf8.withContiguousStorageIfAvailable({ names.find($0) }) { return slot }
        return names.find(Array(name.utf8))
    }
}
