#if canImport(Glibc)
import Glibc
#endif
import Invigil

/// `invigil explain EVENT.json`: every rule considered for one event, which conditions held and
/// which phrases matched where.
func runExplain(_ arguments: [String]) throws(UsageError) -> Int32 {
    let options = try Options(arguments, valued: ["--rules", "--pack"], flags: ["--all"])
    guard options.positional.count == 1 else { throw UsageError("usage: invigil explain [--rules PATH] [--pack NAME] [--all] EVENT.json") }
    let (rules, selected) = try loadRules(rulePaths: options.all("--rules"), packNames: options.all("--pack"))
    let path = options.positional[0]
    var bytes: [UInt8] = []
    let fd = path == "-" ? 0 : open(path, O_RDONLY)
    guard fd >= 0 else { throw UsageError("cannot open \(path): \(String(cString: strerror(errno)))") }
    var chunk = [UInt8](repeating: 0, count: 65536)
    while true {
        let n = chunk.withUnsafeMutableBytes { read(fd, $0.baseAddress, $0.count) }
        if n <= 0 { break }
        bytes += chunk[0..<n]
        if bytes.count > Limits.eventBytes { throw UsageError("\(path): event is larger than \(Limits.eventBytes) bytes") }
    }
    if fd != 0 { close(fd) }
    let scanner = Scanner(rules: rules)
    do {
        try scanner.scanJSON(bytes)
    } catch {
        throw UsageError("\(path): \(error.description)")
    }
    // The text is made by the core, so that invigil_explain (the C interface) gives the same.
    print(scanner.explanation(format: .text, eventName: path, all: options.flags.contains("--all"),
                              selectedPacks: Set(selected)), terminator: "")
    return 0
}
