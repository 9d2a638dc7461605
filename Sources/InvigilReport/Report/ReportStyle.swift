/// The report's style sheet, inlined in the page: screen and print. System fonts only (nothing is
/// fetched); evidence wraps rather than being cut; each person starts a printed page.
enum ReportStyle {
    static let css = """
        :root{--critical:#b00020;--serious:#d9480f;--breach:#b8860b;--advice:#1c6aa3;--info:#666;--line:#ddd;color-scheme:light}
        *{box-sizing:border-box}
        body{font:15px/1.45 system-ui,-apple-system,"Segoe UI",Roboto,"Helvetica Neue",Arial,sans-serif;margin:0 auto;max-width:1100px;padding:0 1.2em 3em;color:#111;background:#fff}
        h1{font-size:1.6em;margin:.8em 0 .3em}h2{border-bottom:2px solid #111;padding-bottom:.2em;margin-top:1.6em}h3{margin:.2em 0}
        dl.run{display:grid;grid-template-columns:max-content 1fr;gap:.1em 1em;margin:.4em 0}dl.run dt{font-weight:600}dl.run dd{margin:0}
        table{border-collapse:collapse;width:100%;font-size:.85em}th,td{border-bottom:1px solid var(--line);padding:.2em .4em;text-align:left;vertical-align:top}
        td.hash{font-family:ui-monospace,Menlo,Consolas,monospace;word-break:break-all}td.num{text-align:right}
        .reconcile code{background:#f3f3f3;padding:.2em .4em;border-radius:3px}
        .note{color:#555;font-style:italic}.explain{color:#444}
        nav{margin:.6em 0;font-weight:600}
        #filters fieldset{border:1px solid var(--line);border-radius:6px;display:flex;flex-wrap:wrap;gap:.4em 1em;align-items:center}
        .badge{display:inline-block;min-width:5.2em;text-align:center;color:#fff;border-radius:3px;padding:0 .4em;font-size:.8em;font-weight:700;text-transform:uppercase;letter-spacing:.03em}
        .badge.sev-critical{background:var(--critical)}.badge.sev-serious{background:var(--serious)}.badge.sev-breach{background:var(--breach)}.badge.sev-advice{background:var(--advice)}.badge.sev-info{background:var(--info)}
        .count{font-weight:600}.count.sev-critical{color:var(--critical)}.count.sev-serious{color:var(--serious)}.count.sev-breach{color:var(--breach)}.count.sev-advice{color:var(--advice)}
        ol.queue{list-style:none;padding:0}
        .entry{border:1px solid var(--line);border-left:6px solid var(--info);border-radius:4px;padding:.5em .8em;margin:.6em 0;content-visibility:auto;contain-intrinsic-size:auto 220px}
        .entry.sev-critical{border-left-color:var(--critical)}.entry.sev-serious{border-left-color:var(--serious)}.entry.sev-breach{border-left-color:var(--breach)}.entry.sev-advice{border-left-color:var(--advice)}
        .entry-head{display:flex;flex-wrap:wrap;gap:.2em .8em;align-items:baseline}.entry-head .source,.entry-head .event{color:#555;font-size:.85em;word-break:break-all}
        .who{margin:.3em 0}.role,.id{color:#555}
        ul.rules{margin:.2em 0;padding-left:1.2em}ul.rules li{margin:.15em 0}a.clause{font-size:.85em;margin-left:.3em}
        .action{margin:.3em 0;background:#fff7e0;padding:.2em .4em;border-radius:3px}
        blockquote.evidence{margin:.4em 0;padding:.4em .6em;background:#f6f6f6;border-left:3px solid #999;white-space:pre-wrap;overflow-wrap:anywhere;font-family:ui-monospace,Menlo,Consolas,monospace;font-size:.88em}
        blockquote.evidence .field{display:block;font-family:system-ui,sans-serif;color:#666;font-size:.85em}
        mark{background:#ffe066;color:#000;font-weight:700;padding:0 .1em}
        .mask{background:#333;color:#fff;border-radius:2px;padding:0 .2em;font-size:.9em}
        article.person,article.clause{border-top:1px solid var(--line);padding:.6em 0;content-visibility:auto;contain-intrinsic-size:auto 260px}
        .section{font-weight:400;color:#555;font-size:.85em}.statement{margin:.2em 0}.keywords,.consequence{color:#333;font-size:.9em;margin:.2em 0}
        svg.timeline{width:100%;max-width:640px;height:auto;display:block}svg .axis{stroke:#999;stroke-width:1}svg .tick{font-size:9px;fill:#555}
        svg .dot{stroke:#fff;stroke-width:1}svg .sev-critical{fill:var(--critical)}svg .sev-serious{fill:var(--serious)}svg .sev-breach{fill:var(--breach)}svg .sev-advice{fill:var(--advice)}svg .sev-info{fill:var(--info)}
        ol.compact{font-size:.85em;margin:.3em 0;padding-left:1.2em;columns:2 28em}ol.compact li{break-inside:avoid}
        ol.compact li::marker{font-weight:700}ol.compact li.s-critical::marker,ol.compact li.s-critical a{color:var(--critical)}ol.compact li.s-serious a{color:var(--serious)}ol.compact li.s-breach a{color:#8a6508}ol.compact li.s-advice a{color:var(--advice)}ol.compact li.s-info a{color:var(--info)}
        ol.compact li.s-critical a::before{content:"critical ";font-weight:700}ol.compact li.s-serious a::before{content:"serious ";font-weight:700}
        .filtered-out{display:none}
        @media print{
          body{max-width:none;font-size:11pt;padding:0}
          #filters,.showing,nav{display:none}
          .entry,.person,.clause{content-visibility:visible;contain-intrinsic-size:none}
          .entry{break-inside:avoid;page-break-inside:avoid}
          .filtered-out{display:none}
          blockquote.evidence{white-space:pre-wrap;overflow:visible;break-inside:avoid}
          #people{break-before:page}#clauses{break-before:page}
          .person{break-before:page;page-break-before:always;border-top:0}
          .badge,mark,.mask{-webkit-print-color-adjust:exact;print-color-adjust:exact}
          a{color:inherit;text-decoration:none}
          details>summary{list-style:none}
          details::details-content{content-visibility:visible;display:block}
          ol.compact{columns:1}
        }
        """
}
