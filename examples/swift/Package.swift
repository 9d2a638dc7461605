// swift-tools-version: 6.1
// An example of depending on Invigil as a Swift package: compile a rule from a string, scan one
// event, print the findings. scripts/test-all builds and runs it, so it also checks that the
// Invigil package can be depended on (no unsafeFlags) and that this API keeps compiling.
//
// A real project depends on the repository by URL and version:
//     .package(url: "https://…/invigil.git", from: "1.0.0")
// Here the dependency is the checkout two levels up, so the example builds offline.
import PackageDescription

// SwiftPM names a path dependency after the last component of its path (the checkout's folder,
// whatever it is called), and a product is looked up by that identity.
let invigilPath = "../.."
let invigilIdentity = Context.packageDirectory.split(separator: "/").dropLast(2).last.map { String($0).lowercased() } ?? "invigil"

let package = Package(
    name: "InvigilExample",
    dependencies: [.package(path: invigilPath)],
    targets: [
        .executableTarget(
            name: "invigil-example",
            dependencies: [.product(name: "Invigil", package: invigilIdentity)],
            path: "Sources/invigil-example"
        )
    ]
)
