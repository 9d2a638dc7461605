// invigil_packs_folder: where the bundled packs were installed (share/invigil/packs beside the
// library's lib folder), so that a C program can load them without knowing the prefix.

import CInvigil
import Invigil

#if canImport(Glibc)
import Glibc
#elseif canImport(Musl)
import Musl
#endif

enum PacksFolder {
    /// Found once, on first use (a Swift global is initialised once, thread-safely).
    nonisolated(unsafe) static let path: UnsafePointer<CChar> = UnsafePointer(mallocCString(find()))

    static func find() -> String {
        if let p = getenv("INVIGIL_PACKS"), p.pointee != 0 { return String(cString: p) }
        // The file this code was loaded from: libinvigil.so, or the program linked with libinvigil.a.
        var info = ivg_dl_info()
        let fn: @convention(c) () -> UnsafePointer<CChar>? = invigil_packs_folder
        guard ivg_dladdr(unsafeBitCast(fn, to: UnsafeRawPointer.self), &info) != 0, let file = info.dli_fname else { return "" }
        var folder = String(cString: file)
        folder = folder.lastIndex(of: "/").map { String(folder[..<$0]) } ?? "."
        // lib/ or lib/<multiarch>/ (GNUInstallDirs on Debian), or bin/ for a static program.
        for up in ["/..", "/../.."] {
            let candidate = folder + up + "/share/invigil/packs"
            var st = stat()
            if stat(candidate, &st) == 0, (st.st_mode & S_IFMT) == S_IFDIR {
                return realPath(candidate) ?? candidate
            }
        }
        return ""
    }

    static func realPath(_ path: String) -> String? {
        guard let resolved = realpath(path, nil) else { return nil }
        defer { free(resolved) }
        return String(cString: resolved)
    }
}

@c @implementation
public func invigil_packs_folder() -> UnsafePointer<CChar>? { PacksFolder.path }
