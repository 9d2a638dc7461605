// The functions of include/invigil.h. Each is `@c @implementation`: the compiler checks its Swift
// signature against the header. No Swift error, trap or precondition may cross this boundary:
// every pointer, length and index is checked before use, and every thrown error becomes a status.
//
// size_t arrives as Int: a length or index above Int.max arrives negative and is refused.

import CInvigil
import Invigil

#if canImport(Glibc)
import Glibc
#elseif canImport(Musl)
import Musl
#elseif canImport(Darwin)
import Darwin
#endif

// MARK: - Version and status

@c @implementation
public func invigil_version() -> UnsafePointer<CChar>? { StaticText.version }

@c @implementation
public func invigil_version_number() -> Int32 {
    StaticText.versionMajor * 10000 + StaticText.versionMinor * 100 + StaticText.versionPatch
}

@c @implementation
public func invigil_status_string(_ status: invigil_status) -> UnsafePointer<CChar>? {
    let raw = Int(status.rawValue)
    return raw < StaticText.statuses.count ? StaticText.statuses[raw] : StaticText.unknownStatus
}

// MARK: - Compiling

/// Shared tail of compile and load: stores the outputs and maps errors.
private func finishCompile(
    _ result: Result<RuleSet, RuleSetError>, _ outRules: UnsafeMutablePointer<OpaquePointer?>,
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
        outError?.pointee = makeError(error)
        return status(of: error.kind)
    }
}

func argumentError(_ outError: UnsafeMutablePointer<OpaquePointer?>?, _ message: String) -> invigil_status {
    outError?.pointee = makeError(INVIGIL_ERROR_ARGUMENT, message)
    return INVIGIL_ERROR_ARGUMENT
}

@c @implementation
public func invigil_rules_compile(
    _ source: UnsafePointer<CChar>?, _ length: Int, _ sourceName: UnsafePointer<CChar>?,
    _ outRules: UnsafeMutablePointer<OpaquePointer?>?,
    _ outError: UnsafeMutablePointer<OpaquePointer?>?
) -> invigil_status {
    compileFromMemory(source, length, sourceName, .refused, outRules, outError)
}

/// Compiles source held in memory; its includes as `includes` allows (see CompileOptions.swift).
func compileFromMemory(
    _ source: UnsafePointer<CChar>?, _ length: Int, _ sourceName: UnsafePointer<CChar>?,
    _ includes: IncludeAccess, _ outRules: UnsafeMutablePointer<OpaquePointer?>?,
    _ outError: UnsafeMutablePointer<OpaquePointer?>?
) -> invigil_status {
    guard let outRules else { return argumentError(outError, "out_rules is NULL") }
    outRules.pointee = nil
    guard length >= 0 else { return argumentError(outError, "length is larger than the address space") }
    guard source != nil || length == 0 else { return argumentError(outError, "source is NULL") }
    guard let sourceName else { return argumentError(outError, "source_name is NULL") }
    if length > Limits.ruleSetBytes {
        outError?.pointee = makeError(
            INVIGIL_ERROR_LIMIT,
            "rule source is \(length) bytes, over the limit of \(Limits.ruleSetBytes)")
        return INVIGIL_ERROR_LIMIT
    }
    let bytes: [UInt8] =
        source.map { s in
            Array(UnsafeRawBufferPointer(start: UnsafeRawPointer(s), count: length))
        } ?? []
    let name = String(decoding: UnsafeRawBufferPointer(start: sourceName, count: strlen(sourceName)), as: UTF8.self)
    let result: Result<RuleSet, RuleSetError> = Result { () throws(RuleSetError) in
        try RuleSet.compile(bytes: bytes, name: name, includes: includes)
    }
    return finishCompile(result, outRules, outError)
}

