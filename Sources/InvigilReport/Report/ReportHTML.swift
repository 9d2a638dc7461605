/// Renders the report as one self-contained HTML page: the header, the queue (one entry per
/// message, most severe first), the people and the clauses. Styles and the filter script are
/// inlined; nothing is fetched. Without the script every entry shows and the page prints.
public enum ReportHTML {
    public static func render(_ model: ReportModel, header: ReportHeader) -> String {
        var h = ""
        h.reserveCapacity(4096 + model.findingCount * 1200)
        h += "<!DOCTYPE html>\n<html lang=\"en\"><head><meta charset=\"utf-8\">"
        h += "<meta name=\"viewport\" content=\"width=device-width, initial-scale=1\">"
        h += "<meta name=\"generator\" content=\"invigil \(HTMLText.escape(header.engineVersion))\">"
        h += "<title>Invigil triage report — \(HTMLText.escape(header.ranAt))</title>"
        h += "<style>\(ReportStyle.css)</style></head>\n"
        h +=
            "<body data-findings=\"\(model.findingCount)\" data-messages=\"\(model.messages.count)\" data-people=\"\(model.people.count)\" data-clauses=\"\(model.clauses.count)\">\n"
        renderHeader(model, header, &h)
        renderFilters(model, &h)
        renderQueue(model, &h)
        renderPeople(model, &h)
        renderClauses(model, &h)
        h += "<script>\(ReportScript.js)</script>\n</body></html>\n"
        return h
    }

    static func sev(_ rank: Int) -> String { ReportModel.severities[max(0, min(4, rank))] }

    static func badge(_ rank: Int) -> String { "<span class=\"badge sev-\(sev(rank))\">\(sev(rank))</span>" }

    static func person(_ p: FindingRecord.Person, model: ReportModel, link: Int? = nil) -> String {
        var name = HTMLText.escapeShowingMasks(p.name ?? p.id ?? "?")
        if let id = p.id, p.name != nil, id != p.name { name += " <span class=\"id\">&lt;\(HTMLText.escapeShowingMasks(id))&gt;</span>" }
        if let link { name = "<a href=\"#p-\(link + 1)\">\(name)</a>" }
        if let role = p.role { name += " <span class=\"role\">(\(HTMLText.escape(role)))</span>" }
        return name
    }

    static func counts(_ c: [Int]) -> String {
        (0..<5).reversed().filter { c[$0] > 0 }.map { "<span class=\"count sev-\(sev($0))\">\(c[$0]) \(sev($0))</span>" }.joined(separator: " ")
    }

    // MARK: Header

    static func renderHeader(_ model: ReportModel, _ header: ReportHeader, _ h: inout String) {
        h += "<header id=\"top\"><h1>Invigil triage report</h1>\n<dl class=\"run\">"
        h += "<dt>Run by</dt><dd>\(HTMLText.escape(header.ranBy))</dd>"
        h += "<dt>When</dt><dd><time>\(HTMLText.escape(header.ranAt))</time></dd>"
        h += "<dt>Engine</dt><dd>invigil \(HTMLText.escape(header.engineVersion))</dd>"
        h += "<dt>Command</dt><dd><code>\(HTMLText.escape(header.command))</code></dd>"
        if let r = header.redaction { h += "<dt>Redaction</dt><dd class=\"redaction\">\(HTMLText.escape(r))</dd>" }
        h += "</dl>\n"
        if let line = header.reconciliation {
            h += "<p class=\"reconcile\" id=\"reconciliation\"><code>\(HTMLText.escape(line))</code></p>\n"
        }
        for note in header.notes { h += "<p class=\"note\">\(HTMLText.escape(note))</p>\n" }
        h +=
            "<details class=\"inputs\" open><summary>Inputs (\(header.inputs.count))</summary><table><thead><tr><th>file</th><th>bytes</th><th>SHA-256</th></tr></thead><tbody>"
        for i in header.inputs {
            h += "<tr><td>\(HTMLText.escape(i.path))</td><td class=\"num\">\(i.bytes)</td><td class=\"hash\">\(i.sha256 ?? "unreadable")</td></tr>"
        }
        h += "</tbody></table></details>\n"
        h +=
            "<details class=\"packs\" open><summary>Packs (\(header.packs.count))</summary><table><thead><tr><th>pack</th><th>title</th><th>file</th><th>SHA-256 (version)</th></tr></thead><tbody>"
        for p in header.packs {
            h +=
                "<tr><td>\(HTMLText.escape(p.name))</td><td>\(HTMLText.escape(p.title))</td><td>\(HTMLText.escape(p.file))</td><td class=\"hash\">\(p.sha256 ?? "unreadable")</td></tr>"
        }
        h += "</tbody></table></details>\n"
        h += "<p class=\"totals\" id=\"totals\"><span id=\"total-messages\">\(model.messages.count)</span> messages, "
        h += "<span id=\"total-findings\">\(model.findingCount)</span> findings: \(counts(model.findingCounts)); "
        h += "\(model.people.count) people, \(model.clauses.count) clauses.</p>\n"
        h += "<nav><a href=\"#queue\">Queue</a> · <a href=\"#people\">By person</a> · <a href=\"#clauses\">By clause</a></nav></header>\n"
    }

