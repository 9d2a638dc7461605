#!/usr/bin/env python3
"""Disguised recall of the packs, measured on their own flag examples.

Takes the `example flag` events of a packs folder (--examples, by default this repository's),
scans them with a packs folder (--packs), and for every (event, rule) finding whose evidence is a
phrase-list match in a text field, writes the event again with the matched words disguised, one
way at a time:

  spaced      letters separated by spaces           text me     -> t e x t  m e
  dotted      letters separated by dots             ofsted      -> o.f.s.t.e.d
  hyphenated  words joined by hyphens               text me     -> text-me
  leet        letters replaced by digits/symbols    password    -> p455w0rd
  fullwidth   fullwidth forms                       text        -> ｔｅｘｔ
  cyrillic    Cyrillic look-alikes                  secret      -> ѕесrеt
  zerowidth   a zero-width space inside each word   confidential -> confi\u200bdential
  mixedcase   alternating case                      ofsted      -> oFsTeD

(only words that people type: phrase-list matches in text, subject, profile and display-name
fields; host lists and detectors read URLs, addresses and numbers, which have their own
disguise handling), then scans the disguised events and reports, per disguise and pack, the share of findings that
are still made (the same rule on the disguised event). Run it with the same examples against two
packs folders to compare them:

    swift build -c release --product invigil
    python3 scripts/disguise-recall.py --examples ../main/packs --packs ../main/packs   # before
    python3 scripts/disguise-recall.py --examples ../main/packs --packs packs           # after
    # without the offensive-language lists:
    python3 scripts/disguise-recall.py --exclude-lists offensive_terms,discriminatory_terms,sexual_terms,threat_terms
"""
import argparse
import collections
import json
import os
import re
import shutil
import subprocess
import sys
import tempfile

ROOT = os.path.dirname(os.path.dirname(os.path.abspath(__file__)))
DETECTORS = {"phone", "email", "url"}
# The fields people type: account.platform, web.host and the like are set by the ingestion.
TEXT_FIELDS = {"text", "subject", "profile.bio", "profile.workplace", "profile.job_title", "account.display_name"}
LEET = {"a": "4", "e": "3", "i": "1", "o": "0", "s": "5", "t": "7"}
CYRILLIC = {"a": "а", "c": "с", "e": "е", "o": "о", "p": "р", "x": "х", "y": "у", "s": "ѕ", "i": "і"}
PACK_CODES = {"bratton": "BRAT", "woolhampton": "WOOL", "cherry-trees": "CHER", "prudhoe": "PCHS", "dsat": "DSAT"}