@c @implementation
public func invigil_rules_load(
    _ path: UnsafePointer<CChar>?, _ outRules: UnsafeMutablePointer<OpaquePointer?>?,
    _ outError: UnsafeMutablePointer<OpaquePointer?>?
) -> invigil_status {
    guard let outRules else { return argumentError(outError, "out_rules is NULL") }
    outRules.pointee = nil
    guard let path else { return argumentError(outError, "path is NULL") }
    let name = String(decoding: UnsafeRawBufferPointer(start: path, count: strlen(path)), as: UTF8.self)
    let result: Result<RuleSet, RuleSetError> = Result { () throws(RuleSetError) in
        try RuleSet.load(paths: [name])
    }
    return finishCompile(result, outRules, outError)
}

@c @implementation
public func invigil_rules_free(_ rules: OpaquePointer?) {
    guard let block = handleBlock(rules, Magic.rules) else { return }
    let box = Unmanaged<RulesBox>.fromOpaque(block.pointee.object).takeUnretainedValue()
    box.freed = true
    box.handle = nil
    destroyHandle(block, RulesBox.self)
}

@c @implementation
public func invigil_rules_count(_ rules: OpaquePointer?) -> Int {
    object(rules, Magic.rules, RulesBox.self)?.rules.rules.count ?? 0
}

@c @implementation
public func invigil_rules_rule_at(
    _ rules: OpaquePointer?, _ index: Int,
    _ out: UnsafeMutablePointer<invigil_finding>?
) -> invigil_status {
    guard let box = object(rules, Magic.rules, RulesBox.self), let out else { return INVIGIL_ERROR_ARGUMENT }
    guard index >= 0, index < box.rules.rules.count else { return INVIGIL_ERROR_ARGUMENT }
    box.describe(rule: index, into: out, matchCount: 0)
    return INVIGIL_OK
}

@c @implementation
public func invigil_rules_field_count(_ rules: OpaquePointer?) -> Int {
    object(rules, Magic.rules, RulesBox.self)?.rules.fields.count ?? 0
}

@c @implementation
public func invigil_rules_field_at(
    _ rules: OpaquePointer?, _ index: Int,
    _ out: UnsafeMutablePointer<invigil_field>?
) -> invigil_status {
    guard let box = object(rules, Magic.rules, RulesBox.self), let out else { return INVIGIL_ERROR_ARGUMENT }
    guard index >= 0, index < box.rules.fields.count else { return INVIGIL_ERROR_ARGUMENT }
    let info = box.rules.fields[index]
    let type: invigil_field_type
    switch info.kind {
    case .string: type = INVIGIL_FIELD_STRING
    case .text: type = INVIGIL_FIELD_TEXT
    case .bool: type = INVIGIL_FIELD_BOOL
    case .int: type = INVIGIL_FIELD_INT
    case .time: type = INVIGIL_FIELD_TIME
    case .enumeration: type = INVIGIL_FIELD_ENUM
    }
    out.pointee = invigil_field(name: box.fieldNames[index], type: type, is_list: info.isList ? 1 : 0)
    return INVIGIL_OK
}

// MARK: - Errors

@c @implementation
public func invigil_error_message(_ error: OpaquePointer?) -> UnsafePointer<CChar>? {
    errorNode(error).map { UnsafePointer($0.message) } ?? StaticText.empty
}

@c @implementation
public func invigil_error_source(_ error: OpaquePointer?) -> UnsafePointer<CChar>? {
    errorNode(error).map { UnsafePointer($0.source) } ?? StaticText.empty
}

@c @implementation
public func invigil_error_line(_ error: OpaquePointer?) -> UInt32 { errorNode(error)?.line ?? 0 }

@c @implementation
public func invigil_error_column(_ error: OpaquePointer?) -> UInt32 { errorNode(error)?.column ?? 0 }

@c @implementation
public func invigil_error_free(_ error: OpaquePointer?) {
    guard let block = handleBlock(error, Magic.error) else { return }
    var next = Unmanaged<ErrorNode>.fromOpaque(block.pointee.object).takeUnretainedValue().next
    destroyHandle(block, ErrorNode.self)
    while let handle = next, let nodeBlock = handleBlock(handle, Magic.errorNode) {
        next = Unmanaged<ErrorNode>.fromOpaque(nodeBlock.pointee.object).takeUnretainedValue().next
        destroyHandle(nodeBlock, ErrorNode.self)
    }
}

