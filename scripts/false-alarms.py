#!/usr/bin/env python3
"""False alarms of the phrase-list normalisation modes on benign real text.

Converts the benign real corpora (SMS Spam Collection `ham` lines, the Enron sample's message
bodies) into Invigil events with no other signal than the author's role and the recipient, once
per context:

  parent  staff -> parent direct message
  post    staff public post (no audience, no account: nothing else to go on)
  pupil   staff -> pupil direct message (only with --contexts ...,pupil; the secrecy and grooming
          rules are about pupils, so their lists raise nothing in the other two contexts)

then, for each variant, copies the packs folder to a temporary folder, rewrites the `normalize:`
line of the chosen phrase lists (every `phrases NAME {` block of that name, in any file), runs
`invigil scan --rules <copy> --format jsonl` and prints, per pack and mode, findings per 1,000
messages and the findings that are new compared with the plain variant (normalisation removed
from the chosen lists). Python 3, standard library only.

    swift build -c release --product invigil
    python3 scripts/false-alarms.py                      # table for the default lists
    python3 scripts/false-alarms.py --by-list            # extra findings per list and mode
    python3 scripts/false-alarms.py --show 5             # print a few extra findings per variant
    python3 scripts/false-alarms.py --variants as-is     # the packs exactly as committed
    python3 scripts/false-alarms.py --as-is              # per pack: share of messages with a finding
    python3 scripts/false-alarms.py --as-is --packs /tmp/base/packs --data /path/to/real
"""
import argparse
import collections
import csv
import json
import os
import re
import shutil
import subprocess
import sys
import tempfile

ROOT = os.path.dirname(os.path.dirname(os.path.abspath(__file__)))

# Lists whose subjects call for normalisation: contact offers, app names, secrecy and
# grooming markers, credentials, and the pack-specific offers of contact details.
DEFAULT_LISTS = [
    "contact_offer", "secrecy_marker", "grooming_marker", "credential_marker", "messaging_apps",
    "contact_invite", "own_email_offer", "own_address_offer", "personal_info_request",
]
# "as-is" scans the packs unchanged; "plain" removes normalisation from the chosen lists.
DEFAULT_VARIANTS = [
    "plain", "caseless", "confusables", "leet", "spaced", "confusables leet",
    "confusables spaced", "confusables leet spaced", "as-is",
]
PACK_CODES = {"bratton": "BRAT", "woolhampton": "WOOL", "cherry-trees": "CHER", "prudhoe": "PCHS", "dsat": "DSAT"}


def default_data_dir():
    for d in (os.path.join(ROOT, "..", "shared", "data", "real"), "/work/shared/data/real"):
        if os.path.isdir(d):
            return os.path.normpath(d)
    return os.path.join(ROOT, "..", "shared", "data", "real")


def read_corpora(data):
    """[(id, text)]: SMS ham lines, then Enron bodies (headers dropped)."""
    texts = []
    with open(os.path.join(data, "sms-spam-collection", "SMSSpamCollection"), encoding="utf-8", errors="replace") as f:
        for n, line in enumerate(f):
            label, _, text = line.rstrip("\n").partition("\t")
            if label == "ham" and text.strip():
                texts.append(("sms-%d" % n, text))
    csv.field_size_limit(1 << 30)
    with open(os.path.join(data, "enron-kaggle-sample", "emails_sample.csv"), encoding="utf-8", errors="replace", newline="") as f:
        for n, row in enumerate(csv.DictReader(f)):
            message = row.get("message", "").replace("\r\n", "\n")
            _, sep, body = message.partition("\n\n")
            body = body if sep else message
            if body.strip():
                texts.append(("enron-%d" % n, body))
    return texts


def event(context, ident, text):
    e = {"id": "%s/%s" % (context, ident), "author": {"role": "staff"}, "text": text}
    if context == "post":
        e["type"] = "post"
    else:
        e["type"] = "direct_message"
        e["recipients"] = [{"role": context}]
    return e


def write_events(path, texts, contexts):
    with open(path, "w", encoding="utf-8") as f:
        for c in contexts:
            for ident, text in texts:
                f.write(json.dumps(event(c, ident, text), ensure_ascii=False) + "\n")


