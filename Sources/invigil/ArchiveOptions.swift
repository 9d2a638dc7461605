import InvigilArchive

/// The reader options `invigil scan` and `explain` accept: the archive module's, from its help
/// table, so that a new reader option needs no change here.
let readerOptionNames = ArchiveOptions.help.map { String($0.option.prefix { $0 != " " }) }

func readerOptions(from options: Options) throws(UsageError) -> ArchiveOptions {
    var result = ArchiveOptions()
    for name in readerOptionNames {
        for value in options.all(name) {
            do {
                _ = try result.apply(option: name, value: value)
            } catch {
                throw UsageError("\(error.path): \(error.reason)")
            }
        }
    }
    return result
}

var readerOptionsHelp: String {
    ArchiveOptions.help.map { entry in
        let pad = String(repeating: " ", count: max(1, 24 - entry.option.count))
        return "  " + entry.option + pad + entry.meaning
    }.joined(separator: "\n")
}