@c @implementation
public func invigil_error_status(_ error: OpaquePointer?) -> invigil_status {
    errorNode(error)?.status ?? INVIGIL_ERROR_ARGUMENT
}

@c @implementation
public func invigil_error_next(_ error: OpaquePointer?) -> OpaquePointer? { errorNode(error)?.next }

@c @implementation
public func invigil_error_count(_ error: OpaquePointer?) -> Int {
    var n = 0
    var handle = error
    while let node = errorNode(handle) {
        n += 1
        handle = node.next
    }
    return n
}

@c @implementation
public func invigil_error_offset(_ error: OpaquePointer?) -> Int { errorNode(error)?.offset ?? -1 }

@c @implementation
public func invigil_error_text(_ error: OpaquePointer?) -> UnsafePointer<CChar>? {
    errorNode(error).map { UnsafePointer($0.text) } ?? StaticText.empty
}

// MARK: - Scanners

@c @implementation
public func invigil_scanner_new(_ rules: OpaquePointer?, _ outScanner: UnsafeMutablePointer<OpaquePointer?>?) -> invigil_status {
    guard let outScanner else { return INVIGIL_ERROR_ARGUMENT }
    outScanner.pointee = nil
    guard let box = object(rules, Magic.rules, RulesBox.self), !box.freed else { return INVIGIL_ERROR_ARGUMENT }
    outScanner.pointee = makeHandle(ScannerBox(owner: box), Magic.scanner)
    return INVIGIL_OK
}

@c @implementation
public func invigil_scanner_free(_ scanner: OpaquePointer?) {
    guard let block = handleBlock(scanner, Magic.scanner) else { return }
    destroyHandle(block, ScannerBox.self)
}

@c @implementation
public func invigil_scanner_reset(_ scanner: OpaquePointer?) {
    _ = withScanner(scanner, .write) { box in
        box.scanner.reset()
        return INVIGIL_OK
    }
}

@c @implementation
public func invigil_scanner_rules(_ scanner: OpaquePointer?) -> OpaquePointer? {
    liveScanner(scanner)?.owner.handle
}

@c @implementation
public func invigil_scanner_last_error(_ scanner: OpaquePointer?) -> UnsafePointer<CChar>? {
    guard let box = object(scanner, Magic.scanner, ScannerBox.self), box.tryEnter(.read) else { return StaticText.empty }
    defer { box.leave(.read) }
    return box.lastError.map { UnsafePointer($0) } ?? StaticText.empty
}

// MARK: - Setting fields

enum SetMode {
    case replace, append, element(Int32)
}

enum Value {
    case string(UnsafeBufferPointer<UInt8>)
    case bool(Bool)
    case int(Int64)
}

/// The one path through which every setter goes.
@inline(__always)
private func setField(
    _ handle: OpaquePointer?, _ field: UnsafePointer<CChar>?, _ value: Value,
    _ mode: SetMode
) -> invigil_status {
    withScanner(handle, .write) { box in setField(box, field, value, mode) }
}

@inline(__always)
private func setField(
    _ box: ScannerBox, _ field: UnsafePointer<CChar>?, _ value: Value,
    _ mode: SetMode
) -> invigil_status {
    guard let field else { return box.fail(INVIGIL_ERROR_ARGUMENT, "field is NULL") }
    let name = UnsafeBufferPointer(start: UnsafeRawPointer(field).assumingMemoryBound(to: UInt8.self), count: strlen(field))
    guard let slot = box.fieldNames.slot(of: name, in: box.scanner) else {
        return box.fail(INVIGIL_ERROR_FIELD, "unknown field '\(String(decoding: name, as: UTF8.self))'")
    }
    return setSlot(box, slot, value, mode)
}

