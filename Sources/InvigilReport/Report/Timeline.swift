/// A person's findings over time as inline SVG: one dot per message on a common axis (the whole
/// report's time span, so that people can be compared), coloured by severity, each with a
/// `<title>` tooltip and a link to the message in the queue.
enum Timeline {
    static let width = 640.0
    static let height = 46.0
    static let margin = 12.0

    static func svg(person: ReportModel.Person, model: ReportModel) -> String {
        guard let range = model.timeRange else { return "" }
        let span = Double(max(1, range.upperBound - range.lowerBound))
        var dots = ""
        var undated = 0
        for i in person.messages {
            let m = model.messages[i]
            guard let s = m.seconds else { undated += 1; continue }
            let x = margin + (width - 2 * margin) * Double(s - range.lowerBound) / span
            let sev = ReportModel.severities[m.rank]
            // Higher severities sit higher, so that a cluster of critical messages stands out.
            let y = 30.0 - Double(m.rank) * 5.0
            let label = HTMLText.escape("\(m.time ?? "") \(sev): \(m.findings.map(\.rule).joined(separator: ", "))")
            dots +=
                "<a href=\"#m-\(m.number)\"><circle class=\"dot sev-\(sev)\" cx=\"\(format(x))\" cy=\"\(format(y))\" r=\"4\"><title>\(label)</title></circle></a>"
        }
        let start = ReportTime.date(range.lowerBound), end = ReportTime.date(range.upperBound)
        var svg = "<svg class=\"timeline\" viewBox=\"0 0 \(Int(width)) \(Int(height))\" role=\"img\" aria-label=\"findings from \(start) to \(end)\">"
        svg += "<line x1=\"\(margin)\" y1=\"34\" x2=\"\(width - margin)\" y2=\"34\" class=\"axis\"/>"
        svg += dots
        svg += "<text x=\"\(margin)\" y=\"44\" class=\"tick\">\(start)</text>"
        svg += "<text x=\"\(width - margin)\" y=\"44\" class=\"tick\" text-anchor=\"end\">\(end)</text></svg>"
        if undated > 0 { svg += "<p class=\"note\">\(undated) message\(undated == 1 ? "" : "s") without a time.</p>" }
        return svg
    }

    static func format(_ v: Double) -> String {
        let tenths = Int((v * 10).rounded())
        return "\(tenths / 10).\(abs(tenths % 10))"
    }
}
