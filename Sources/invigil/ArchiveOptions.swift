import InvigilArchive

/// Reader options from the command line.
struct CommandLineArchiveOptions {
    var columnMap: [String: String] = [:]
    var directoryPath: String?
}

func ArchiveOptionsFromCommandLine(directory: String?, maps: [String]) throws(UsageError) -> CommandLineArchiveOptions {
    var options = CommandLineArchiveOptions()
    for m in maps {
        guard let eq = m.firstIndex(of: "="), eq != m.startIndex, m.index(after: eq) != m.endIndex else {
            throw UsageError("--map needs COLUMN=FIELD, got '\(m)'")
        }
        options.columnMap[String(m[..<eq])] = String(m[m.index(after: eq)...])
    }
    options.directoryPath = directory
    return options
}

func openArchive(path: String, format: ArchiveFormat, options: CommandLineArchiveOptions) throws(ArchiveOpenError) -> any ArchiveSource {
    try InvigilArchive.openArchive(path: path, format: format)
}