def disguise(kind, s):
    if kind == "spaced":
        return "  ".join(" ".join(w) for w in s.split(" "))
    if kind == "dotted":
        return " ".join(".".join(w) for w in s.split(" "))
    if kind == "hyphenated":
        return "-".join(s.split(" "))
    if kind == "leet":
        return "".join(LEET.get(c.lower(), c) for c in s)
    if kind == "fullwidth":
        return "".join(chr(ord(c) + 0xFEE0) if "!" <= c <= "~" else c for c in s)
    if kind == "cyrillic":
        return "".join(CYRILLIC.get(c, c) for c in s)
    if kind == "zerowidth":
        return " ".join(w[: len(w) // 2] + "\u200b" + w[len(w) // 2:] if len(w) > 1 else w for w in s.split(" "))
    if kind == "mixedcase":
        return "".join(c.upper() if i % 2 else c.lower() for i, c in enumerate(s))
    raise ValueError(kind)


KINDS = ["spaced", "dotted", "hyphenated", "leet", "fullwidth", "cyrillic", "zerowidth", "mixedcase"]


def flag_examples(packs):
    """The JSON of every `example flag { ... }` under packs."""
    out = []
    for dirpath, _, files in os.walk(packs):
        for name in sorted(files):
            if not name.endswith(".rules"):
                continue
            text = open(os.path.join(dirpath, name), encoding="utf-8").read()
            for m in re.finditer(r"example flag \{", text):
                i = m.end() - 1
                depth, j, instr = 0, i, False
                while True:
                    c = text[j]
                    if instr:
                        if c == "\\":
                            j += 1
                        elif c == '"':
                            instr = False
                    elif c == '"':
                        instr = True
                    elif c == "{":
                        depth += 1
                    elif c == "}":
                        depth -= 1
                        if depth == 0:
                            break
                    j += 1
                out.append(json.loads(text[i:j + 1]))
    return out


def scan(invigil, packs, events, tmp, name):
    path = os.path.join(tmp, name)
    with open(path, "w", encoding="utf-8") as f:
        for e in events:
            f.write(json.dumps(e, ensure_ascii=False) + "\n")
    p = subprocess.run([invigil, "scan", "--rules", packs, "--format", "jsonl", "--no-progress", path],
                       stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True)
    if p.returncode not in (0, 1):
        sys.exit("invigil scan failed (%d): %s" % (p.returncode, p.stderr[:2000]))
    return [json.loads(line) for line in p.stdout.splitlines()]


def get_field(ev, dotted):
    d = ev
    for part in dotted.split("."):
        if not isinstance(d, dict) or part not in d:
            return None
        d = d[part]
    return d


def set_field(ev, dotted, value):
    parts = dotted.split(".")
    d = ev
    for part in parts[:-1]:
        d = d[part]
    d[parts[-1]] = value


def main():
    ap = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    ap.add_argument("--invigil", default=os.path.join(ROOT, ".build", "release", "invigil"))
    ap.add_argument("--examples", default=os.path.join(ROOT, "packs"), help="packs folder whose flag examples are used")
    ap.add_argument("--packs", default=os.path.join(ROOT, "packs"), help="packs folder that scans them")
    ap.add_argument("--exclude-lists", default="",
                    help="comma-separated lists whose matches are not disguised (findings resting on them are left out)")
    args = ap.parse_args()
    excluded = {x for x in args.exclude_lists.split(",") if x}
    hosts = set()
    for dirpath, _, files in os.walk(args.packs):
        for name in files:
            if name.endswith(".rules"):
                hosts |= set(re.findall(r"(?m)^hosts\s+(\w+)", open(os.path.join(dirpath, name), encoding="utf-8").read()))

    examples = flag_examples(args.examples)
    for n, e in enumerate(examples):
        e["id"] = "ex-%d" % n
    tmp = tempfile.mkdtemp(prefix="invigil-disguise-")
    try:
        plain = scan(args.invigil, args.packs, examples, tmp, "plain.jsonl")
        by_id = {e["id"]: e for e in examples}
        disguised, expected = [], []
        for f in plain:
            if any(m["pattern"] in excluded for m in f["matches"]):
                continue
            spans = [m for m in f["matches"] if m["pattern"] not in DETECTORS and m["pattern"] not in hosts
                     and m["field"] in TEXT_FIELDS and isinstance(get_field(by_id[f["event"]], m["field"]), str)]
            if not spans:
                continue
            for kind in KINDS:
                ev = json.loads(json.dumps(by_id[f["event"]]))
                for field in {m["field"] for m in spans}:
                    raw = get_field(ev, field).encode("utf-8")
                    # Disguise each matched span, last first, so that earlier offsets hold.
                    chosen = sorted({(m["start"], m["end"]) for m in spans if m["field"] == field}, reverse=True)
                    last = None
                    for s, e in chosen:
                        if last is not None and e > last:
                            continue  # overlapping match: already disguised
                        word = raw[s:e].decode("utf-8", "replace")
                        raw = raw[:s] + disguise(kind, word).encode("utf-8") + raw[e:]
                        last = s
                    set_field(ev, field, raw.decode("utf-8"))
                ev["id"] = "%s/%s/%d" % (f["event"], kind, len(disguised))
                disguised.append(ev)
                expected.append((ev["id"], f["rule"], kind))
        found = {(f["event"], f["rule"]) for f in scan(args.invigil, args.packs, disguised, tmp, "disguised.jsonl")}
    finally:
        shutil.rmtree(tmp, ignore_errors=True)

    total = collections.Counter()
    kept = collections.Counter()
    for ident, rule, kind in expected:
        pack = PACK_CODES.get(rule.split("/")[0], rule.split("/")[0])
        for key in ((pack, kind), (pack, "all"), ("all", kind), ("all", "all")):
            total[key] += 1
            kept[key] += (ident, rule) in found
    packs = sorted({k[0] for k in total if k[0] != "all"}) + ["all"]
    cols = KINDS + ["all"]
    print("findings on %d flag examples whose evidence is a phrase match; share still found when the matched words are disguised" % len(examples))
    print("| pack | " + " | ".join(cols) + " |")
    print("|---|" + "---|" * len(cols))
    for p in packs:
        cells = []
        for k in cols:
            t = total[(p, k)]
            cells.append("%.0f %%" % (100.0 * kept[(p, k)] / t) if t else "—")
        print("| %s | %s |" % (p, " | ".join(cells)))
    print("(%d disguised findings expected)" % total[("all", "all")])


if __name__ == "__main__":
    main()
