/// Reads rule files, follows their includes, and parses each file once.
struct Loader {
    /// Where included files may come from (see `IncludeAccess`).
    var access: IncludeAccess = .filesystem
    /// The folder includes must stay inside: the top-level folder, or the top-level file's folder.
    private var root = "."
    /// The folder a source's includes resolve against, when it is not the source's own folder
    /// (source held in memory, under `.folder` or `.resolver`).
    private var folderOverride: [String: String] = [:]
    private(set) var files: [SyntaxFile] = []
    private(set) var diagnostics: [Diagnostic] = []
    /// Whether to keep `readFiles` (the command's cache asks; other loads need no checksums).
    var recordsReadFiles = false
    /// Every file read from the file system, in reading order, with its size and CRC-32C
    /// (`SourceManifest`), when `recordsReadFiles`.
    private(set) var readFiles: [SourceManifest.File] = []
    private var loaded: [String: Int] = [:]
    private var stack: [String] = []
    private var totalBytes = 0

    /// Reads the files and folders in `paths` (folders: every `.rules` file, recursively).
    mutating func load(paths: [String]) {
        for path in paths {
            switch FileSystem.kind(of: path) {
            case .directory:
                root = path
                let found = FileSystem.ruleFiles(under: path)
                if found.isEmpty {
                    diagnostics.append(
                        Diagnostic(
                            kind: .io, location: SourceLocation(file: path, line: 0, column: 0),
                            message: "no .rules files in this folder"))
                }
                for file in found { loadFile(Path.normalize(file), includedFrom: nil) }
            case .missing:
                diagnostics.append(
                    Diagnostic(
                        kind: .io, location: SourceLocation(file: path, line: 0, column: 0),
                        message: "cannot open: \(FileSystem.errnoText())"))
            default:
                root = Path.directory(of: path)
                loadFile(Path.normalize(path), includedFrom: nil)
            }
        }
    }

    /// Parses source text held in memory; its includes are read relative to `name`'s folder.
    mutating func load(source: [UInt8], name: String) {
        guard checkSize(source.count, name, nil) else { return }
        switch access {
        case .filesystem: root = Path.directory(of: name)
        case .folder(let folder):
            root = folder
            folderOverride[Path.normalize(name)] = folder
        case .resolver: folderOverride[Path.normalize(name)] = "."
        case .refused: break
        }
        let text = SourceText(path: name, bytes: source)
        loaded[Path.normalize(name)] = files.count
        stack.append(Path.normalize(name))
        parse(text)
        stack.removeLast()
    }

    private mutating func checkSize(_ count: Int, _ path: String, _ from: (SourceText, Int)?) -> Bool {
        totalBytes += count
        if count > Limits.ruleFileBytes || totalBytes > Limits.ruleSetBytes {
            let message =
                count > Limits.ruleFileBytes
                ? "rule file is larger than the limit of \(Limits.ruleFileBytes) bytes"
                : "rule set is larger than the limit of \(Limits.ruleSetBytes) bytes in all"
            if let (src, off) = from {
                diagnostics.append(src.diagnostic(.limit, at: off, message))
            } else {
                diagnostics.append(Diagnostic(kind: .limit, location: SourceLocation(file: path, line: 0, column: 0), message: message))
            }
            return false
        }
        return true
    }

