/// Appends little-endian integers, length-prefixed strings and aligned tables to a byte array:
/// the encoding of compiled rule files.
struct ByteWriter {
    var bytes: [UInt8] = []

    mutating func u8(_ v: UInt8) { bytes.append(v) }
    mutating func bool(_ v: Bool) { bytes.append(v ? 1 : 0) }

    mutating func u32(_ v: UInt32) {
        withUnsafeBytes(of: v.littleEndian) { bytes.append(contentsOf: $0) }
    }

    mutating func u32(_ v: Int) { u32(UInt32(truncatingIfNeeded: v)) }
    mutating func i32(_ v: Int32) { u32(UInt32(bitPattern: v)) }

    mutating func u64(_ v: UInt64) {
        withUnsafeBytes(of: v.littleEndian) { bytes.append(contentsOf: $0) }
    }

    mutating func i64(_ v: Int64) { u64(UInt64(bitPattern: v)) }

    /// A byte string: its length (u32), then its bytes.
    mutating func data<C: Collection>(_ v: C) where C.Element == UInt8 {
        u32(v.count)
        bytes.append(contentsOf: v)
    }

    mutating func string(_ s: String) { data(s.utf8) }

    mutating func optionalString(_ s: String?) {
        bool(s != nil)
        if let s { string(s) }
    }

    mutating func strings(_ list: [String]) {
        u32(list.count)
        for s in list { string(s) }
    }

    /// Zero bytes up to the next multiple of 8 (offsets are relative to the payload's start,
    /// which is itself 8-aligned in the file and in memory).
    mutating func align() {
        while bytes.count % 8 != 0 { bytes.append(0) }
    }

    /// A table of u32, 8-aligned, read in place by the loader.
    mutating func table(_ p: UnsafePointer<UInt32>, count: Int) {
        align()
        for i in 0..<count { u32(p[i]) }
    }

    mutating func table(_ a: [UInt32]) {
        align()
        for v in a { u32(v) }
    }

    mutating func bytesTable(_ a: [UInt8]) {
        align()
        bytes += a
    }

    mutating func bytesTable(_ p: UnsafePointer<UInt8>, count: Int) {
        align()
        bytes.append(contentsOf: UnsafeBufferPointer(start: p, count: count))
    }
}
