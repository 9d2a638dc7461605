@testable import Invigil

/// `cache`: the entries of the command's cache of compiled rules (`RuleCacheEntry`). Each input
/// is decoded as it is, and with the compiled bytes' checksum not checked (so that mutations of
/// the compiled part reach the loader). A decoded entry must encode back to the same bytes (with
/// its checksum recomputed, when unchecked); its compiled bytes go through the `compiled`
/// target's checks, and its manifest is asked whether it is current (paths under a folder that
/// does not exist: the files are missing, so it must not be).
enum FuzzCache {
    static func run(_ data: UnsafeBufferPointer<UInt8>) {
        let bytes = Array(data)
        if let entry = RuleCacheEntry(decoding: bytes), entry.encoded() != bytes {
            fuzzFail("a decoded entry encodes to other bytes")
        }
        guard var entry = RuleCacheEntry(decoding: bytes, checkingCompiled: false) else { return }
        let resealed = entry.encoded()
        if RuleCacheEntry(decoding: resealed) != entry { fuzzFail("a resealed entry does not decode to itself") }
        FuzzCompiled.check(entry.compiled)
        entry.manifest.paths = entry.manifest.paths.map { "/nonexistent-invigil-fuzz/" + $0 }
        entry.manifest.files = entry.manifest.files.map {
            SourceManifest.File(path: "/nonexistent-invigil-fuzz/" + $0.path, size: $0.size, checksum: $0.checksum)
        }
        if !entry.manifest.files.isEmpty && entry.manifest.isCurrent() { fuzzFail("missing files counted as current") }
    }
}