/// Sets a field by its slot (after the name or the field id was resolved).
@inline(__always)
func setSlot(_ box: ScannerBox, _ slot: Int, _ value: Value, _ mode: SetMode) -> invigil_status {
    // A length beyond the limit is refused before any byte of the value is read.
    if case .string(let bytes) = value, bytes.count > Limits.eventBytes {
        return box.fail(INVIGIL_ERROR_LIMIT, "value is \(bytes.count) bytes, over the limit of \(Limits.eventBytes)")
    }
    let scanner = box.scanner
    let append: Bool
    let element: Int32?
    switch mode {
    case .replace:
        append = false
        element = nil
    case .append, .element:
        guard scanner.rules.fields[slot].isList else {
            return box.fail(INVIGIL_ERROR_FIELD, "field '\(scanner.rules.fields[slot].name)' is not a list")
        }
        append = true
        if case .element(let e) = mode { element = e } else { element = nil }
    }
    do throws(FieldError) {
        switch value {
        // invigil_set_element_*: setting an element again replaces its value (the header's promise).
        case .string(let bytes): try scanner.setString(slot: slot, bytes, append: append, element: element, replace: true)
        case .bool(let b): try scanner.setBool(slot: slot, b, append: append, element: element, replace: true)
        case .int(let i): try scanner.setInt(slot: slot, i, append: append, element: element, replace: true)
        }
    } catch {
        return box.fail(status(of: error), error.description)
    }
    return INVIGIL_OK
}

/// A (pointer, length) argument as a buffer, without reading it; nil for a NULL pointer with a
/// non-zero length or a length above SIZE_MAX / 2. Lengths are checked against the limits by
/// the callers before any byte is read.
@inline(__always)
func stringValue(_ value: UnsafePointer<CChar>?, _ length: Int) -> UnsafeBufferPointer<UInt8>? {
    guard length >= 0 else { return nil }
    guard let value else { return length == 0 ? UnsafeBufferPointer(start: nil, count: 0) : nil }
    return UnsafeBufferPointer(start: UnsafeRawPointer(value).assumingMemoryBound(to: UInt8.self), count: length)
}

@inline(__always)
func elementIndex(_ element: Int) -> Int32? {
    element >= 0 && element < Limits.eventValues ? Int32(element) : nil
}

@c @implementation
public func invigil_set_string(
    _ s: OpaquePointer?, _ field: UnsafePointer<CChar>?, _ value: UnsafePointer<CChar>?,
    _ length: Int
) -> invigil_status {
    guard let bytes = stringValue(value, length) else { return INVIGIL_ERROR_ARGUMENT }
    return setField(s, field, .string(bytes), .replace)
}

@c @implementation
public func invigil_add_string(
    _ s: OpaquePointer?, _ field: UnsafePointer<CChar>?, _ value: UnsafePointer<CChar>?,
    _ length: Int
) -> invigil_status {
    guard let bytes = stringValue(value, length) else { return INVIGIL_ERROR_ARGUMENT }
    return setField(s, field, .string(bytes), .append)
}

@c @implementation
public func invigil_set_bool(_ s: OpaquePointer?, _ field: UnsafePointer<CChar>?, _ value: Int32) -> invigil_status {
    setField(s, field, .bool(value != 0), .replace)
}

@c @implementation
public func invigil_set_int(_ s: OpaquePointer?, _ field: UnsafePointer<CChar>?, _ value: Int64) -> invigil_status {
    setField(s, field, .int(value), .replace)
}

@c @implementation
public func invigil_add_bool(_ s: OpaquePointer?, _ field: UnsafePointer<CChar>?, _ value: Int32) -> invigil_status {
    setField(s, field, .bool(value != 0), .append)
}

@c @implementation
public func invigil_add_int(_ s: OpaquePointer?, _ field: UnsafePointer<CChar>?, _ value: Int64) -> invigil_status {
    setField(s, field, .int(value), .append)
}

@c @implementation
public func invigil_set_element_string(
    _ s: OpaquePointer?, _ field: UnsafePointer<CChar>?, _ element: Int,
    _ value: UnsafePointer<CChar>?, _ length: Int
) -> invigil_status {
    guard let bytes = stringValue(value, length), element >= 0 else { return INVIGIL_ERROR_ARGUMENT }
    return withScanner(s, .write) { box in
        guard let e = elementIndex(element) else {
            return box.fail(INVIGIL_ERROR_LIMIT, "element \(element) is over the limit of \(Limits.eventValues) values")
        }
        return setField(box, field, .string(bytes), .element(e))
    }
}

