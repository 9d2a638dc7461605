// The C ABI against the Swift API, in one run: 200-byte events set field by field
// through invigil_set_* + invigil_scan (the C code of Tests/InvigilCTests/abi_tests.c), and the
// same events through the Swift API's slot setters + scan.
//
//     swift run -c release invigil-bench --abi [--abi-events N] [--abi-bytes B]

import Invigil
import InvigilCTests

#if canImport(Glibc)
import Glibc
#endif

func runABIBenchmark(events: Int, bytes: Int) {
    var bestC = 0.0, bestSwift = 0.0, bestIDs = 0.0
    var findingsC = 0, findingsSwift = 0, findingsIDs = 0
    for round in 0..<4 {  // alternating which goes first, because the machine is noisy
        if round % 2 == 0 { bestC = max(bestC, invigil_ctests_bench(events, bytes, &findingsC)) }
        bestIDs = max(bestIDs, invigil_ctests_bench_ids(events, bytes, &findingsIDs))
        guard let (rate, findings) = try? abiBenchSwiftAPI(events: events, bytes: bytes) else {
            printErr("the Swift API benchmark failed")
            exit(1)
        }
        bestSwift = max(bestSwift, rate)
        findingsSwift = findings
        if round % 2 == 1 { bestC = max(bestC, invigil_ctests_bench(events, bytes, &findingsC)) }
    }
    print(
        """
        ABI benchmark: \(events) events of \(bytes)-byte text, best of 4
          C ABI  (invigil_set_* + invigil_scan): \(Int(bestC)) events/s, \(findingsC) findings
          Swift API (slot setters + scan):       \(Int(bestSwift)) events/s, \(findingsSwift) findings
          C ABI by field id (invigil_set_*_id):  \(Int(bestIDs)) events/s, \(findingsIDs) findings
          C ABI / Swift API: \(Double(Int(bestC / bestSwift * 1000)) / 1000)
          field ids / names: \(Double(Int(bestIDs / bestC * 1000)) / 1000)
        """)
    if findingsC != findingsSwift || findingsIDs != findingsC {
        printErr("the C ABI and the Swift API disagree on the findings")
        exit(1)
    }
}

/// The events of invigil_ctests_bench (set_event in abi_tests.c), through the Swift API.
func abiBenchSwiftAPI(events: Int, bytes: Int) throws -> (Double, Int) {
    let rules = try RuleSet.compile(source: String(cString: invigil_ctests_rules()), name: "demo.rules")
    let scanner = Scanner(rules: rules)
    func slot(_ name: String) -> Int { scanner.slot(of: name)! }
    let text = slot("text"), type = slot("type"), role = slot("author.role"), rRole = slot("recipients.role")
    let family = slot("recipients.family"), host = slot("web.host"), time = slot("time")
    let likes = slot("likes"), urgent = slot("urgent")
    let dm = Array("direct_message".utf8), pupil = Array("pupil".utf8), staff = Array("staff".utf8)
    let insta = Array("www.instagram.com".utf8)
    let weekday = Array("2024-03-05T10:00:00+00:00".utf8), weekend = Array("2024-03-09T10:00:00+00:00".utf8)
    // The texts are made before the timed loop, as the C benchmarks make theirs.
    var texts = invigil_ctests_make_texts(events, bytes + 1)
    defer { invigil_ctests_free_texts(&texts) }
    guard let textBase = texts.texts, let lengths = texts.lengths else { throw FieldError.tooLarge(field: "text") }

    func set(_ slot: Int, _ value: [UInt8], append: Bool = false) throws(FieldError) {
        let r: Result<Void, FieldError> = value.withUnsafeBufferPointer { b in
            Result { () throws(FieldError) in try scanner.setString(slot: slot, b, append: append, element: nil) }
        }
        try r.get()
    }
    func event(_ i: Int) throws(FieldError) {
        let kind = i % 7
        scanner.reset()
        let start = UnsafeRawPointer(textBase + i * (bytes + 1))
        let value = UnsafeBufferPointer(start: start.assumingMemoryBound(to: UInt8.self), count: lengths[i])
        try scanner.setString(slot: text, value, append: false, element: nil)
        try set(type, dm)
        try set(role, kind == 1 ? pupil : staff)
        try set(rRole, pupil, append: true)
        try scanner.setBool(slot: family, i % 2 == 1, append: true, element: nil)
        if kind == 3 {
            try set(host, insta)
            try set(time, i % 2 == 1 ? weekday : weekend)
        }
        if kind == 4 { try scanner.setInt(slot: likes, Int64(i % 300), append: false, element: nil) }
        if kind == 5 { try scanner.setBool(slot: urgent, true, append: false, element: nil) }
    }
    for i in 0..<min(events, 1000) {
        try event(i)
        scanner.scan()
    }
    var findings = 0
    var start = timespec(), end = timespec()
    clock_gettime(CLOCK_MONOTONIC, &start)
    for i in 0..<events {
        try event(i)
        findings += scanner.scan()
    }
    clock_gettime(CLOCK_MONOTONIC, &end)
    let elapsed = Double(end.tv_sec - start.tv_sec) + Double(end.tv_nsec - start.tv_nsec) / 1e9
    return (Double(events) / elapsed, findings)
}
