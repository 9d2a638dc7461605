import InvigilArchive

/// The reader options `invigil scan` accepts; their meaning is the archive module's.
let readerOptionNames = ["--map", "--set", "--directory", "--csv-delimiter", "--csv-columns", "--date-order", "--chat-timezone"]

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
