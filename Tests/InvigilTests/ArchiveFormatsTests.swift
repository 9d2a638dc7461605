import Testing
@testable import InvigilArchive

/// The format table is the one place formats are listed: it must cover every format exactly
/// once, name only reader options that exist, and recognise inputs as the readers expect.
@Suite("Archive format descriptors")
struct ArchiveFormatsTests {
    @Test func everyFormatHasExactlyOneDescriptor() {
        let described = ArchiveFormat.descriptors.map(\.format)
        #expect(Set(described).count == described.count)
        #expect(Set(described) == Set(ArchiveFormat.allCases).subtracting([.auto]))
        #expect(ArchiveFormat.auto.descriptor == nil)
        for format in ArchiveFormat.allCases where format != .auto {
            #expect(format.descriptor?.format == format)
            #expect(ArchiveFormat(name: format.rawValue.uppercased()) == format)
        }
        #expect(ArchiveFormat.names == ArchiveFormat.allCases.map(\.rawValue).joined(separator: ", "))
        #expect(!ArchiveFormat.fileFormatNames.contains("maildir") && ArchiveFormat.readableNames.contains("maildir"))
    }

    @Test func extensionsAreUniqueAndRecognised() {
        var seen: [String: ArchiveFormat] = [:]
        for d in ArchiveFormat.descriptors {
            for ext in d.extensions {
                #expect(ext.hasPrefix(".") && ext == ext.lowercased(), "\(ext)")
                #expect(seen[ext] == nil, "\(ext) listed twice")
                seen[ext] = d.format
                // By name alone (the file need not exist), in any case.
                #expect(recognizedFormat(path: "/nonexistent/archive" + ext.uppercased()) == d.format)
            }
        }
        #expect(seen.count >= 9)
    }

    @Test func descriptorsNameOnlyExistingReaderOptions() {
        let known = Set(ArchiveOptions.help.map { String($0.option.prefix { $0 != " " }) })
        for d in ArchiveFormat.descriptors {
            for option in d.options { #expect(known.contains(option), "\(d.format): \(option)") }
            #expect(!d.summary.isEmpty)
        }
    }

    @Test(
        "content tells the format",
        arguments: [
            ("From alice@example.org Mon Jan  1 00:00:00 2024\nFrom: alice@example.org\n\nhi\n", ArchiveFormat.mbox),
            ("  {\"text\":\"hi\"}\n", .jsonl),
            ("\n\n[12/10/22, 13:37:00] Jamie: hello\n", .whatsapp),
            ("12/10/2022, 13:37 - Jamie: hello\n", .whatsapp),
            ("From: alice@example.org\nTo: bob@example.org\nSubject: x\n\nbody\n", .eml),
            ("Received: from x\n  by y\n", .eml),
            ("author,text,time\na,b,c\n", .csv),
            ("author\ttext\n", .csv)
        ])
    func sniffing(_ text: String, _ expected: ArchiveFormat) {
        #expect(sniffFormat(head: Array(text.utf8)) == expected)
    }

    @Test func unknownContentIsNoFormat() {
        #expect(sniffFormat(head: Array("just some words\n".utf8)) == nil)
        #expect(sniffFormat(head: Array("   \n\n".utf8)) == nil)
        #expect(sniffFormat(head: []) == nil)
        #expect(sniffFormat(head: [0x25, 0x50, 0x44, 0x46, 0x2D, 0x31]) == nil)  // a PDF
    }
}
