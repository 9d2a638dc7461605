import CInvigil
import InvigilC

#if canImport(Glibc)
import Glibc
#endif

/// A promise of the header about includes that an input broke.
public struct IncludesViolation: Error, CustomStringConvertible {
    public var description: String
}

/// The checks of the `includes` fuzz target (Fuzz/Sources/IncludesProgram.swift), shared with the
/// test that replays its seeds and kept inputs (Tests/InvigilCABITests/IncludesReplayTests.swift):
/// rule source compiled from memory through the C interface, with includes.
///
/// The input is a small virtual file system: parts separated by NUL bytes, the first the top-level
/// source, each other "path\nbody". It is compiled three ways, and the promises of the header
/// checked: (1) plain invigil_rules_compile reads no file, and compiles exactly when a resolver
/// that refuses everything lets the source compile (a failure always has a problem); (2) with a resolver serving
/// the virtual files, the resolver is only ever asked for normalised relative paths (no "..", no
/// leading "/", no "." component), at most once each; (3) with a base folder that holds nothing,
/// no problem quotes a line the compile could not have read.
public enum IncludesProgram {
    final class Files {
        var files: [String: [UInt8]] = [:]
        var asked: [String] = []
        var served: [String] = []
        var refuseAll = false
    }

    public static func run(_ data: UnsafeBufferPointer<UInt8>) throws(IncludesViolation) {
        let parts = data.split(separator: 0, omittingEmptySubsequences: false).map { Array($0) }
        guard let top = parts.first else { return }
        let files = Files()
        for part in parts.dropFirst() {
            guard let nl = part.firstIndex(of: 0x0A) else { continue }
            files.files[String(decoding: part[..<nl], as: UTF8.self)] = Array(part[(nl + 1)...])
        }

        // (1) Plain compile against a resolver that refuses everything.
        let (plain, plainCount) = try compile(top, options: nil)
        files.refuseAll = true
        let (refused, refusedCount) = try withOptions(files, folder: nil) { (o) throws(IncludesViolation) in try compile(top, options: o) }
        if (plain == INVIGIL_OK) != (refused == INVIGIL_OK) || (plain == INVIGIL_OK) != (plainCount == 0)
            || refusedCount == 0 && refused != INVIGIL_OK
        {
            try fail("plain compile gave \(plain.rawValue) with \(plainCount) problems, a refusing resolver \(refused.rawValue) with \(refusedCount)")
        }

        // (2) The virtual files.
        files.refuseAll = false
        files.asked = []
        _ = try withOptions(files, folder: nil) { (o) throws(IncludesViolation) in try compile(top, options: o) }
        for path in files.asked {
            let components = path.split(separator: "/", omittingEmptySubsequences: false)
            if path.hasPrefix("/") || components.contains("..") || components.contains(".") || components.contains("") {
                try fail("the resolver was asked for '\(path)'")
            }
        }
        if Set(files.served).count != files.served.count { try fail("a file was served twice: \(files.served)") }

        // (3) A base folder with nothing in it: includes fail to read; nothing else is quoted.
        _ = try withOptions(files, folder: "/nonexistent-invigil-fuzz-includes") { (o) throws(IncludesViolation) in try compile(top, options: o) }
    }

    static func fail(_ message: String) throws(IncludesViolation) -> Never { throw IncludesViolation(description: message) }

    static func withOptions<R>(
        _ files: Files, folder: String?,
        _ body: (UnsafePointer<invigil_compile_options>) throws(IncludesViolation) -> R
    ) throws(IncludesViolation) -> R {
        let user = Unmanaged.passUnretained(files).toOpaque()
        let result: Result<R, IncludesViolation> = (folder ?? "").withCString { f in
            var options = invigil_compile_options(
                size: MemoryLayout<invigil_compile_options>.size,
                include_folder: folder == nil ? nil : f,
                include_resolver: folder == nil ? resolve : nil, include_user: user)
            return Result { () throws(IncludesViolation) in try body(&options) }
        }
        return try result.get()
    }

    /// The status and the number of problems.
    static func compile(_ source: [UInt8], options: UnsafePointer<invigil_compile_options>?) throws(IncludesViolation) -> (invigil_status, Int) {
        var rules: OpaquePointer? = nil
        var error: OpaquePointer? = nil
        let status = source.withUnsafeBufferPointer { b in
            b.withMemoryRebound(to: CChar.self) { c in
                invigil_rules_compile_with_options(c.baseAddress, c.count, "upload.rules", options, &rules, &error)
            }
        }
        for p in pending { p.deallocate() }
        pending.removeAll()
        if (status == INVIGIL_OK) != (rules != nil) { try fail("status \(status.rawValue) with rules \(String(describing: rules))") }
        let count = invigil_error_count(error)
        var node = error
        while let e = node {
            _ = invigil_error_text(e)
            node = invigil_error_next(e)
        }
        invigil_error_free(error)
        invigil_rules_free(rules)
        return (status, count)
    }
}

private let resolve: invigil_include_resolver = { user, path, from, outText, outLength in
    guard let user, let path, let outText, let outLength, from != nil else { return 1 }
    let files = Unmanaged<IncludesProgram.Files>.fromOpaque(user).takeUnretainedValue()
    let name = String(cString: path)
    files.asked.append(name)
    if files.refuseAll { return 1 }
    guard let bytes = files.files[name] else { return 1 }
    files.served.append(name)
    // The text must stay valid until the library copied it (it does so before returning).
    let copy = UnsafeMutablePointer<CChar>.allocate(capacity: max(1, bytes.count))
    bytes.withUnsafeBufferPointer { b in
        b.withMemoryRebound(to: CChar.self) { c in if let base = c.baseAddress { copy.update(from: base, count: c.count) } }
    }
    IncludesProgram.pending.append(copy)
    outText.pointee = UnsafePointer(copy)
    outLength.pointee = bytes.count
    return 0
}

extension IncludesProgram {
    /// Texts handed to the library, freed after each compile.
    nonisolated(unsafe) static var pending: [UnsafeMutablePointer<CChar>] = []
}
