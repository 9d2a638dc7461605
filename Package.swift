// swift-tools-version: 6.1
import PackageDescription

let package = Package(
    name: "Invigil",
    products: [
        .library(name: "Invigil", targets: ["Invigil"]),
        .executable(name: "invigil", targets: ["invigil"]),
        .executable(name: "invigil-bench", targets: ["InvigilBench"]),
    ],
    targets: [
        // The engine core: rule language, checker, compiler, automaton, bytecode, scanner. No Foundation.
        .target(
            name: "Invigil",
            path: "Sources/Invigil",
            swiftSettings: [.unsafeFlags(["-enforce-exclusivity=unchecked"])]
        ),
        // Archive readers (JSONL, CSV, mbox/eml/Maildir, WhatsApp) and the people directory.
        .target(name: "InvigilArchive", dependencies: ["Invigil"], path: "Sources/InvigilArchive"),
        // The command.
        .executableTarget(name: "invigil", dependencies: ["Invigil", "InvigilArchive"], path: "Sources/invigil"),
        // Benchmarks: `swift run -c release invigil-bench`.
        .executableTarget(name: "InvigilBench", dependencies: ["Invigil"], path: "Benchmarks/InvigilBench"),
        .testTarget(name: "InvigilTests", dependencies: ["Invigil", "InvigilArchive"], path: "Tests/InvigilTests"),
    ]
)
