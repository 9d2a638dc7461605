import CInvigil

#if canImport(Glibc)
import Glibc
#endif

/// A broken promise of the C interface, found by a program.
public struct CAPIProgramFailure: Error, CustomStringConvertible {
    public let description: String
    init(_ description: String) { self.description = description }
}

/// The `capi` fuzz target's interpreter, shared with the test suite (which replays the seed corpus
/// and the kept regressions): the input is a program of calls to the C interface (include/invigil.h) over two rule
/// set slots, three scanner slots and one shared rule set (the bundled packs). Every call the
/// header allows is made, with NULLs, out-of-range indices, freed rule sets under live scanners,
/// unknown fields, values of the wrong type, invalid UTF-8, huge elements; never a freed handle
/// (that is undefined behaviour by contract). Every returned string must be readable, every count
/// consistent, and nothing may leak (LeakSanitizer checks each input).
public enum CAPIProgram {
    /// The repository's root (for the packs and the files programs load); set by the first run.
    nonisolated(unsafe) static var root = ""
    /// A failure inside a scan_jsonl callback (a C function pointer cannot throw).
    nonisolated(unsafe) static var callbackFailure: (any Error)? = nil

    static let sources: [String] = [
        """
        schema {
            id: string
            school: string
            type: enum(post, email, chat)
            time: time
            author.role: enum(staff, pupil, parent)
            recipients.role: list enum(staff, pupil, parent)
            recipients.family: list bool
            recipients.address: list string
            attachments.kind: list enum(image, video)
            count: int
            text: text
            web.host: string
        }
        phrases contact { "phone me" "my number" "snapchat" }
        phrases caseful { case: sensitive match: substring "BIG" }
        phrases loose { normalize: caseless, leet spaced "meet up" }
        hosts social { "facebook.com" "instagram.com" }
        rule contact-pupil {
            severity breach
            message "Staff contact details to a pupil."
            when author.role == staff and any recipients (role == pupil and family == false) and (contact in text or phone in text or email in text)
        }
        rule social-host { severity info message "Social host." when social in web.host or url in text }
        rule big { severity advice message "Big." when caseful in text or loose in text }
        rule late { severity info message "Late." when time >= "2024-01-01T00:00:00Z" and count > 2 and exists(attachments.kind) }
        """,
        """
        schema { text: text  tags: list string  flag: bool  n: list int }
        phrases a { "a" "ab" "abc" "bc" "c" }
        rule r1 { severity info message "r1" when a in text }
        rule r2 { severity critical message "r2" when flag == false and a in tags }
        """,
        "schema { text: text }\nrule broken { severity info message \"x\" when nope in text }\n",
        ""
    ]

    static let fieldNames: [String] = [
        "id", "school", "type", "time", "author.role", "recipients.role", "recipients.family", "recipients.address",
        "attachments.kind", "count", "text", "web.host", "tags", "flag", "n", "subject", "account.kind", "nope", "", "text.x"
    ]

    struct Reader {
        let data: UnsafeBufferPointer<UInt8>
        var i = 0
        var atEnd: Bool { i >= data.count }
        mutating func byte() -> UInt8 {
            guard i < data.count else { return 0 }
            defer { i += 1 }
            return data[i]
        }
        mutating func u16() -> Int { Int(byte()) | Int(byte()) << 8 }
        /// A slice of the input: a length byte, then that many bytes (fewer at the end).
        mutating func slice() -> UnsafeBufferPointer<UInt8> {
            var n = Int(byte())
            if n == 255 { n = u16() }
            n = min(n, data.count - i)
            defer { i += n }
            return UnsafeBufferPointer(rebasing: data[i..<(i + n)])
        }
    }

    /// The packs, compiled once through the C interface and never freed by a program; the test
    /// suite frees them with `releaseSharedRules()` when it is done (the fuzz target never does).
    nonisolated(unsafe) static var loadedSharedRules: OpaquePointer? = nil

    static func sharedRules() -> OpaquePointer {
        if let loaded = loadedSharedRules { return loaded }
        var r: OpaquePointer? = nil
        let status = invigil_rules_load(root + "/packs", &r, nil)
        guard status == INVIGIL_OK, let r else { fatalError("cannot load \(root)/packs through the C interface: \(status)") }
        loadedSharedRules = r
        return r
    }