@c @implementation
public func invigil_set_element_bool(
    _ s: OpaquePointer?, _ field: UnsafePointer<CChar>?, _ element: Int,
    _ value: Int32
) -> invigil_status {
    guard element >= 0 else { return INVIGIL_ERROR_ARGUMENT }
    return withScanner(s, .write) { box in
        guard let e = elementIndex(element) else {
            return box.fail(INVIGIL_ERROR_LIMIT, "element \(element) is over the limit of \(Limits.eventValues) values")
        }
        return setField(box, field, .bool(value != 0), .element(e))
    }
}

// MARK: - Scanning

@c @implementation
public func invigil_scan(_ s: OpaquePointer?, _ outCount: UnsafeMutablePointer<Int>?) -> invigil_status {
    guard let outCount else { return INVIGIL_ERROR_ARGUMENT }
    outCount.pointee = 0
    return withScanner(s, .write) { box in
        box.clearInterrupt()
        outCount.pointee = box.scanner.scan()
        return stoppedStatus(box)
    }
}

@c @implementation
public func invigil_scanner_set_time_budget(_ s: OpaquePointer?, _ nanoseconds: UInt64) -> invigil_status {
    withScanner(s, .write) { box in
        box.scanner.timeBudgetNanoseconds = nanoseconds
        return INVIGIL_OK
    }
}

@c @implementation
public func invigil_scanner_timed_out(_ s: OpaquePointer?) -> Int32 {
    withScanner(s, .read, invalid: 0, busy: 0) { box in box.scanner.timedOut ? 1 : 0 }
}

/// Parses and scans one event; on failure returns the status and the error node.
private func scanOne(_ box: ScannerBox, _ json: UnsafeBufferPointer<UInt8>) -> (invigil_status, Int, ErrorNode?) {
    if json.count > Limits.eventBytes {
        box.scanner.reset()
        return (
            INVIGIL_ERROR_LIMIT, 0,
            ErrorNode(
                status: INVIGIL_ERROR_LIMIT,
                message: "event is \(json.count) bytes, over the limit of \(Limits.eventBytes)", offset: 0)
        )
    }
    box.clearInterrupt()
    do throws(EventError) {
        let n = try box.scanner.scanJSON(json)
        let status = stoppedStatus(box)
        if status != INVIGIL_OK {
            return (status, n, ErrorNode(status: status, message: stoppedMessage(box)))
        }
        return (INVIGIL_OK, n, nil)
    } catch {
        let status = eventStatus(error)
        return (status, 0, makeEventError(error, status, json: json))
    }
}

@c @implementation
public func invigil_scan_json(
    _ s: OpaquePointer?, _ json: UnsafePointer<CChar>?, _ length: Int,
    _ outCount: UnsafeMutablePointer<Int>?,
    _ outError: UnsafeMutablePointer<OpaquePointer?>?
) -> invigil_status {
    guard let outCount else { return argumentError(outError, "out_finding_count is NULL") }
    outCount.pointee = 0
    outError?.pointee = nil
    guard let box = liveScanner(s) else { return argumentError(outError, "the scanner is NULL, invalid, or its rules were freed") }
    guard let bytes = stringValue(json, length) else { return argumentError(outError, "json is NULL") }
    guard box.tryEnter(.write) else {
        outError?.pointee = makeError(INVIGIL_ERROR_BUSY, "the scanner is in use by another thread")
        return INVIGIL_ERROR_BUSY
    }
    defer { box.leave(.write) }
    let (status, count, node) = scanOne(box, bytes)
    outCount.pointee = count
    if let node {
        _ = box.fail(status, String(cString: node.message))
        outError?.pointee = makeError([node])
    }
    return box.finish(status)
}