def block_spans(source, name):
    """(start, end) of the body of every `phrases NAME { ... }` block: after `{`, at `}`."""
    spans = []
    for m in re.finditer(r"(?m)^\s*phrases\s+%s\s*\{" % re.escape(name), source):
        i = m.end()
        while i < len(source):
            c = source[i]
            if c == "#":
                i = source.find("\n", i)
                i = len(source) if i < 0 else i
            elif c == '"':
                i += 1
                while i < len(source) and source[i] != '"':
                    i += 2 if source[i] == "\\" else 1
                i += 1
            elif c == "}":
                spans.append((m.end(), i))
                break
            else:
                i += 1
    return spans


NORMALIZE_OPTION = re.compile(r"normalize\s*:\s*(?:(?:plain|caseless|confusables|leet|spaced)\s*,?\s*)+")


def rewrite(source, lists, mode):
    """Sets the normalisation of the named lists to `mode` ("plain" removes it)."""
    for name in lists:
        for start, end in reversed(block_spans(source, name)):
            body = NORMALIZE_OPTION.sub("", source[start:end], count=1)
            if mode != "plain":
                body = "\n    normalize: %s" % mode + body
            source = source[:start] + body + source[end:]
    return source


def all_lists(packs):
    """Every phrase list defined under `packs` (for --lists all), except case-sensitive and
    substring lists (normalisation folds case; strike-through marks normalise to nothing)."""
    names, skip = set(), set()
    for dirpath, _, files in os.walk(packs):
        for n in files:
            if n.endswith(".rules"):
                with open(os.path.join(dirpath, n), encoding="utf-8") as f:
                    source = f.read()
                for name in re.findall(r"(?m)^\s*phrases\s+([A-Za-z_][\w.-]*)\s*\{", source):
                    names.add(name)
                    for start, end in block_spans(source, name):
                        if re.search(r"case\s*:\s*sensitive|match\s*:\s*substring", source[start:end]):
                            skip.add(name)
    return sorted(names - skip)


def make_variant(packs, folder, lists, mode):
    shutil.copytree(packs, folder)
    if mode == "as-is":
        return
    for dirpath, _, names in os.walk(folder):
        for n in names:
            if n.endswith(".rules"):
                p = os.path.join(dirpath, n)
                with open(p, encoding="utf-8") as f:
                    s = f.read()
                t = rewrite(s, lists, mode)
                if t != s:
                    with open(p, "w", encoding="utf-8") as f:
                        f.write(t)


def scan(invigil, rules, events):
    """{(event, rule): [(pattern, excerpt)]} of one scan."""
    p = subprocess.run([invigil, "scan", "--rules", rules, "--format", "jsonl", "--no-progress", events],
                       stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True)
    if p.returncode not in (0, 1):
        sys.exit("invigil scan failed (%d):\n%s" % (p.returncode, p.stderr))
    found = {}
    for line in p.stdout.splitlines():
        f = json.loads(line)
        found[(f["event"], f["rule"])] = [(m["pattern"], m["excerpt"]) for m in f["matches"]]
    return found


def pack_of(rule):
    return PACK_CODES.get(rule.split("/")[0], rule.split("/")[0])