    /// Frees the shared rule set (loaded again by the next `run`).
    public static func releaseSharedRules() {
        invigil_rules_free(loadedSharedRules)
        loadedSharedRules = nil
    }

    public static func run(_ data: UnsafeBufferPointer<UInt8>, root: String) throws {
        if Self.root.isEmpty { Self.root = root }
        var rd = Reader(data: data)
        var rules: [OpaquePointer?] = [nil, nil]
        var scanners: [OpaquePointer?] = [nil, nil, nil]
        var steps = 0
        let shared = sharedRules()
        func rulesOf(_ k: UInt8) -> OpaquePointer? { k % 3 == 2 ? shared : rules[Int(k % 3)] }

        while !rd.atEnd && steps < 200 {
            steps += 1
            let op = rd.byte()
            let a = rd.byte()
            let j = Int(a % 3)
            switch op % 24 {
            case 0:  // compile a fixed source
                invigil_rules_free(rules[j % 2])
                rules[j % 2] = nil
                let src = sources[Int(rd.byte()) % sources.count]
                var out: OpaquePointer? = nil
                var err: OpaquePointer? = nil
                let st = src.withCString { invigil_rules_compile($0, strlen($0), "fixed.rules", &out, &err) }
                try checkCompile(st, out, err)
                rules[j % 2] = out
            case 1:  // compile source from the input
                invigil_rules_free(rules[j % 2])
                rules[j % 2] = nil
                let s = rd.slice()
                var out: OpaquePointer? = nil
                var err: OpaquePointer? = nil
                let st = withUnsafeMutablePointer(to: &err) { e in
                    s.withMemoryRebound(to: CChar.self) { c in
                        invigil_rules_compile(
                            c.baseAddress, c.count, "/nonexistent-invigil-fuzz/input.rules", &out,
                            a & 8 == 0 ? e : nil)
                    }
                }
                try checkCompile(st, out, a & 8 == 0 ? err : nil)
                rules[j % 2] = out
            case 2:  // free a rule set (its scanners stay, and must refuse calls)
                invigil_rules_free(rules[j % 2])
                rules[j % 2] = nil
            case 3:  // new scanner
                invigil_scanner_free(scanners[j])
                scanners[j] = nil
                var out: OpaquePointer? = nil
                let r = rulesOf(rd.byte())
                let st = invigil_scanner_new(r, &out)
                if (st == INVIGIL_OK) != (out != nil) { throw CAPIProgramFailure("scanner_new status \(st) with handle \(String(describing: out))") }
                if r != nil && st != INVIGIL_OK { throw CAPIProgramFailure("scanner_new on live rules: \(st)") }
                scanners[j] = out
            case 4:
                invigil_scanner_free(scanners[j])
                scanners[j] = nil
            case 5:
                invigil_scanner_reset(scanners[j])
            case 6, 7, 8:  // set/add/set_element string
                let s = scanners[j]
                let field = fieldName(&rd, s)
                let v = rd.slice()
                let element = elementIndex(&rd)
                let st = field.withCString { f in
                    v.withMemoryRebound(to: CChar.self) { c -> invigil_status in
                        switch op % 24 {
                        case 6: return invigil_set_string(s, f, c.baseAddress, c.count)
                        case 7: return invigil_add_string(s, f, c.baseAddress, c.count)
                        default: return invigil_set_element_string(s, f, element, c.baseAddress, c.count)
                        }
                    }
                }
                try checkStatus(st, s)
            case 9, 10, 11:  // bool
                let s = scanners[j]
                let field = fieldName(&rd, s)
                let value = Int32(Int8(bitPattern: rd.byte()))
                let element = elementIndex(&rd)
                let st = field.withCString { f -> invigil_status in
                    switch op % 24 {
                    case 9: return invigil_set_bool(s, f, value)
                    case 10: return invigil_add_bool(s, f, value)
                    default: return invigil_set_element_bool(s, f, element, value)
                    }
                }
                try checkStatus(st, s)
            case 12, 13:  // int
                let s = scanners[j]
                let field = fieldName(&rd, s)
                var value: Int64 = 0
                for _ in 0..<8 { value = value << 8 | Int64(rd.byte()) }
                let st = field.withCString { f in
                    op % 24 == 12 ? invigil_set_int(s, f, value) : invigil_add_int(s, f, value)
                }
                try checkStatus(st, s)
            case 14:  // scan
                let s = scanners[j]
                var n = 0
                let st = invigil_scan(s, &n)
                if st == INVIGIL_OK { try readFindings(s, n) } else if n != 0 { throw CAPIProgramFailure("scan failed with count \(n)") }
            case 15:  // scan_json
                let s = scanners[j]
                let v = rd.slice()
                var n = 0
                var err: OpaquePointer? = nil
                let st = withUnsafeMutablePointer(to: &err) { e in
                    v.withMemoryRebound(to: CChar.self) { c in
                        invigil_scan_json(s, c.baseAddress, c.count, &n, a & 8 == 0 ? e : nil)
                    }
                }
                if st == INVIGIL_OK {
                    if err != nil { throw CAPIProgramFailure("scan_json OK with an error") }
                    try readFindings(s, n)
                } else {
                    if n != 0 { throw CAPIProgramFailure("scan_json failed with count \(n)") }
                    if a & 8 == 0 {
                        guard let err else { throw CAPIProgramFailure("scan_json \(st) without an error") }
                        try readError(err)
                        let off = invigil_error_offset(err)
                        if off != -1 && off > v.count { throw CAPIProgramFailure("error offset \(off) past \(v.count) bytes") }
                        invigil_error_free(err)
                    }
                }
            case 16:  // scan_jsonl
                let s = scanners[j]
                let v = rd.slice()
                var lines = 0
                var stopAfter = Int(rd.byte() % 4)
                let st = v.withMemoryRebound(to: CChar.self) { c in
                    invigil_scan_jsonl(
                        s, c.baseAddress, c.count,
                        { user, scanner, line, status, count, error in
                            let stop = user!.assumingMemoryBound(to: Int.self)
                            do {
                                if status == INVIGIL_OK {
                                    try CAPIProgram.readFindings(scanner, count)
                                } else if let error {
                                    try CAPIProgram.readError(error)
                                }
                            } catch {
                                CAPIProgram.callbackFailure = error
                            }
                            stop.pointee -= 1
                            return stop.pointee == 0 ? 1 : 0
                        }, &stopAfter, &lines)
                }
                if let failure = callbackFailure {
                    callbackFailure = nil
                    throw failure
                }
                if s != nil && st != INVIGIL_OK && invigil_scanner_rules(s) != nil { throw CAPIProgramFailure("scan_jsonl: \(st)") }
            case 17:  // read back a value
                let s = scanners[j]
                let field = fieldName(&rd, s)
                var p: UnsafePointer<CChar>? = nil
                var n = 0
                let st = field.withCString { invigil_event_string(s, $0, Int(rd.byte() % 4), &p, &n) }
                if st == INVIGIL_OK {
                    guard let p else { throw CAPIProgramFailure("event_string OK with NULL") }
                    touch(UnsafeRawPointer(p), n)
                }
            case 18:  // inspect a rule set
                let r = rulesOf(a)
                let count = invigil_rules_count(r)
                var f = invigil_finding()
                for i in [0, count &- 1, count, Int(rd.byte())] {
                    let st = invigil_rules_rule_at(r, i, &f)
                    if (st == INVIGIL_OK) != (i >= 0 && i < count) { throw CAPIProgramFailure("rule_at(\(i)) of \(count): \(st)") }
                    if st == INVIGIL_OK { try readFinding(f) }
                }
                let fields = invigil_rules_field_count(r)
                var fi = invigil_field()
                for i in 0..<min(fields, 80) {
                    if invigil_rules_field_at(r, i, &fi) != INVIGIL_OK { throw CAPIProgramFailure("field_at(\(i)) of \(fields)") }
                    _ = strlen(fi.name)
                }
                if invigil_rules_field_at(r, fields, &fi) == INVIGIL_OK { throw CAPIProgramFailure("field_at(count) succeeded") }
            case 19:  // scanner accessors
                let s = scanners[j]
                _ = strlen(invigil_scanner_last_error(s))
                _ = invigil_scanner_rules(s)
            case 20:  // statics
                _ = strlen(invigil_status_string(invigil_status(rawValue: .init(truncatingIfNeeded: rd.u16() - 100))))
                _ = strlen(invigil_version())
                _ = invigil_version_number()
            case 21:  // NULL and out-of-range arguments
                let s = scanners[j]
                var n = 0
                var f = invigil_finding()
                var m = invigil_match()
                var p: UnsafePointer<CChar>? = nil
                try expectArgument(invigil_scan(s, nil), "scan(NULL count)")
                try expectArgument(invigil_scan(nil, &n), "scan(NULL)")
                try expectArgument(invigil_set_string(s, nil, "x", 1), "set_string(NULL field)")
                try expectArgument(invigil_set_string(s, "text", nil, 3), "set_string(NULL value)")
                try expectArgument(invigil_finding_at(s, -1, &f), "finding_at(-1)")
                try expectArgument(invigil_finding_at(s, 0, nil), "finding_at(NULL)")
                try expectArgument(invigil_match_at(s, 0, -1, &m), "match_at(-1)")
                try expectArgument(invigil_match_text(s, 0, 0, &p, nil), "match_text(NULL)")
                try expectArgument(invigil_scan_json(s, nil, 5, &n, nil), "scan_json(NULL)")
                try expectArgument(invigil_scan_jsonl(s, "{}", 2, nil, nil, nil), "scan_jsonl(NULL callback)")
                try expectArgument(invigil_rules_compile(nil, 1, "x", &p_rules, nil), "compile(NULL)")
                try expectArgument(invigil_rules_compile("x", -1, "x", &p_rules, nil), "compile(-1)")
                try expectArgument(invigil_rules_compile("x", 1, nil, &p_rules, nil), "compile(NULL name)")
                try expectArgument(invigil_rules_compile("x", 1, "x", nil, nil), "compile(NULL out)")
                try expectArgument(invigil_scanner_new(nil, &p_rules), "scanner_new(NULL)")
                if p_rules != nil { throw CAPIProgramFailure("handle from a refused call") }
                invigil_rules_free(nil)
                invigil_scanner_free(nil)
                invigil_error_free(nil)
                invigil_scanner_reset(nil)
                _ = strlen(invigil_error_message(nil))
                _ = strlen(invigil_error_text(nil))
                if invigil_error_count(nil) != 0 || invigil_error_next(nil) != nil { throw CAPIProgramFailure("NULL error accessors") }
            case 22:  // load a path
                let paths = [
                    "/nonexistent-invigil-fuzz", "/dev/null", "/proc/self/status", root + "/packs/common/schema.rules",
                    root + "/Fuzz/rules.dict", ""
                ]
                var out: OpaquePointer? = nil
                var err: OpaquePointer? = nil
                let st = invigil_rules_load(paths[Int(rd.byte()) % paths.count], &out, &err)
                try checkCompile(st, out, err)
                invigil_rules_free(rules[j % 2])
                rules[j % 2] = out
            default:  // finding and match reads with indices from the input
                let s = scanners[j]
                var f = invigil_finding()
                var m = invigil_match()
                var p: UnsafePointer<CChar>? = nil
                var n = 0
                let fi = Int(rd.byte()) - 1
                let mi = Int(rd.byte()) - 1
                if invigil_finding_at(s, fi, &f) == INVIGIL_OK { try readFinding(f) }
                if invigil_match_at(s, fi, mi, &m) == INVIGIL_OK { _ = strlen(m.field); _ = strlen(m.pattern) }
                if invigil_match_text(s, fi, mi, &p, &n) == INVIGIL_OK, let p { touch(UnsafeRawPointer(p), n) }
            }
        }
        for s in scanners { invigil_scanner_free(s) }
        for r in rules { invigil_rules_free(r) }
    }

