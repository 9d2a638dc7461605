// The C interface of compiled rule files: invigil_rules_save, invigil_buffer_free,
// invigil_rules_load_compiled and invigil_rules_load_compiled_file (include/invigil.h, section
// "Compiled rule files"). Every argument is checked; a refused file is a status and an error.

import CInvigil
import Invigil

#if canImport(Glibc)
import Glibc
#elseif canImport(Musl)
import Musl
#elseif canImport(Darwin)
import Darwin
#endif

/// The status a refused compiled file gives across the C interface.
private func status(of error: CompiledRulesError) -> invigil_status {
    error.kind == .io ? INVIGIL_ERROR_IO : INVIGIL_ERROR_RULES
}

/// Hands a loaded rule set or a refusal to the caller, as the compile functions do.
private func finishLoad(
    _ result: Result<RuleSet, CompiledRulesError>, source: String,
    _ outRules: UnsafeMutablePointer<OpaquePointer?>,
    _ outError: UnsafeMutablePointer<OpaquePointer?>?
) -> invigil_status {
    switch result {
    case .success(let rules):
        let box = RulesBox(rules: rules)
        let handle = makeHandle(box, Magic.rules)
        box.handle = handle
        outRules.pointee = handle
        outError?.pointee = nil
        return INVIGIL_OK
    case .failure(let error):
        outRules.pointee = nil
        let s = status(of: error)
        outError?.pointee = makeError([ErrorNode(status: s, message: error.message, source: source)])
        return s
    }
}

@c @implementation
public func invigil_rules_save(
    _ rules: OpaquePointer?, _ out: UnsafeMutablePointer<UnsafeMutablePointer<UInt8>?>?,
    _ outLength: UnsafeMutablePointer<Int>?
) -> invigil_status {
    out?.pointee = nil
    outLength?.pointee = 0
    guard let out, let outLength, let box = object(rules, Magic.rules, RulesBox.self), !box.freed else {
        return INVIGIL_ERROR_ARGUMENT
    }
    // Rule sets of this API were compiled, or loaded with their cold part checked: the writer
    // cannot fail for them.
    guard let bytes = try? box.rules.compiledBytes() else { return INVIGIL_ERROR_RULES }
    // malloc, so that invigil_buffer_free is free() whatever allocator the Swift runtime uses.
    guard let buffer = malloc(max(1, bytes.count))?.assumingMemoryBound(to: UInt8.self) else { return INVIGIL_ERROR_MEMORY }
    bytes.withUnsafeBufferPointer { b in buffer.update(from: b.baseAddress!, count: b.count) }
    out.pointee = buffer
    outLength.pointee = bytes.count
    return INVIGIL_OK
}

@c @implementation
public func invigil_buffer_free(_ buffer: UnsafeMutablePointer<UInt8>?) {
    free(buffer)
}

@c @implementation
public func invigil_rules_load_compiled(
    _ buffer: UnsafePointer<UInt8>?, _ length: Int,
    _ outRules: UnsafeMutablePointer<OpaquePointer?>?,
    _ outError: UnsafeMutablePointer<OpaquePointer?>?
) -> invigil_status {
    guard let outRules else {
        outError?.pointee = makeError(INVIGIL_ERROR_ARGUMENT, "out_rules is NULL")
        return INVIGIL_ERROR_ARGUMENT
    }
    outRules.pointee = nil
    guard length >= 0, buffer != nil || length == 0 else {
        outError?.pointee = makeError(INVIGIL_ERROR_ARGUMENT, length < 0 ? "len is larger than the address space" : "buf is NULL")
        return INVIGIL_ERROR_ARGUMENT
    }
    if length > 1 << 32 {
        outError?.pointee = makeError(INVIGIL_ERROR_LIMIT, "compiled rules of \(length) bytes, over the limit of 4 GiB")
        return INVIGIL_ERROR_LIMIT
    }
    let bytes = UnsafeRawBufferPointer(start: buffer.map(UnsafeRawPointer.init), count: length)
    // Checked whole at once (the cold part too), as this function documents.
    let result = Result { () throws(CompiledRulesError) -> RuleSet in try RuleSet.loadChecked(compiled: bytes) }
    return finishLoad(result, source: "", outRules, outError)
}

@c @implementation
public func invigil_rules_load_compiled_file(
    _ path: UnsafePointer<CChar>?,
    _ outRules: UnsafeMutablePointer<OpaquePointer?>?,
    _ outError: UnsafeMutablePointer<OpaquePointer?>?
) -> invigil_status {
    guard let outRules else {
        outError?.pointee = makeError(INVIGIL_ERROR_ARGUMENT, "out_rules is NULL")
        return INVIGIL_ERROR_ARGUMENT
    }
    outRules.pointee = nil
    guard let path else {
        outError?.pointee = makeError(INVIGIL_ERROR_ARGUMENT, "path is NULL")
        return INVIGIL_ERROR_ARGUMENT
    }
    let name = String(decoding: UnsafeRawBufferPointer(start: path, count: strlen(path)), as: UTF8.self)
    // Read whole and closed, checked whole at once (the cold part too), as this function documents.
    let result = Result { () throws(CompiledRulesError) -> RuleSet in try RuleSet.loadChecked(compiledPath: name) }
    return finishLoad(result, source: name, outRules, outError)
}
