/// The program's match keys as a flat presence table, one flag per (matcher, field) pair: what
/// the loader's condition check asks of every list and detector test ("does the program have a
/// key for it?"), answered by one array read where a dictionary look-up hashed the key.
///
/// Matchers are numbered phrase lists first, then host lists, then detectors; a key's flag is
/// at `matcher * fieldCount + field`. Every key of a loaded program has already been checked in
/// range (`ProgramCoding.read`), so the table is built without further checks.
struct ProgramKeySet {
    private let present: [Bool]
    private let fieldCount: Int
    private let phraseListCount: Int
    private let hostListCount: Int

    init(_ keys: [MatchKey], phraseListCount: Int, hostListCount: Int, fieldCount: Int) {
        self.fieldCount = fieldCount
        self.phraseListCount = phraseListCount
        self.hostListCount = hostListCount
        let matchers = phraseListCount + hostListCount + Detector.allCases.count
        var present = [Bool](repeating: false, count: matchers * fieldCount)
        for key in keys { present[Self.matcherNumber(key.matcher, phraseListCount, hostListCount) * fieldCount + key.field] = true }
        self.present = present
    }

    private static func matcherNumber(_ m: Matcher, _ phraseListCount: Int, _ hostListCount: Int) -> Int {
        switch m {
        case .phrases(let l): return l
        case .hosts(let h): return phraseListCount + h
        case .detector(let d): return phraseListCount + hostListCount + d.rawValue
        }
    }

    /// Whether the program has the key; `matcher` and `field` are in range (the condition
    /// reader checked them before asking).
    func contains(_ matcher: Matcher, _ field: Int) -> Bool {
        present[Self.matcherNumber(matcher, phraseListCount, hostListCount) * fieldCount + field]
    }

    /// Whether the program has the key of matcher number `number` (phrase lists, then host
    /// lists, then detectors) in `field`; both in range.
    func contains(number: Int, field: Int) -> Bool {
        present[number * fieldCount + field]
    }
}
