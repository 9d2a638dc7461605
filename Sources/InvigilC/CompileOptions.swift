// invigil_rules_compile_with_options: compiling rule text from memory with includes granted by
// the caller, from a folder or through a callback (libyara's include callback is the model).
// Without a grant nothing is read from the file system (see IncludeAccess in the core).

import CInvigil
import Invigil

#if canImport(Glibc)
import Glibc
#elseif canImport(Musl)
import Musl
#endif

/// The bytes of the first version of invigil_compile_options: size, include_folder,
/// include_resolver, include_user. Fields added later are read only when `size` covers them.
private let compileOptionsVersion1 = 4 * MemoryLayout<Int>.size

@c @implementation
public func invigil_rules_compile_with_options(
    _ source: UnsafePointer<CChar>?, _ length: Int,
    _ sourceName: UnsafePointer<CChar>?,
    _ options: UnsafePointer<invigil_compile_options>?,
    _ outRules: UnsafeMutablePointer<OpaquePointer?>?,
    _ outError: UnsafeMutablePointer<OpaquePointer?>?
) -> invigil_status {
    guard let options else { return compileFromMemory(source, length, sourceName, .refused, outRules, outError) }
    let size = options.pointee.size
    guard size >= compileOptionsVersion1, size <= Int(Int32.max) else {
        outRules?.pointee = nil
        return argumentError(outError, "options->size is \(size): set it to sizeof(invigil_compile_options)")
    }
    let folder = options.pointee.include_folder
    let resolver = options.pointee.include_resolver
    if folder != nil && resolver != nil {
        outRules?.pointee = nil
        return argumentError(outError, "give include_folder or include_resolver, not both")
    }
    if let folder {
        return compileFromMemory(source, length, sourceName, .folder(String(cString: folder)), outRules, outError)
    }
    if let resolver {
        let call = ResolverCall(resolver: resolver, user: options.pointee.include_user)
        return compileFromMemory(source, length, sourceName, .resolver(call.resolve), outRules, outError)
    }
    return compileFromMemory(source, length, sourceName, .refused, outRules, outError)
}

/// The caller's resolver and its user pointer, called on the compiling thread only (so the
/// `@unchecked Sendable`: the core's resolver type is Sendable, this one is never shared).
private final class ResolverCall: @unchecked Sendable {
    let resolver: invigil_include_resolver
    let user: UnsafeMutableRawPointer?

    init(resolver: invigil_include_resolver, user: UnsafeMutableRawPointer?) {
        self.resolver = resolver
        self.user = user
    }

    func resolve(_ path: String, _ includedFrom: String) -> Result<[UInt8], IncludeRefusal> {
        var text: UnsafePointer<CChar>? = nil
        var length = 0
        let answer = path.withCString { p in
            includedFrom.withCString { from in resolver(user, p, from, &text, &length) }
        }
        guard answer == 0 else { return .failure(IncludeRefusal("refused by the include resolver")) }
        guard length >= 0, length <= Limits.ruleFileBytes else {
            return .failure(IncludeRefusal("the include resolver gave \(length) bytes, over the limit of \(Limits.ruleFileBytes)"))
        }
        guard let text else {
            return length == 0 ? .success([]) : .failure(IncludeRefusal("the include resolver gave no text"))
        }
        return .success(Array(UnsafeRawBufferPointer(start: UnsafeRawPointer(text), count: length)))
    }
}
