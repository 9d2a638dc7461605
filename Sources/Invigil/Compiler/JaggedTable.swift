/// Rows of items stored flat: every row's items in one array and where each row starts. A table
/// of many short rows (each rule's support keys, each key's candidate rules) is then two
/// allocations, not one per row, and a compiled file's loader fills it in one pass.
///
/// ```swift
/// let t = JaggedTable(rows: [[1, 2], [], [3]])
/// t.count          // 3
/// Array(t[0])      // [1, 2]
/// t[1].isEmpty     // true
/// ```
struct JaggedTable<Item>: RandomAccessCollection {
    /// The items of every row, row after row.
    private(set) var items: [Item]
    /// Row i is items[starts[i] ..< starts[i + 1]]; count + 1 entries, the first 0.
    private(set) var starts: [Int32]

    init(rows: [[Item]]) {
        var items: [Item] = []
        var starts: [Int32] = [0]
        items.reserveCapacity(rows.reduce(0) { $0 + $1.count })
        starts.reserveCapacity(rows.count + 1)
        for row in rows {
            items += row
            starts.append(Int32(items.count))
        }
        self.items = items
        self.starts = starts
    }

    /// A table from its two arrays, which the caller has checked: `starts` begins at 0, does not
    /// decrease and ends at `items.count`.
    init(items: [Item], starts: [Int32]) {
        self.items = items
        self.starts = starts
    }

    var startIndex: Int { 0 }
    var endIndex: Int { starts.count - 1 }

    /// Row i; its indices are positions in `items` (iterate it, or use its `startIndex`).
    subscript(i: Int) -> ArraySlice<Item> {
        get { items[Int(starts[i])..<Int(starts[i + 1])] }
        set {
            // Replaces row i, moving the rows after it (for building and the tests, not for loads).
            let range = Int(starts[i])..<Int(starts[i + 1])
            items.replaceSubrange(range, with: newValue)
            let delta = Int32(newValue.count - range.count)
            for j in (i + 1)..<starts.count { starts[j] += delta }
        }
    }

    /// The rows as arrays.
    var rows: [[Item]] { map { Array($0) } }
}

extension JaggedTable: Sendable where Item: Sendable {}

extension JaggedTable: Equatable where Item: Equatable {
    static func == (a: JaggedTable, b: JaggedTable) -> Bool { a.starts == b.starts && a.items == b.items }
}