    // MARK: Filters

    static func renderFilters(_ model: ReportModel, _ h: inout String) {
        // Hidden until the script runs: without it the controls would do nothing.
        h += "<form id=\"filters\" hidden><fieldset><legend>Filter the queue</legend>"
        h += "<label>Severity at least <select name=\"sev\"><option value=\"\">any</option>"
        for r in (0..<5).reversed() { h += "<option value=\"\(sev(r))\">\(sev(r))</option>" }
        h += "</select></label> <label>Pack <select name=\"pack\"><option value=\"\">any</option>"
        for p in model.packs { h += "<option value=\"\(HTMLText.escape(p))\">\(HTMLText.escape(p))</option>" }
        h += "</select></label> <label>Person <select name=\"person\"><option value=\"\">anyone</option>"
        for (i, p) in model.people.enumerated() {
            h += "<option value=\"p-\(i + 1)\">\(HTMLText.escape(p.display))\(p.role.map { " (\(HTMLText.escape($0)))" } ?? "")</option>"
        }
        h += "</select></label> <label>From <input type=\"date\" name=\"from\"></label> <label>To <input type=\"date\" name=\"to\"></label>"
        h += " <button type=\"reset\">Clear</button></fieldset></form>\n"
        h += "<p class=\"showing\">Showing <span id=\"visible-count\">\(model.messages.count)</span> of \(model.messages.count) messages.</p>\n"
    }

    // MARK: Queue

    static func renderQueue(_ model: ReportModel, _ h: inout String) {
        h +=
            "<main><section id=\"queue\"><h2>Queue</h2>\n<p class=\"explain\">One entry per message, the most severe first. Each lists every rule and clause it breaks, what to do and whom to tell, and the evidence with the matched words marked.</p>\n<ol class=\"queue\">\n"
        for m in model.messages { renderEntry(m, model, &h) }
        h += "</ol></section>\n"
    }

    static func renderEntry(_ m: ReportModel.Message, _ model: ReportModel, _ h: inout String) {
        let date = m.seconds.map(ReportTime.date) ?? ""
        h +=
            "<li class=\"entry sev-\(sev(m.rank))\" id=\"m-\(m.number)\" data-sev=\"\(m.rank)\" data-packs=\" \(HTMLText.escape(m.packs.joined(separator: " "))) \""
        h += " data-person=\"\(m.person.map { "p-\($0 + 1)" } ?? "")\" data-date=\"\(date)\">"
        h += "<div class=\"entry-head\">\(badge(m.rank)) <span class=\"num\">#\(m.number)</span>"
        if let t = m.time { h += " <time>\(HTMLText.escape(t))</time>" }
        if m.channelType != nil || m.platform != nil {
            let platform = m.platform == m.channelType ? nil : m.platform
            h += " <span class=\"channel\">\(HTMLText.escape(m.channelType ?? ""))\(platform.map { " on " + HTMLText.escape($0) } ?? "")</span>"
        }
        h += " <span class=\"source\">\(HTMLText.escape(m.source))</span>"
        if m.event != m.source { h += " <span class=\"event\">event \(HTMLText.escapeShowingMasks(m.event))</span>" }
        h += "</div>\n<p class=\"who\">"
        h += m.author.map { "From " + person($0, model: model, link: m.person) } ?? "No author"
        if !m.recipients.isEmpty {
            let shown = m.recipients.prefix(8).map { person($0, model: model) }.joined(separator: ", ")
            h += " to \(shown)" + (m.recipients.count > 8 ? " and \(m.recipients.count - 8) more" : "")
        }
        h += "</p>\n<ul class=\"rules\">"
        var actions: [String] = []
        for f in m.findings.sorted(by: { ReportModel.rank($0.severity) > ReportModel.rank($1.severity) }) {
            h += "<li>\(badge(ReportModel.rank(f.severity))) <b>\(HTMLText.escape(f.rule))</b>"
            if !f.clauses.isEmpty {
                h +=
                    " " + f.clauses.map { "<a class=\"clause\" href=\"#c-\(HTMLText.escape($0))\">\(HTMLText.escape($0))</a>" }.joined(separator: " ")
            }
            h += "<br><span class=\"message\">\(HTMLText.escape(f.message))</span></li>"
            if !f.action.isEmpty && !actions.contains(f.action) { actions.append(f.action) }
        }
        h += "</ul>\n"
        if !actions.isEmpty {
            h += "<p class=\"action\"><b>Action:</b> \(actions.map(HTMLText.escape).joined(separator: "; "))</p>\n"
        }
        for w in m.windows.prefix(6) {
            let field = w.field + (w.index.map { "[\($0)]" } ?? "")
            h += "<blockquote class=\"evidence\"><span class=\"field\">\(HTMLText.escape(field)) \(w.start)–\(w.end)</span>"
            h += HTMLText.marked(w.text, w.matches, cutBefore: w.start > 0) + "</blockquote>\n"
        }
        if m.windows.count > 6 { h += "<p class=\"note\">\(m.windows.count - 6) more evidence windows in the findings file.</p>" }
        h += "</li>\n"
    }

