/// One entry of the command's cache of compiled rule sets (docs/compiled-format.md, "The scan's
/// cache"): a compiled rule file with what it was compiled from (`SourceManifest`), by which
/// executable, for which request. Decoding checks only the entry's own layout and the checksum of
/// the compiled bytes; whether the entry may be used (same executable, sources still current) and
/// whether the compiled bytes load are the caller's checks.
///
/// ```swift
/// let bytes = RuleCacheEntry.encode(executable: id, manifest: manifest, workingFolder: cwd, compiled: compiled)
/// RuleCacheEntry(decoding: bytes)?.manifest == manifest   // true
/// ```
package struct RuleCacheEntry: Equatable {
    /// The first bytes of an entry, then its layout version.
    package static let magic: [UInt8] = Array("IVGCACHE".utf8)
    package static let version: UInt32 = 1
    /// Bounds on the counts an entry may declare, so that a damaged count is refused before
    /// anything is allocated for it.
    static let maximumCount: UInt32 = 1 << 20

    /// Who compiled it: the executable's identity, as the cache defines it.
    package var executable: [String]
    /// The working folder of the request (relative rule paths depend on it).
    package var workingFolder: String
    /// The rule paths as given, what they listed and every file read.
    package var manifest: SourceManifest
    /// The compiled rule file.
    package var compiled: [UInt8]

    package init(executable: [String], workingFolder: String, manifest: SourceManifest, compiled: [UInt8]) {
        self.executable = executable
        self.workingFolder = workingFolder
        self.manifest = manifest
        self.compiled = compiled
    }

    /// The entry's bytes. Little-endian: magic, `u32` version, the executable identity as
    /// `[string]`, the working folder then the paths as `[string]`, the listing as `[string]`, a
    /// `u32` count of files read, each a `string` path, `u64` size and `u32` CRC-32C; then the
    /// compiled file's `u64` length, its `u32` CRC-32C and its bytes.
    package func encoded() -> [UInt8] {
        var out = Self.magic
        Self.append(Self.version, to: &out)
        Self.append(executable, to: &out)
        Self.append([workingFolder] + manifest.paths, to: &out)
        Self.append(manifest.listing, to: &out)
        Self.append(UInt32(manifest.files.count), to: &out)
        for f in manifest.files {
            Self.append(f.path, to: &out)
            Self.append(UInt64(f.size), to: &out)
            Self.append(f.checksum, to: &out)
        }
        Self.append(UInt64(compiled.count), to: &out)
        Self.append(CRC32C.checksum(compiled), to: &out)
        out += compiled
        return out
    }

    /// Decodes an entry; nil for anything that is not a whole entry of this layout: another
    /// magic or version, a count or length past the end, a string that is not UTF-8, bytes
    /// after the compiled file, or compiled bytes whose checksum differs (unless
    /// `checkingCompiled` is false: the fuzz target reseals entries that way).
    package init?(decoding bytes: [UInt8], checkingCompiled: Bool = true) {
        var reader = Reader(bytes: bytes)
        guard reader.take(Self.magic.count).map(Array.init) == Self.magic, reader.u32() == Self.version,
            let executable = reader.strings(), let request = reader.strings(), let workingFolder = request.first,
            let listing = reader.strings(), let count = reader.u32(), count <= Self.maximumCount
        else { return nil }
        var files: [SourceManifest.File] = []
        for _ in 0..<count {
            guard let path = reader.string(), let size = reader.u64(), size <= UInt64(Int.max), let checksum = reader.u32() else {
                return nil
            }
            files.append(SourceManifest.File(path: path, size: Int(size), checksum: checksum))
        }
        guard let length = reader.u64(), let checksum = reader.u32(), length == UInt64(bytes.count - reader.offset) else { return nil }
        let compiled = Array(bytes[reader.offset...])
        if checkingCompiled && CRC32C.checksum(compiled) != checksum { return nil }
        self.init(
            executable: executable, workingFolder: workingFolder,
            manifest: SourceManifest(paths: Array(request.dropFirst()), listing: listing, files: files), compiled: compiled)
    }

    static func append(_ value: UInt32, to out: inout [UInt8]) {
        for shift in stride(from: 0, to: 32, by: 8) { out.append(UInt8(truncatingIfNeeded: value >> UInt32(shift))) }
    }

    static func append(_ value: UInt64, to out: inout [UInt8]) {
        for shift in stride(from: 0, to: 64, by: 8) { out.append(UInt8(truncatingIfNeeded: value >> UInt64(shift))) }
    }

    static func append(_ text: String, to out: inout [UInt8]) {
        append(UInt32(text.utf8.count), to: &out)
        out += text.utf8
    }

    static func append(_ texts: [String], to out: inout [UInt8]) {
        append(UInt32(texts.count), to: &out)
        for t in texts { append(t, to: &out) }
    }

    /// Reads the fields back; every read is nil past the end.
    struct Reader {
        let bytes: [UInt8]
        var offset = 0

        mutating func take(_ count: Int) -> ArraySlice<UInt8>? {
            guard count >= 0, count <= bytes.count - offset else { return nil }
            defer { offset += count }
            return bytes[offset..<offset + count]
        }

        mutating func u32() -> UInt32? {
            guard let b = take(4) else { return nil }
            return b.reversed().reduce(0) { $0 << 8 | UInt32($1) }
        }

        mutating func u64() -> UInt64? {
            guard let b = take(8) else { return nil }
            return b.reversed().reduce(0) { $0 << 8 | UInt64($1) }
        }

        mutating func string() -> String? {
            guard let n = u32(), let b = take(Int(n)) else { return nil }
            return String(validating: b, as: UTF8.self)
        }

        mutating func strings() -> [String]? {
            guard let n = u32(), n <= RuleCacheEntry.maximumCount else { return nil }
            var out: [String] = []
            for _ in 0..<n {
                guard let s = string() else { return nil }
                out.append(s)
            }
            return out
        }
    }
}