def main():
    ap = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    ap.add_argument("--invigil", default=os.path.join(ROOT, ".build", "release", "invigil"))
    ap.add_argument("--packs", default=os.path.join(ROOT, "packs"))
    ap.add_argument("--data", default=default_data_dir())
    ap.add_argument("--lists", default=",".join(DEFAULT_LISTS), help="comma-separated phrase lists to vary, or 'all'")
    ap.add_argument("--variants", default=",".join(DEFAULT_VARIANTS),
                    help="comma-separated modes; a mode may hold several words ('confusables leet spaced')")
    ap.add_argument("--contexts", default="parent,post", help="parent, post, pupil")
    ap.add_argument("--by-list", action="store_true", help="also normalise one list at a time and attribute extra findings")
    ap.add_argument("--show", type=int, default=0, help="print up to N extra findings per variant")
    ap.add_argument("--keep", action="store_true", help="keep the temporary folder")
    ap.add_argument("--as-is", dest="as_is", action="store_true",
                    help="scan the packs unchanged and print, per pack and context, the share of messages with a finding")
    ap.add_argument("--rates", action="store_true",
                    help="only scan the packs as they are and print, per pack and context, the share of "
                         "messages with at least one finding (the false-alarm rate) and the rules behind it")
    ap.add_argument("--exclude", default="",
                    help="with --rates: also print the rates without the rules whose names match this regular expression")
    args = ap.parse_args()
    if args.as_is:
        return as_is(args)
    if args.rates:
        return rates(args)

    lists = [l for l in args.lists.split(",") if l]
    if lists == ["all"]:
        lists = all_lists(args.packs)
    variants = [v.strip() for v in args.variants.split(",") if v.strip()]
    contexts = [c for c in args.contexts.split(",") if c]
    if "plain" not in variants:
        variants.insert(0, "plain")
    texts = read_corpora(args.data)
    n = len(texts)
    tmp = tempfile.mkdtemp(prefix="invigil-false-alarms-")
    try:
        events = os.path.join(tmp, "events.jsonl")
        write_events(events, texts, contexts)
        sms = sum(1 for i, _ in texts if i.startswith("sms-"))
        print("corpus: %d texts (%d ham SMS, %d Enron bodies); contexts: %s; lists: %s"
              % (n, sms, n - sms, ", ".join(contexts), ", ".join(lists)))
        print("events: %s\n" % events if args.keep else "")

        results = {}
        for v in variants:
            folder = os.path.join(tmp, "packs-" + v.replace(" ", "+"))
            make_variant(args.packs, folder, lists, v)
            results[v] = scan(args.invigil, folder, events)
        plain = results["plain"]
        packs = sorted({pack_of(r) for res in results.values() for (_, r) in res} | {"WOOL", "DSAT"})

        for c in contexts:
            print("context: %s (%d messages); findings per 1,000 messages, (+extra over plain)" % (c, n))
            header = ["pack"] + variants
            rows = []
            for p in packs + ["all"]:
                row = [p]
                for v in variants:
                    keys = {k for k in results[v] if k[0].startswith(c + "/") and (p == "all" or pack_of(k[1]) == p)}
                    extra = sum(1 for k in keys if k not in plain)
                    cell = "%.1f" % (1000.0 * len(keys) / n)
                    if v != "plain":
                        cell += " (+%d)" % extra
                    row.append(cell)
                rows.append(row)
            widths = [max(len(r[i]) for r in rows + [header]) for i in range(len(header))]
            print("| " + " | ".join(h.ljust(w) for h, w in zip(header, widths)) + " |")
            print("|" + "|".join("-" * (w + 2) for w in widths) + "|")
            for r in rows:
                print("| " + " | ".join(x.ljust(w) for x, w in zip(r, widths)) + " |")
            print()

        for v in variants:
            extra = [(k, m) for k, m in results[v].items() if k not in plain]
            lost = [k for k in plain if k not in results[v]]
            if lost and v != "as-is":
                print("note: %s lost %d plain findings (normalisation should only add)" % (v, len(lost)))
                for ev, rule in sorted(lost)[: args.show]:
                    print("  lost %s  %s  %s" % (ev, rule, "; ".join("%s=%r" % pm for pm in plain[(ev, rule)])))
            if args.show and extra:
                print("extra findings with %s (%d):" % (v, len(extra)))
                for (ev, rule), m in sorted(extra)[: args.show]:
                    print("  %s  %s  %s" % (ev, rule, "; ".join("%s=%r" % pm for pm in m)))
                print()

        if args.by_list:
            modes = [v for v in variants if v not in ("plain", "as-is")]
            print("findings added (+) and lost (-) against plain, all packs and contexts, when only one list is normalised:")
            header = ["list"] + modes
            rows = []
            for l in lists:
                row = [l]
                for v in modes:
                    folder = os.path.join(tmp, "one-%s-%s" % (l, v.replace(" ", "+")))
                    make_variant(args.packs, folder, lists, "plain")
                    for dirpath, _, names in os.walk(folder):
                        for name in names:
                            if name.endswith(".rules"):
                                path = os.path.join(dirpath, name)
                                with open(path, encoding="utf-8") as f:
                                    s = f.read()
                                t = rewrite(s, [l], v)
                                if t != s:
                                    with open(path, "w", encoding="utf-8") as f:
                                        f.write(t)
                    res = scan(args.invigil, folder, events)
                    extra = [k for k in res if k not in plain]
                    lost = [k for k in plain if k not in res]
                    row.append("+%d -%d" % (len(extra), len(lost)))
                    if args.show and extra:
                        for k in sorted(extra)[: args.show]:
                            print("  [%s %s] %s %s %s" % (l, v, k[0], k[1], res[k]))
                rows.append(row)
            widths = [max(len(r[i]) for r in rows + [header]) for i in range(len(header))]
            print("| " + " | ".join(h.ljust(w) for h, w in zip(header, widths)) + " |")
            print("|" + "|".join("-" * (w + 2) for w in widths) + "|")
            for r in rows:
                print("| " + " | ".join(x.ljust(w) for x, w in zip(r, widths)) + " |")
    finally:
        if args.keep:
            print("kept", tmp)
        else:
            shutil.rmtree(tmp, ignore_errors=True)


