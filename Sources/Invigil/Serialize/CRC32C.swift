#if canImport(InvigilSIMD)
import InvigilSIMD
#endif

/// CRC-32C (Castagnoli: reflected polynomial 0x82F63B78, initial and final value 0xFFFFFFFF), the
/// checksum of compiled rule files. Castagnoli rather than the zlib polynomial because it detects
/// more error patterns in long messages and many CPUs compute it in hardware.
///
/// Computed by carry-less multiplication on 512-bit registers for buffers of 512 bytes or more
/// when the CPU has AVX-512 with VPCLMULQDQ (`crc32c_fold.c`: twice the speed of the crc32
/// instruction on a compiled file, which every load checksums whole), else with the CPU's crc32
/// instruction when it has one (SSE 4.2, `crc32c.c`), else eight bytes at a time from eight
/// 256-entry tables (slicing by 8).
///
/// ```swift
/// CRC32C.checksum(Array("123456789".utf8))   // 0xE3069283, the standard check value
/// ```
package enum CRC32C {
    #if canImport(InvigilSIMD)
    static let hardware = ivg_crc32c_available() != 0
    static let folding = ivg_crc32c_fold_available() != 0
    #else
    static let hardware = false
    static let folding = false
    #endif

    /// The shortest buffer the folding kernel takes (it folds 256-byte blocks, at least two).
    static let foldingMinimum = 512

    static let polynomial: UInt32 = 0x82F6_3B78

    /// tables[k * 256 + b]: the CRC of byte b followed by k zero bytes.
    static let tables: [UInt32] = {
        var t = [UInt32](repeating: 0, count: 8 * 256)
        for b in 0..<256 {
            var c = UInt32(b)
            for _ in 0..<8 { c = c & 1 != 0 ? (c >> 1) ^ polynomial : c >> 1 }
            t[b] = c
        }
        for k in 1..<8 {
            for b in 0..<256 {
                let prev = t[(k - 1) * 256 + b]
                t[k * 256 + b] = (prev >> 8) ^ t[Int(prev & 0xFF)]
            }
        }
        return t
    }()

    /// The CRC-32C of `bytes`.
    package static func checksum(_ bytes: UnsafeRawBufferPointer) -> UInt32 {
        update(0, bytes)
    }

    package static func checksum(_ bytes: [UInt8]) -> UInt32 {
        bytes.withUnsafeBytes { checksum($0) }
    }

    /// Continues a checksum: `update(checksum(a), b) == checksum(a + b)`.
    package static func update(_ crc: UInt32, _ bytes: UnsafeRawBufferPointer) -> UInt32 {
        guard let base = bytes.baseAddress, bytes.count > 0 else { return crc }
        #if canImport(InvigilSIMD)
        if folding && bytes.count >= foldingMinimum {
            return ivg_crc32c_fold_update(crc, base.assumingMemoryBound(to: UInt8.self), bytes.count)
        }
        if hardware { return ivg_crc32c_update(crc, base.assumingMemoryBound(to: UInt8.self), bytes.count) }
        #endif
        return software(crc, bytes)
    }

    /// The crc32-instruction kernel alone, or nil when the CPU lacks it (for the tests).
    static func instruction(_ crc: UInt32, _ bytes: UnsafeRawBufferPointer) -> UInt32? {
        #if canImport(InvigilSIMD)
        guard hardware else { return nil }
        guard let base = bytes.baseAddress, bytes.count > 0 else { return crc }
        return ivg_crc32c_update(crc, base.assumingMemoryBound(to: UInt8.self), bytes.count)
        #else
        return nil
        #endif
    }

    /// The folding kernel alone, on any length, or nil when the CPU lacks it (for the tests).
    static func folded(_ crc: UInt32, _ bytes: UnsafeRawBufferPointer) -> UInt32? {
        #if canImport(InvigilSIMD)
        guard folding else { return nil }
        guard let base = bytes.baseAddress, bytes.count > 0 else { return crc }
        return ivg_crc32c_fold_update(crc, base.assumingMemoryBound(to: UInt8.self), bytes.count)
        #else
        return nil
        #endif
    }

    /// The table-driven computation (also the reference the tests check the hardware one with).
    static func software(_ crc: UInt32, _ bytes: UnsafeRawBufferPointer) -> UInt32 {
        guard let base = bytes.baseAddress, bytes.count > 0 else { return crc }
        var c = ~crc
        let n = bytes.count
        tables.withUnsafeBufferPointer { tp in
            let t = tp.baseAddress!
            var i = 0
            // Eight bytes per step: the CRC of the first four is folded in with the low word.
            while i &+ 8 <= n {
                let lo = UInt32(littleEndian: (base + i).loadUnaligned(as: UInt32.self)) ^ c
                let hi = UInt32(littleEndian: (base + (i &+ 4)).loadUnaligned(as: UInt32.self))
                c =
                    t[7 &* 256 &+ Int(lo & 0xFF)] ^ t[6 &* 256 &+ Int((lo >> 8) & 0xFF)]
                    ^ t[5 &* 256 &+ Int((lo >> 16) & 0xFF)] ^ t[4 &* 256 &+ Int(lo >> 24)]
                    ^ t[3 &* 256 &+ Int(hi & 0xFF)] ^ t[2 &* 256 &+ Int((hi >> 8) & 0xFF)]
                    ^ t[1 &* 256 &+ Int((hi >> 16) & 0xFF)] ^ t[Int(hi >> 24)]
                i &+= 8
            }
            while i < n {
                c = (c >> 8) ^ t[Int((c ^ UInt32(base.load(fromByteOffset: i, as: UInt8.self))) & 0xFF)]
                i &+= 1
            }
        }
        return ~c
    }
}