    nonisolated(unsafe) static var p_rules: OpaquePointer? = nil

    /// A field name: one of the scanner's declared fields, a fixed list, or bytes from the input.
    static func fieldName(_ rd: inout Reader, _ s: OpaquePointer?) -> String {
        let k = rd.byte()
        switch k % 4 {
        case 0, 1:
            let r = invigil_scanner_rules(s)
            let n = invigil_rules_field_count(r)
            var f = invigil_field()
            if n > 0, invigil_rules_field_at(r, Int(k / 4) % n, &f) == INVIGIL_OK { return String(cString: f.name) }
            return "text"
        case 2:
            return fieldNames[Int(k / 4) % fieldNames.count]
        default:
            return String(decoding: rd.slice().prefix(40).filter { $0 != 0 }, as: UTF8.self)
        }
    }

    static func elementIndex(_ rd: inout Reader) -> Int {
        let k = rd.byte()
        switch k % 8 {
        case 0: return 99_999
        case 1: return 100_000
        case 2: return Int.max
        case 3: return -1
        default: return Int(k / 8)
        }
    }

    static func expectArgument(_ st: invigil_status, _ what: String) throws {
        if st != INVIGIL_ERROR_ARGUMENT { throw CAPIProgramFailure("\(what) gave \(st), not INVIGIL_ERROR_ARGUMENT") }
    }

