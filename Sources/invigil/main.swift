#if canImport(Glibc)
import Glibc
#endif

let usage = """
    usage: invigil <command> [options]

    commands:
      check PATH...            validate rule files or folders; print every problem
      test PATH...             run the examples written in the rules
      scan [options] INPUT...  scan archives and write findings (see invigil scan --help)
      explain [options] EVENT.json
                               show, for one event, every rule considered and why it did or did not fire
      bench [options] INPUT... compile and scan, then report speed, sizes, memory and the costliest rules
      compile [--rules PATH]... [--pack NAME]... -o FILE
                               compile the rules (default: the bundled packs) into one compiled file
      inspect FILE             show a compiled rule file's header and contents, and check it
      coverage [options]       write the policy-coverage report of the packs against the clause catalogue
      report [options] FINDINGS.jsonl
                               write the triage report (one HTML file) from a findings file
      version                  print the version
      help [COMMAND]           print this, or one command's help (also: invigil COMMAND --help)

    Exit status: 0 success / no finding, 1 findings or failed examples, 2 invalid rules or unusable input.
    """

let arguments = Array(CommandLine.arguments.dropFirst())
guard let command = arguments.first else {
    printError(usage)
    exit(2)
}
let rest = Array(arguments.dropFirst())
let commands = ["check", "test", "scan", "explain", "bench", "compile", "inspect", "coverage", "report", "version"]
let status: Int32
do {
    if commands.contains(command), asksForHelp(rest), let help = commandHelp(command) {
        print(help)
        exit(0)
    }
    switch command {
    case "check": status = try runCheck(rest)
    case "test": status = try runTest(rest)
    case "scan": status = try runScan(rest)
    case "explain": status = try runExplain(rest)
    case "bench": status = try runBench(rest)
    case "compile": status = try runCompile(rest)
    case "inspect": status = try runInspect(rest)
    case "coverage": status = runCoverage(arguments: rest)
    case "report": status = try runReport(rest)
    case "version", "--version": print("invigil \(invigilVersion)"); status = 0
    case "help", "--help", "-h":
        if let topic = rest.first {
            guard let help = commandHelp(topic) else {
                let hint = closestName(topic, commands).map { "; did you mean '\($0)'?" } ?? ""
                printError("invigil help: unknown command '\(topic)'\(hint)\n\n\(usage)")
                exit(2)
            }
            print(help)
        } else {
            print(usage)
        }
        status = 0
    default:
        let hint = closestName(command, commands).map { "; did you mean '\($0)'?" } ?? ""
        printError("invigil: unknown command '\(command)'\(hint)\n\n\(usage)")
        status = 2
    }
} catch {
    printError("invigil: \(error.message)")
    status = error.status
}
exit(status)
