/// Placeholder until the coverage report lands.
func runCoverage(arguments: [String]) -> Int32 {
    printError("invigil coverage: not available in this build")
    return 2
}