@c @implementation
public func invigil_scan_jsonl(
    _ s: OpaquePointer?, _ data: UnsafePointer<CChar>?, _ length: Int,
    _ callback: invigil_jsonl_callback?, _ user: UnsafeMutableRawPointer?,
    _ outLines: UnsafeMutablePointer<Int>?
) -> invigil_status {
    outLines?.pointee = 0
    guard let box = liveScanner(s), let callback, let all = stringValue(data, length) else { return INVIGIL_ERROR_ARGUMENT }
    guard all.count <= CLimits.addressableBytes else { return INVIGIL_ERROR_LIMIT }
    guard box.tryEnter(.write) else { return INVIGIL_ERROR_BUSY }
    defer { box.leave(.write) }
    var interrupted = false
    var lineNumber = 0
    var start = 0
    let n = all.count
    while start < n {
        var end = start
        if let base = all.baseAddress, let nl = memchr(base + start, 0x0A, n - start) {
            end = UnsafeRawPointer(nl).assumingMemoryBound(to: UInt8.self) - base
        } else {
            end = n
        }
        lineNumber += 1
        var stop = end
        if stop > start, all[stop - 1] == 0x0D { stop -= 1 }
        var blank = true
        for i in start..<stop where all[i] != 0x20 && all[i] != 0x09 {
            blank = false
            break
        }
        if !blank {
            let line = UnsafeBufferPointer(rebasing: all[start..<stop])
            let (status, count, node) = scanOne(box, line)
            var keepGoing = true
            // The callback may read the scanner (as a reader); the scan takes it back after.
            box.downgradeForCallback()
            if let node {
                let handle = makeError([node])
                keepGoing = callback(user, s, lineNumber, status, count, handle) == 0
                invigil_error_free(handle)
            } else {
                keepGoing = callback(user, s, lineNumber, status, count, nil) == 0
            }
            box.upgradeAfterCallback()
            // An interrupt stops the whole call; a time budget that ran out stops only its line.
            if box.scanner.interrupted { interrupted = true }
            if !keepGoing || interrupted || box.owner.freed { break }
        }
        start = end + 1
    }
    outLines?.pointee = lineNumber
    return box.finish(interrupted ? INVIGIL_ERROR_INTERRUPTED : INVIGIL_OK)
}

// MARK: - Findings

@c @implementation
public func invigil_finding_at(_ s: OpaquePointer?, _ index: Int, _ out: UnsafeMutablePointer<invigil_finding>?) -> invigil_status {
    withScanner(s, .read) { box in findingAt(box, index, out) }
}

@inline(__always)
private func findingAt(_ box: ScannerBox, _ index: Int, _ out: UnsafeMutablePointer<invigil_finding>?) -> invigil_status {
    guard let out else { return INVIGIL_ERROR_ARGUMENT }
    let findings = box.scanner.findings
    guard index >= 0, index < findings.count else { return INVIGIL_ERROR_ARGUMENT }
    let f = findings[index]
    guard f.rule >= 0, f.rule < box.owner.rules.rules.count else { return INVIGIL_ERROR_ARGUMENT }
    box.owner.describe(rule: f.rule, into: out, matchCount: f.matches.count)
    return INVIGIL_OK
}

/// The match span, after checking both indices.
@inline(__always)
private func matchSpan(_ box: ScannerBox, _ findingIndex: Int, _ matchIndex: Int) -> MatchSpan? {
    let scanner = box.scanner
    guard findingIndex >= 0, findingIndex < scanner.findings.count else { return nil }
    let range = scanner.findings[findingIndex].matches
    guard matchIndex >= 0, matchIndex < range.count else { return nil }
    let i = range.lowerBound + matchIndex
    guard i >= 0, i < scanner.matches.count else { return nil }
    return scanner.matches[i]
}

@c @implementation
public func invigil_match_at(
    _ s: OpaquePointer?, _ findingIndex: Int, _ matchIndex: Int,
    _ out: UnsafeMutablePointer<invigil_match>?
) -> invigil_status {
    withScanner(s, .read) { box in matchAt(box, findingIndex, matchIndex, out) }
}

@inline(__always)
private func matchAt(
    _ box: ScannerBox, _ findingIndex: Int, _ matchIndex: Int,
    _ out: UnsafeMutablePointer<invigil_match>?
) -> invigil_status {
    guard let out, let m = matchSpan(box, findingIndex, matchIndex) else {
        return INVIGIL_ERROR_ARGUMENT
    }
    let owner = box.owner
    let field = m.field >= 0 && m.field < owner.fieldNames.count ? owner.fieldNames[m.field] : StaticText.empty
    let pattern = m.pattern >= 0 && m.pattern < owner.matcherNames.count ? owner.matcherNames[m.pattern] : StaticText.empty
    out.pointee = invigil_match(field: field, start: m.start, end: m.end, pattern: pattern, value_index: m.valueIndex)
    return INVIGIL_OK
}

