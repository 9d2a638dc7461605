// swift-tools-version: 6.1
import PackageDescription

let package = Package(
    name: "Invigil",
    products: [
        .library(name: "Invigil", targets: ["Invigil"]),
        .executable(name: "invigil", targets: ["invigil"]),
        .executable(name: "invigil-bench", targets: ["InvigilBench"]),
        // The C interface (include/invigil.h) as a shared library: libInvigilC.so. The distributable
        // libinvigil.so / libinvigil.a (SONAME, static Swift runtime, exports list) come from CMakeLists.txt.
        .library(name: "InvigilC", type: .dynamic, targets: ["InvigilC"])
    ],
    targets: [
        // The engine core: rule language, checker, compiler, automaton, bytecode, scanner. No Foundation.
        // No unsafeFlags: SwiftPM refuses them in a package that others depend on by version. The
        // scanner's hot state is marked `@exclusivity(unchecked)` instead (Scan/Scanner.swift).
        .target(name: "Invigil", dependencies: ["InvigilSIMD"], path: "Sources/Invigil"),
        // SIMD kernels of the automaton (AVX2 with a runtime check); the core scans without them when absent.
        .target(name: "InvigilSIMD", path: "Sources/InvigilSIMD"),
        // Archive readers (JSONL, CSV, mbox/eml/Maildir, WhatsApp) and the people directory.
        .target(name: "InvigilArchive", dependencies: ["Invigil", "InvigilSIMD"], path: "Sources/InvigilArchive"),
        // The clause catalogue (policies/clauses.tsv) and the policy-coverage report of rule packs against it.
        .target(name: "InvigilPolicy", dependencies: ["Invigil"], path: "Sources/InvigilPolicy"),
        // The triage report (HTML) and redaction: SHA-256 and HMAC, masking, pseudonyms, the findings reader.
        .target(name: "InvigilReport", dependencies: ["Invigil", "InvigilArchive", "InvigilPolicy", "InvigilSIMD"], path: "Sources/InvigilReport"),
        // The command.
        .executableTarget(
            name: "invigil", dependencies: ["Invigil", "InvigilArchive", "InvigilPolicy", "InvigilReport", "InvigilSIMD"], path: "Sources/invigil"),
        // Benchmarks: `swift run -c release invigil-bench`.
        .executableTarget(name: "InvigilBench", dependencies: ["Invigil", "InvigilArchive", "InvigilCTests"], path: "Benchmarks/InvigilBench"),
        // C interface: the header (a C target; include/invigil.h is symlinked in) and its Swift implementation.
        .target(name: "CInvigil", path: "Sources/CInvigil"),
        .target(name: "InvigilC", dependencies: ["Invigil", "CInvigil"], path: "Sources/InvigilC"),
        // C tests of the C interface, shared with CMake's ctest, and the Swift test target that runs them.
        .target(name: "InvigilCTests", dependencies: ["CInvigil", "InvigilC"], path: "Tests/InvigilCTests"),
        // The interpreter of C-interface call programs: the `capi` fuzz target, and a replay in the tests.
        .target(name: "InvigilCAPIPrograms", dependencies: ["CInvigil", "InvigilC"], path: "Tests/InvigilCAPIPrograms"),
        .testTarget(
            name: "InvigilCABITests", dependencies: ["Invigil", "InvigilC", "InvigilCTests", "InvigilCAPIPrograms"], path: "Tests/InvigilCABITests"),
        .testTarget(name: "InvigilTests", dependencies: ["Invigil", "InvigilArchive", "InvigilPolicy", "InvigilReport"], path: "Tests/InvigilTests")
    ]
)

// Fuzz targets (docs/fuzzing.md): only with INVIGIL_FUZZ=1, built by scripts/fuzz with
// -sanitize=fuzzer,address into .build-fuzz. Normal builds do not see them.
if Context.environment["INVIGIL_FUZZ"] == "1" {
    package.targets += [
        .target(name: "InvigilFuzzDriver", path: "Fuzz/Driver"),
        .executableTarget(
            name: "invigil-fuzz",
            dependencies: ["Invigil", "InvigilArchive", "InvigilReport", "InvigilC", "CInvigil", "InvigilCAPIPrograms", "InvigilFuzzDriver"],
            path: "Fuzz/Sources"
        )
    ]
}
