#if canImport(Glibc)
import Glibc
#endif

/// The event schema's field names as a tree of their dotted segments (`recipients` → `role`), so
/// that the JSON reader finds a key's field from the object it is in and the key alone.
///
/// The reader used to append each key to the dotted path of the keys around it and look the
/// whole path up among the field names: a copy and a hash of the full path for every value of
/// every event. Here a key is hashed alone, with the node of the object it is in, and a key that
/// leads nowhere in the schema is known at once, with everything under it.
///
/// A node is the set of field names that start with one path (the root: the empty path). The
/// walk is exact: the path reached is a field name if and only if its node has a slot, because
/// every prefix of every name, cut at dots, is a node. A JSON key that itself holds a dot
/// (`{"author.id": …}`) is walked a segment at a time, as the dotted path it makes.
///
/// Not copyable: its memory is freed once, with the scanner. Read-only once built.
struct EventKeyTree: ~Copyable {
    /// The root node: the event object itself.
    static let root: Int32 = 0
    /// No node: a key (or an object under one) that no field name starts with.
    static let none: Int32 = -1

    /// The number of nodes (the root included).
    let nodeCount: Int
    /// Per node: the field slot whose name is the node's path, or -1.
    private let slots: UnsafeMutablePointer<Int32>
    /// Per node: the index of the list-of-objects group whose name is the node's path, or -1.
    private let groups: UnsafeMutablePointer<Int32>
    /// Per node: its parent, and its last segment as `segmentBytes[segmentStart[n]..<segmentStart[n] + segmentLength[n]]`.
    private let parents: UnsafeMutablePointer<Int32>
    private let segmentStarts: UnsafeMutablePointer<Int32>
    private let segmentLengths: UnsafeMutablePointer<Int32>
    private let segmentBytes: UnsafeMutablePointer<UInt8>
    /// Per node: its last segment as one word (`word(of:)`): the segment itself when it has at
    /// most eight bytes, so that such a segment is compared as a word, without `memcmp`.
    private let segmentWords: UnsafeMutablePointer<UInt64>
    /// Open addressing on (parent, segment): the child node there, or -1.
    private let table: UnsafeMutablePointer<Int32>
    private let mask: Int

    /// The tree of `fieldNames` (by slot) and `groupNames` (by group index).
    init(fieldNames: [String], groupNames: [String]) {
        var parentArray: [Int32] = [-1]
        var startArray: [Int32] = [0]
        var lengthArray: [Int32] = [0]
        var byteArray: [UInt8] = []
        var slotArray: [Int32] = [-1]
        var groupArray: [Int32] = [-1]
        // Built with a dictionary; looked up through the flat table below.
        var children: [[UInt8]: Int32] = [:]
        func node(of name: String) -> Int {
            var n: Int32 = EventKeyTree.root
            for segment in name.utf8.split(separator: UInt8(ascii: "."), omittingEmptySubsequences: false) {
                let key = withUnsafeBytes(of: n) { Array($0) } + Array(segment)
                if let child = children[key] {
                    n = child
                    continue
                }
                let child = Int32(parentArray.count)
                parentArray.append(n)
                startArray.append(Int32(byteArray.count))
                lengthArray.append(Int32(segment.count))
                byteArray += segment
                slotArray.append(-1)
                groupArray.append(-1)
                children[key] = child
                n = child
            }
            return Int(n)
        }
        for (slot, name) in fieldNames.enumerated() { slotArray[node(of: name)] = Int32(slot) }
        for (group, name) in groupNames.enumerated() { groupArray[node(of: name)] = Int32(group) }

        nodeCount = parentArray.count
        slots = slotArray.allocatedCopy()
        groups = groupArray.allocatedCopy()
        parents = parentArray.allocatedCopy()
        segmentStarts = startArray.allocatedCopy()
        segmentLengths = lengthArray.allocatedCopy()
        segmentBytes = byteArray.allocatedCopy()
        segmentWords = .allocate(capacity: nodeCount)
        for n in 0..<nodeCount {
            let segment = UnsafeBufferPointer(start: segmentBytes + Int(startArray[n]), count: Int(lengthArray[n]))
            segmentWords[n] = EventKeyTree.word(of: segment)
        }
        // At most half full, so that a probe ends soon.
        var size = 8
        while size < 2 * nodeCount { size *= 2 }
        mask = size - 1
        table = .allocate(capacity: size)
        table.initialize(repeating: -1, count: size)
        for n in 1..<nodeCount {
            let segment = UnsafeBufferPointer(start: segmentBytes + Int(startArray[n]), count: Int(lengthArray[n]))
            var h = EventKeyTree.hash(parent: parentArray[n], word: segmentWords[n], length: segment.count) & mask
            while table[h] >= 0 { h = (h &+ 1) & mask }
            table[h] = Int32(n)
        }
    }