@c @implementation
public func invigil_match_text(
    _ s: OpaquePointer?, _ findingIndex: Int, _ matchIndex: Int,
    _ outText: UnsafeMutablePointer<UnsafePointer<CChar>?>?,
    _ outLength: UnsafeMutablePointer<Int>?
) -> invigil_status {
    withScanner(s, .read) { box in matchText(box, findingIndex, matchIndex, outText, outLength) }
}

@inline(__always)
private func matchText(
    _ box: ScannerBox, _ findingIndex: Int, _ matchIndex: Int,
    _ outText: UnsafeMutablePointer<UnsafePointer<CChar>?>?,
    _ outLength: UnsafeMutablePointer<Int>?
) -> invigil_status {
    guard let outText, let outLength,
        let m = matchSpan(box, findingIndex, matchIndex)
    else { return INVIGIL_ERROR_ARGUMENT }
    guard let (pointer, count) = box.scanner.valuePointer(field: m.field, valueIndex: m.valueIndex),
        m.start >= 0, m.start <= m.end, m.end <= count
    else { return INVIGIL_ERROR_ARGUMENT }
    let base = pointer.map { UnsafeRawPointer($0).assumingMemoryBound(to: CChar.self) } ?? StaticText.empty
    outText.pointee = m.end > m.start ? base + m.start : StaticText.empty
    outLength.pointee = m.end - m.start
    return INVIGIL_OK
}

@c @implementation
public func invigil_event_string(
    _ s: OpaquePointer?, _ field: UnsafePointer<CChar>?, _ element: Int,
    _ outValue: UnsafeMutablePointer<UnsafePointer<CChar>?>?,
    _ outLength: UnsafeMutablePointer<Int>?
) -> invigil_status {
    withScanner(s, .read) { box in eventString(box, field, element, outValue, outLength) }
}

@inline(__always)
private func eventString(
    _ box: ScannerBox, _ field: UnsafePointer<CChar>?, _ element: Int,
    _ outValue: UnsafeMutablePointer<UnsafePointer<CChar>?>?,
    _ outLength: UnsafeMutablePointer<Int>?
) -> invigil_status {
    guard let field, let outValue, let outLength else { return INVIGIL_ERROR_ARGUMENT }
    let scanner = box.scanner
    let name = UnsafeBufferPointer(start: UnsafeRawPointer(field).assumingMemoryBound(to: UInt8.self), count: strlen(field))
    guard let slot = scanner.slot(ofUTF8: name) else { return INVIGIL_ERROR_FIELD }
    let kind = scanner.rules.fields[slot].kind
    guard element >= 0, element < scanner.valueCount(field: slot) else {
        return kind == .bool || kind == .int ? INVIGIL_ERROR_FIELD : INVIGIL_ERROR_ARGUMENT
    }
    switch kind {
    case .bool, .int:
        return INVIGIL_ERROR_FIELD
    case .time:
        outValue.pointee = StaticText.empty
        outLength.pointee = 0
    case .enumeration:
        let values = box.owner.enumValues[slot]
        if let i = scanner.enumValueIndex(field: slot, valueIndex: element), i >= 0, i < values.count {
            outValue.pointee = values[i].0
            outLength.pointee = values[i].1
        } else {
            outValue.pointee = StaticText.empty
            outLength.pointee = 0
        }
    case .string, .text:
        guard let (pointer, count) = scanner.valuePointer(field: slot, valueIndex: element) else { return INVIGIL_ERROR_ARGUMENT }
        outValue.pointee = pointer.map { UnsafeRawPointer($0).assumingMemoryBound(to: CChar.self) } ?? StaticText.empty
        outLength.pointee = count
    }
    return INVIGIL_OK
}