def as_is(args):
    """Per pack and context: messages with at least one finding of the pack (the false-alarm
    rate on benign text), and the rules behind them."""
    contexts = [c for c in args.contexts.split(",") if c]
    texts = read_corpora(args.data)
    n = len(texts)
    with tempfile.TemporaryDirectory(prefix="invigil-false-alarms-") as tmp:
        events = os.path.join(tmp, "events.jsonl")
        write_events(events, texts, contexts)
        found = scan(args.invigil, args.packs, events)
    sms = sum(1 for i, _ in texts if i.startswith("sms-"))
    print("corpus: %d texts (%d ham SMS, %d Enron bodies); packs: %s\n" % (n, sms, n - sms, args.packs))
    print("| pack | " + " | ".join(contexts) + " |")
    print("|---|" + "---|" * len(contexts))
    rules = collections.defaultdict(collections.Counter)
    for p in PACK_CODES.values():
        cells = []
        for c in contexts:
            flagged = {ev for (ev, r) in found if ev.startswith(c + "/") and pack_of(r) == p}
            for (ev, r) in found:
                if ev.startswith(c + "/") and pack_of(r) == p:
                    rules[(p, c)][r] += 1
            cells.append("%.2f %% (%d)" % (100.0 * len(flagged) / n, len(flagged)))
        print("| %s | %s |" % (p, " | ".join(cells)))
    if args.show:
        print()
        for (p, c), counter in sorted(rules.items()):
            print("%s %s: %s" % (p, c, ", ".join("%s %d" % rc for rc in counter.most_common(args.show))))
def rates(args):
    """Share of benign messages that a pack flags at all, per context: the figure to keep
    under 1 %. Scans the packs folder as it is, once."""
    contexts = [c for c in args.contexts.split(",") if c]
    texts = read_corpora(args.data)
    n = len(texts)
    tmp = tempfile.mkdtemp(prefix="invigil-false-alarms-")
    try:
        events = os.path.join(tmp, "events.jsonl")
        write_events(events, texts, contexts)
        found = scan(args.invigil, args.packs, events)
    finally:
        shutil.rmtree(tmp, ignore_errors=True)
    packs = ["BRAT", "WOOL", "CHER", "PCHS", "DSAT"]
    print("corpus: %d benign texts; share of messages with at least one finding, per pack" % n)
    print("| pack | " + " | ".join(contexts) + " |")
    print("|---|" + "---|" * len(contexts))
    for p in packs:
        cells = []
        for c in contexts:
            flagged = {e for (e, r) in found if e.startswith(c + "/") and pack_of(r) == p}
            cells.append("%.2f %% (%d)" % (100.0 * len(flagged) / n, len(flagged)))
        print("| %s | %s |" % (p, " | ".join(cells)))
    print()
    if args.exclude:
        rx = re.compile(args.exclude)
        print("without the rules matching %r:" % args.exclude)
        print("| pack | " + " | ".join(contexts) + " |")
        print("|---|" + "---|" * len(contexts))
        for p in packs:
            cells = []
            for c in contexts:
                flagged = {e for (e, r) in found if e.startswith(c + "/") and pack_of(r) == p and not rx.search(r)}
                cells.append("%.2f %% (%d)" % (100.0 * len(flagged) / n, len(flagged)))
            print("| %s | %s |" % (p, " | ".join(cells)))
        print()
    by_rule = collections.Counter((e.split("/")[0], r) for (e, r) in found)
    print("findings by context and rule:")
    for (c, r), k in sorted(by_rule.items(), key=lambda x: (x[0][0], -x[1], x[0][1])):
        print("  %-7s %-60s %d" % (c, r, k))
    if args.show:
        shown = collections.Counter()
        for (e, r), m in sorted(found.items()):
            if shown[r] < args.show:
                shown[r] += 1
                print("  %s  %s  %s" % (e, r, "; ".join("%s=%r" % pm for pm in m)[:200]))


if __name__ == "__main__":
    main()