    static func checkStatus(_ st: invigil_status, _ s: OpaquePointer?) throws {
        switch st {
        case INVIGIL_OK, INVIGIL_ERROR_ARGUMENT: break
        case INVIGIL_ERROR_FIELD, INVIGIL_ERROR_LIMIT:
            if strlen(invigil_scanner_last_error(s)) == 0 { throw CAPIProgramFailure("status \(st) without last_error") }
        default: throw CAPIProgramFailure("setter returned \(st)")
        }
    }

    static func checkCompile(_ st: invigil_status, _ out: OpaquePointer?, _ err: OpaquePointer?) throws {
        if (st == INVIGIL_OK) != (out != nil) { throw CAPIProgramFailure("compile status \(st) with rules \(String(describing: out))") }
        if st == INVIGIL_OK {
            if err != nil { throw CAPIProgramFailure("compile OK with an error") }
            return
        }
        guard let err else { return }
        if invigil_error_status(err) != st { throw CAPIProgramFailure("error status \(invigil_error_status(err)) != \(st)") }
        try readError(err)
        invigil_error_free(err)
    }

    static func readError(_ err: OpaquePointer) throws {
        let count = invigil_error_count(err)
        if count < 1 { throw CAPIProgramFailure("error with no problems") }
        var e: OpaquePointer? = err
        var walked = 0
        while let node = e {
            _ = strlen(invigil_error_message(node))
            _ = strlen(invigil_error_source(node))
            _ = strlen(invigil_error_text(node))
            _ = invigil_error_line(node)
            _ = invigil_error_column(node)
            _ = invigil_error_offset(node)
            walked += 1
            if walked > count { throw CAPIProgramFailure("error chain longer than its count \(count)") }
            e = invigil_error_next(node)
        }
        if walked != count { throw CAPIProgramFailure("error chain of \(walked), count \(count)") }
        invigil_error_free(invigil_error_next(err))  // not the head: must be ignored
    }