    deinit {
        slots.deallocate()
        groups.deallocate()
        parents.deallocate()
        segmentStarts.deallocate()
        segmentLengths.deallocate()
        segmentBytes.deallocate()
        segmentWords.deallocate()
        table.deallocate()
    }

    /// A segment as one word: its bytes packed little-endian (byte k at bits 8k) when it has at
    /// most eight, which with its length tells it apart from every other segment; a hash of its
    /// bytes when it is longer. Keys are mostly short (`id`, `role`, `platform`), so most
    /// look-ups neither call the byte hash nor compare bytes: the hash of a key and its
    /// comparison were half of the JSON reader's time per key.
    @inline(__always)
    static func word(of segment: UnsafeBufferPointer<UInt8>) -> UInt64 {
        let n = segment.count
        guard let base = segment.baseAddress, n > 0 else { return 0 }
        if n > 8 { return ByteStringTable.hash(segment) }
        let raw = UnsafeRawPointer(base)
        if n == 8 { return UInt64(littleEndian: raw.loadUnaligned(as: UInt64.self)) }
        // The 1–7 bytes by at most three loads, none past the segment's end.
        var word: UInt64 = 0
        var shift: UInt64 = 0
        var i = 0
        if n & 4 != 0 {
            word = UInt64(UInt32(littleEndian: raw.loadUnaligned(as: UInt32.self)))
            shift = 32
            i = 4
        }
        if n & 2 != 0 {
            word |= UInt64(UInt16(littleEndian: raw.loadUnaligned(fromByteOffset: i, as: UInt16.self))) << shift
            shift &+= 16
            i &+= 2
        }
        if n & 1 != 0 { word |= UInt64(base[i]) << shift }
        return word
    }

    @inline(__always)
    private static func hash(parent: Int32, word: UInt64, length: Int) -> Int {
        var h = (word ^ (UInt64(UInt32(bitPattern: parent)) << 32 | UInt64(length))) &* 0x9E37_79B9_7F4A_7C15
        h ^= h >> 29
        h = h &* 0xBF58_476D_1CE4_E5B9
        return Int(truncatingIfNeeded: h ^ (h >> 32))
    }

    /// The node of `key` inside the object of node `parent`, or `none`.
    @inline(__always)
    func child(of parent: Int32, _ key: UnsafeBufferPointer<UInt8>) -> Int32 {
        guard parent >= 0 else { return EventKeyTree.none }
        let n = segmentChild(of: parent, key)
        // No segment holds a dot, so a key found as one segment holds none: only a key not found
        // is looked at for dots.
        if n >= 0 { return n }
        guard let base = key.baseAddress, memchr(base, 0x2E, key.count) != nil else { return EventKeyTree.none }
        return dottedChild(of: parent, key)
    }

    /// The node a key with dots leads to: its segments walked one by one.
    private func dottedChild(of parent: Int32, _ key: UnsafeBufferPointer<UInt8>) -> Int32 {
        var n = parent
        var start = 0
        for i in 0...key.count where i == key.count || key[i] == 0x2E {
            n = segmentChild(of: n, UnsafeBufferPointer(rebasing: key[start..<i]))
            if n < 0 { return EventKeyTree.none }
            start = i + 1
        }
        return n
    }

    /// The child of `parent` whose last segment is `segment` (which holds no dot), or `none`.
    @inline(__always)
    private func segmentChild(of parent: Int32, _ segment: UnsafeBufferPointer<UInt8>) -> Int32 {
        let word = EventKeyTree.word(of: segment)
        var h = EventKeyTree.hash(parent: parent, word: word, length: segment.count) & mask
        while true {
            let n = table[h]
            if n < 0 { return EventKeyTree.none }
            let i = Int(n)
            if segmentWords[i] == word && parents[i] == parent && Int(segmentLengths[i]) == segment.count
                && (segment.count <= 8 || memcmp(segmentBytes + Int(segmentStarts[i]), segment.baseAddress!, segment.count) == 0)
            {
                return n
            }
            h = (h &+ 1) & mask
        }
    }

    /// The field slot named by `node`'s path, or nil (also for `none`).
    @inline(__always)
    func slot(of node: Int32) -> Int? {
        guard node >= 0 else { return nil }
        let s = slots[Int(node)]
        return s >= 0 ? Int(s) : nil
    }

    /// The list-of-objects group named by `node`'s path, or nil (also for `none`).
    @inline(__always)
    func group(of node: Int32) -> Int? {
        guard node >= 0 else { return nil }
        let g = groups[Int(node)]
        return g >= 0 ? Int(g) : nil
    }

    /// The dotted path of `node` (for messages).
    func path(of node: Int32) -> String {
        var segments: [String] = []
        var n = node
        while n > 0 {
            let i = Int(n)
            segments.append(
                String(decoding: UnsafeBufferPointer(start: segmentBytes + Int(segmentStarts[i]), count: Int(segmentLengths[i])), as: UTF8.self))
            n = parents[i]
        }
        return segments.reversed().joined(separator: ".")
    }
}
