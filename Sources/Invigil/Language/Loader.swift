/// Reads rule files, follows their includes, and parses each file once.
struct Loader {
    private(set) var files: [SyntaxFile] = []
    private(set) var diagnostics: [Diagnostic] = []
    private var loaded: [String: Int] = [:]
    private var stack: [String] = []
    private var totalBytes = 0

    /// Reads the files and folders in `paths` (folders: every `.rules` file, recursively).
    mutating func load(paths: [String]) {
        for path in paths {
            switch FileSystem.kind(of: path) {
            case .directory:
                let found = FileSystem.ruleFiles(under: path)
                if found.isEmpty {
                    diagnostics.append(Diagnostic(kind: .io, location: SourceLocation(file: path, line: 0, column: 0),
                                                  message: "no .rules files in this folder"))
                }
                for file in found { loadFile(Path.normalize(file), includedFrom: nil) }
            case .missing:
                diagnostics.append(Diagnostic(kind: .io, location: SourceLocation(file: path, line: 0, column: 0),
                                              message: "cannot open: \(FileSystem.errnoText())"))
            default:
                loadFile(Path.normalize(path), includedFrom: nil)
            }
        }
    }

    /// Parses source text held in memory; its includes are read relative to `name`'s folder.
    mutating func load(source: [UInt8], name: String) {
        guard checkSize(source.count, name, nil) else { return }
        let text = SourceText(path: name, bytes: source)
        loaded[Path.normalize(name)] = files.count
        stack.append(Path.normalize(name))
        parse(text)
        stack.removeLast()
    }

    private mutating func checkSize(_ count: Int, _ path: String, _ from: (SourceText, Int)?) -> Bool {
        totalBytes += count
        if count > Limits.ruleFileBytes || totalBytes > Limits.ruleSetBytes {
            let message = count > Limits.ruleFileBytes
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
        switch FileSystem.read(path, limit: Limits.ruleFileBytes) {
        case .failure(let e):
            if let (src, off) = includedFrom {
                diagnostics.append(src.diagnostic(.io, at: off, "cannot read included file '\(path)': \(e.reason)"))
            } else {
                diagnostics.append(Diagnostic(kind: .io, location: SourceLocation(file: path, line: 0, column: 0), message: "cannot read: \(e.reason)"))
            }
        case .success(let bytes):
            guard checkSize(bytes.count, path, includedFrom) else { return }
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
        let folder = Path.directory(of: text.path)
        for include in file.includes {
            let p = include.path
            if p.hasPrefix("/") {
                diagnostics.append(text.diagnostic(.rules, at: include.offset, "include paths must be relative, not absolute: '\(p)'"))
                continue
            }
            if p.split(separator: "/").contains("..") {
                diagnostics.append(text.diagnostic(.rules, at: include.offset,
                    "include path '\(p)' leaves the including file's folder ('..' is not allowed)"))
                continue
            }
            if p.isEmpty {
                diagnostics.append(text.diagnostic(.rules, at: include.offset, "empty include path"))
                continue
            }
            loadFile(Path.normalize(Path.join(folder, p)), includedFrom: (text, include.offset))
        }
    }
}