    // MARK: People

    static func renderPeople(_ model: ReportModel, _ h: inout String) {
        h +=
            "<section id=\"people\"><h2>By person</h2>\n<p class=\"explain\">Each author, the worst first: messages by their highest severity, and a timeline of the whole report's span (higher dots are more severe).</p>\n"
        for (i, p) in model.people.enumerated() {
            h += "<article class=\"person\" id=\"p-\(i + 1)\" data-person=\"p-\(i + 1)\"><h3>\(HTMLText.escapeShowingMasks(p.display))"
            if let r = p.role { h += " <span class=\"role\">(\(HTMLText.escape(r)))</span>" }
            h += "</h3><p class=\"counts\">\(p.messages.count) message\(p.messages.count == 1 ? "" : "s"): \(counts(p.counts))</p>\n"
            h += Timeline.svg(person: p, model: model)
            h += "\n<ol class=\"compact\">"
            for mi in p.messages { h += compactItem(model.messages[mi]) }
            h += "</ol></article>\n"
        }
        let anonymous = model.messages.filter { $0.person == nil }.count
        if anonymous > 0 { h += "<p class=\"note\">\(anonymous) message\(anonymous == 1 ? " has" : "s have") no author.</p>\n" }
        h += "</section>\n"
    }

    static func compactItem(_ m: ReportModel.Message) -> String {
        let rules = m.findings.map(\.rule)
        let shown = rules.prefix(3).map(HTMLText.escape).joined(separator: ", ") + (rules.count > 3 ? " +\(rules.count - 3)" : "")
        // The severity as a class (a coloured marker in CSS), not a badge: these lists repeat every
        // message once per person and clause, so their size counts with 10,000 findings.
        return
            "<li data-m=\"\(m.number)\" class=\"s-\(sev(m.rank))\"><a href=\"#m-\(m.number)\">#\(m.number) \(HTMLText.escape(m.time ?? "no time")) — \(shown)</a></li>"
    }

    // MARK: Clauses

    static func renderClauses(_ model: ReportModel, _ h: inout String) {
        h +=
            "<section id=\"clauses\"><h2>By clause</h2>\n<p class=\"explain\">Each policy clause broken, with the policy's text from the clause catalogue, and the messages that break it.</p>\n"
        for c in model.clauses {
            h += "<article class=\"clause\" id=\"c-\(HTMLText.escape(c.id))\"><h3>\(HTMLText.escape(c.id))"
            if let t = c.text, !t.section.isEmpty { h += " <span class=\"section\">\(HTMLText.escape(t.section))</span>" }
            h += "</h3>"
            if let t = c.text {
                h += "<p class=\"statement\">\(HTMLText.escape(t.statement))</p>"
                if !t.keyWords.isEmpty { h += "<p class=\"keywords\">Policy wording: \(HTMLText.escape(t.keyWords))</p>" }
                if !t.consequence.isEmpty { h += "<p class=\"consequence\">Consequence: \(HTMLText.escape(t.consequence))</p>" }
            } else {
                h += "<p class=\"note\">This clause is not in the clause catalogue.</p>"
            }
            h += "<p class=\"counts\">\(c.messages.count) message\(c.messages.count == 1 ? "" : "s")</p><ol class=\"compact\">"
            for mi in c.messages { h += compactItem(model.messages[mi]) }
            h += "</ol></article>\n"
        }
        h += "</section></main>\n"
    }
}