    private mutating func loadFile(_ path: String, includedFrom: (SourceText, Int)?) {
        if let cycleStart = stack.firstIndex(of: path) {
            let cycle = (stack[cycleStart...] + [path]).joined(separator: " -> ")
            if let (src, off) = includedFrom {
                diagnostics.append(src.diagnostic(.rules, at: off, "include cycle: \(cycle)"))
            }
            return
        }
        if loaded[path] != nil { return }
        if stack.count >= Limits.includeDepth {
            if let (src, off) = includedFrom {
                diagnostics.append(src.diagnostic(.limit, at: off, "includes nest deeper than the limit of \(Limits.includeDepth)"))
            }
            return
        }
        switch read(path, includedFrom: includedFrom) {
        case .failure(let e):
            if let (src, off) = includedFrom {
                diagnostics.append(src.diagnostic(.io, at: off, "cannot read included file '\(path)': \(e.reason)"))
            } else {
                diagnostics.append(
                    Diagnostic(kind: .io, location: SourceLocation(file: path, line: 0, column: 0), message: "cannot read: \(e.reason)"))
            }
        case .success(let bytes):
            guard checkSize(bytes.count, path, includedFrom) else { return }
            if recordsReadFiles { readFiles.append(SourceManifest.File(path: path, size: bytes.count, checksum: CRC32C.checksum(bytes))) }
            loaded[path] = -1
            stack.append(path)
            parse(SourceText(path: path, bytes: bytes))
            stack.removeLast()
        }
    }

    private mutating func parse(_ text: SourceText) {
        if !validUTF8(text.bytes) {
            var offset = 0
            var it = text.bytes.makeIterator()
            var decoder = UTF8()
            var consumed = 0
            loop: while true {
                let before = consumed
                switch decoder.decode(&it) {
                case .scalarValue(let s): consumed += UTF8.width(s)
                case .emptyInput: break loop
                case .error: offset = before; break loop
                }
            }
            diagnostics.append(text.diagnostic(.syntax, at: offset, "file is not valid UTF-8"))
            return
        }
        let (file, problems) = Parser.parse(text)
        diagnostics += problems
        files.append(file)
        let folder = folderOverride[Path.normalize(text.path)] ?? Path.directory(of: text.path)
        for include in file.includes {
            let p = include.path
            if p.hasPrefix("/") {
                diagnostics.append(text.diagnostic(.rules, at: include.offset, "include paths must be relative, not absolute: '\(p)'"))
                continue
            }
            if p.split(separator: "/").contains("..") {
                diagnostics.append(
                    text.diagnostic(
                        .rules, at: include.offset,
                        "include path '\(p)' leaves the including file's folder ('..' is not allowed)"))
                continue
            }
            if p.isEmpty {
                diagnostics.append(text.diagnostic(.rules, at: include.offset, "empty include path"))
                continue
            }
            // "." or "./" names the including file's folder, not a file (found by the includes fuzzer:
            // a resolver must only be asked for files).
            let normalized = Path.normalize(p)
            if normalized.isEmpty || normalized == "." {
                diagnostics.append(text.diagnostic(.rules, at: include.offset, "include path '\(p)' names a folder, not a file"))
                continue
            }
            let target = Path.normalize(Path.join(folder, p))
            switch access {
            case .refused:
                diagnostics.append(
                    text.diagnostic(
                        .io, at: include.offset,
                        "include '\(p)' refused: source compiled from memory reads no file unless an include resolver or a base folder is given"))
                continue
            case .filesystem, .folder:
                // Checked before the file is opened: a link out of the folder is never read.
                if !FileSystem.contains(folder: root, target) {
                    diagnostics.append(
                        text.diagnostic(
                            .io, at: include.offset,
                            "include '\(p)' refused: it leads out of the rule set's folder '\(root)' (through a symbolic link)"))
                    continue
                }
            case .resolver:
                break
            }
            loadFile(target, includedFrom: (text, include.offset))
        }
    }

    /// Reads a rule file as the include access allows.
    private func read(_ path: String, includedFrom: (SourceText, Int)?) -> Result<[UInt8], FileError> {
        guard case .resolver(let resolve) = access else { return FileSystem.read(path, limit: Limits.ruleFileBytes) }
        let from = includedFrom?.0.path ?? ""
        switch resolve(path, from) {
        case .success(let bytes):
            if bytes.count > Limits.ruleFileBytes {
                return .failure(FileError(path: path, reason: "file is larger than the limit of \(Limits.ruleFileBytes) bytes"))
            }
            return .success(bytes)
        case .failure(let refusal):
            return .failure(FileError(path: path, reason: refusal.message))
        }
    }
}
