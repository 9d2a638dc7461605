import InvigilArchive

/// The help of each command, for `invigil COMMAND --help` and `invigil help COMMAND`.

let checkHelp = """
    usage: invigil check [--quiet] PATH...

    Parses and validates rule files, or folders of them, and prints every problem as
    `file:line:col: error: message` with the source line and a suggestion where there is one.
    On success prints the number of rules, packs, phrases and examples and the compile time.

      --quiet, -q   print nothing on success

    Exit status: 0 valid, 2 invalid.
    """

let testHelp = """
    usage: invigil test [--verbose] PATH...

    Runs the examples written inside the rules (`example flag {...}` must raise a finding of its
    rule, `example pass {...}` must not), prints each failure with the example's location, then
    `N passed, M failed` alone on the last line.

      --verbose, -v   also print each example that passes

    Exit status: 0 all pass, 1 a failure, 2 invalid rules.
    """

let benchHelp = """
    usage: invigil bench [options] [INPUT...]

    Compiles the rules and reports compile time, automaton and bytecode size; with inputs, reads
    their records once, then scans them and reports throughput (MB/s, events/s), peak memory and
    the rules that cost most.

      --rules PATH         rule file or folder (repeatable); default: the bundled packs
      --pack NAME          a bundled pack by name or school code (repeatable)
      --input-format FMT   \(ArchiveFormat.names) (default: auto)
      --repeat N           scan the records N times

    Exit status: 0.
    """

let compileHelp = """
    usage: invigil compile [--rules PATH]... [--pack NAME]... -o FILE

    Compiles rule files or folders (default: the bundled packs) into one compiled rule file, which
    scan, test, explain and bench load in place of sources, telling it by its content. `--pack`
    keeps only the named bundled packs (with the schema and lists they use). The format and its
    compatibility promise are in docs/compiled-format.md.

      --rules PATH       rule file or folder (repeatable)
      --pack NAME        a bundled pack by name or school code (repeatable)
      -o, --output FILE  the compiled file to write
      --quiet, -q        print nothing on success

    Exit status: 0 written, 2 invalid rules or a file that cannot be written.
    """

let inspectHelp = """
    usage: invigil inspect FILE

    Checks a compiled rule file (header, checksum, every table) and shows its header and contents:
    format and engine versions, packs, rules, automata, sizes. A damaged or foreign file gets one
    message saying what is wrong.

    Exit status: 0 a sound file, 2 a damaged, foreign or unreadable one.
    """

/// The help text of a command, or nil for an unknown command.
func commandHelp(_ command: String) -> String? {
    switch command {
    case "check": return checkHelp
    case "test": return testHelp
    case "scan": return scanHelp
    case "explain": return explainHelp
    case "bench": return benchHelp
    case "compile": return compileHelp
    case "inspect": return inspectHelp
    case "coverage": return coverageUsage
    case "report": return reportHelp
    case "version": return "usage: invigil version\n\nPrints the version."
    case "help": return "usage: invigil help [COMMAND]\n\nPrints the commands, or one command's help."
    default: return nil
    }
}

/// Whether the arguments ask for help (`--help` or `-h` before any `--`).
func asksForHelp(_ arguments: [String]) -> Bool {
    for a in arguments {
        if a == "--" { return false }
        if a == "--help" || a == "-h" { return true }
    }
    return false
}