    static func readFinding(_ f: invigil_finding) throws {
        _ = strlen(f.rule); _ = strlen(f.clauses); _ = strlen(f.severity); _ = strlen(f.action); _ = strlen(f.message)
        if f.level < 0 || f.level > 4 { throw CAPIProgramFailure("finding level \(f.level)") }
    }

    static func readFindings(_ s: OpaquePointer?, _ count: Int) throws {
        var f = invigil_finding()
        for i in 0..<count {
            guard invigil_finding_at(s, i, &f) == INVIGIL_OK else { throw CAPIProgramFailure("finding_at(\(i)) of \(count) failed") }
            try readFinding(f)
            var m = invigil_match()
            for k in 0..<f.match_count {
                guard invigil_match_at(s, i, k, &m) == INVIGIL_OK else { throw CAPIProgramFailure("match_at(\(i), \(k)) failed") }
                _ = strlen(m.field); _ = strlen(m.pattern)
                if m.start > m.end { throw CAPIProgramFailure("match \(m.start)..<\(m.end)") }
                var p: UnsafePointer<CChar>? = nil
                var n = 0
                guard invigil_match_text(s, i, k, &p, &n) == INVIGIL_OK, let p else { throw CAPIProgramFailure("match_text(\(i), \(k)) failed") }
                if n != m.end - m.start { throw CAPIProgramFailure("match_text length \(n) for \(m.start)..<\(m.end)") }
                touch(UnsafeRawPointer(p), n)
            }
            if invigil_match_at(s, i, f.match_count, &m) == INVIGIL_OK { throw CAPIProgramFailure("match_at(match_count) succeeded") }
        }
        if invigil_finding_at(s, count, &f) == INVIGIL_OK { throw CAPIProgramFailure("finding_at(count) succeeded") }
    }

    /// Reads every byte (so that AddressSanitizer sees a bad pointer or length).
    static func touch(_ p: UnsafeRawPointer, _ n: Int) {
        var x: UInt8 = 0
        for i in 0..<n { x ^= p.load(fromByteOffset: i, as: UInt8.self) }
        sink = x
    }
    nonisolated(unsafe) static var sink: UInt8 = 0
}
