#!/usr/bin/env python3
"""Flagged share per class and pack on a labelled corpus of offensive tweets.

Reads Davidson et al.'s `labeled_data.csv` (columns `class`: 0 hate speech, 1 offensive
language, 2 neither; `tweet`), turns every tweet into one Invigil event: a public post by a
member of staff on a personal Twitter account, with no school code (so every pack judges it),
scans it with `invigil scan --format jsonl` and prints, per pack and class, the share of tweets
with at least one finding of that pack (any rule), and the same for the offensive-content rules
alone (those citing the clauses given with --clauses). Python 3, standard library only; the
corpus stays outside the repository and is given by path.

    swift build -c release --product invigil
    python3 scripts/offensive-corpus.py /work/shared/data/real/davidson-hate-offensive/labeled_data.csv
    python3 scripts/offensive-corpus.py --packs /tmp/base/packs CORPUS      # another pack folder
    python3 scripts/offensive-corpus.py --show 20 --class 2 CORPUS          # findings on 'neither'
    python3 scripts/offensive-corpus.py --write-variant single /tmp/single  # packs without proximity
    python3 scripts/offensive-corpus.py --packs /tmp/single/packs CORPUS

--write-variant copies the packs folder and rewrites the proximity tests of the per-pack
offensive.rules files: `cooccurrence` turns `a before b within N words in text` into
`(a in text and b in text)` (both anywhere in the text), `single` keeps only the word that
carries the meaning (`context_insults in text`, `derogatory_claims in text`, ...), to measure what
proximity saves over single words.
"""
import argparse
import collections
import csv
import html
import json
import os
import re
import shutil
import subprocess
import sys
import tempfile

ROOT = os.path.dirname(os.path.dirname(os.path.abspath(__file__)))
PACK_CODES = {"bratton": "BRAT", "woolhampton": "WOOL", "cherry-trees": "CHER", "prudhoe": "PCHS", "dsat": "DSAT"}
CLASSES = {"0": "hate", "1": "offensive", "2": "neither"}


def read_tweets(path):
    csv.field_size_limit(1 << 30)
    with open(path, encoding="utf-8", errors="replace", newline="") as f:
        return [(row[""] or str(n), row["class"], html.unescape(row["tweet"])) for n, row in enumerate(csv.DictReader(f))]


# For the `single` variant: which side of each proximity test carries the meaning.
SINGLE_SIDE = {"insult_cues": 1, "context_insults": 1, "article_cues": 1, "sexual_acts": 1,
               "protected_groups": 1, "hate_verbs": 0}


def write_variant(packs, kind, folder):
    """Copies `packs` into `folder`/packs with the proximity tests of */offensive.rules rewritten."""
    target = os.path.join(folder, "packs")
    shutil.copytree(packs, target)
    test = re.compile(r"(\w+) (?:before|near) (\w+) within \d+ words? in (\w+)")
    for name in os.listdir(target):
        path = os.path.join(target, name, "offensive.rules")
        if name == "common" or not os.path.isfile(path):
            continue
        with open(path, encoding="utf-8") as f:
            source = f.read()
        if kind == "cooccurrence":
            source = test.sub(r"(\1 in \3 and \2 in \3)", source)
        else:
            source = test.sub(lambda m: "%s in %s" % (m.group(1 + SINGLE_SIDE.get(m.group(1), 1)), m.group(3)), source)
        with open(path, "w", encoding="utf-8") as f:
            f.write(source)
    print("wrote %s" % target)


def main():
    if len(sys.argv) == 4 and sys.argv[1] == "--write-variant":
        return write_variant(os.path.join(ROOT, "packs"), sys.argv[2], sys.argv[3])
    ap = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    ap.add_argument("corpus", help="path to labeled_data.csv")
    ap.add_argument("--invigil", default=os.path.join(ROOT, ".build", "release", "invigil"))
    ap.add_argument("--packs", default=os.path.join(ROOT, "packs"))
    ap.add_argument("--show", type=int, default=0, help="print up to N flagged tweets of --class")
    ap.add_argument("--class", dest="klass", default="2", help="class whose flagged tweets --show prints")
    args = ap.parse_args()

    tweets = read_tweets(args.corpus)
    with tempfile.TemporaryDirectory(prefix="invigil-offensive-") as tmp:
        events = os.path.join(tmp, "events.jsonl")
        with open(events, "w", encoding="utf-8") as f:
            for ident, _, text in tweets:
                f.write(json.dumps({"id": "t%s" % ident, "type": "post", "author": {"role": "staff"},
                                    "account": {"kind": "personal", "platform": "twitter"},
                                    "audience": {"scope": "public"}, "text": text}, ensure_ascii=False) + "\n")
        p = subprocess.run([args.invigil, "scan", "--rules", args.packs, "--format", "jsonl", "--no-progress", events],
                           stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True)
        if p.returncode not in (0, 1):
            sys.exit("invigil scan failed (%d):\n%s" % (p.returncode, p.stderr))
    flagged = collections.defaultdict(set)     # pack -> event ids
    rules_of = collections.defaultdict(list)   # (pack, event) -> rules
    for line in p.stdout.splitlines():
        f = json.loads(line)
        pack = PACK_CODES.get(f["rule"].split("/")[0], f["rule"].split("/")[0])
        flagged[pack].add(f["event"])
        rules_of[(pack, f["event"])].append(f["rule"])
    by_class = collections.Counter(c for _, c, _ in tweets)
    packs = [c for c in PACK_CODES.values()]
    print("corpus: %d tweets (%s)" % (len(tweets), ", ".join("%s %d" % (CLASSES[k], by_class[k]) for k in sorted(by_class))))
    print("flagged share per class, any rule of the pack, tweet as a staff member's public post on a personal account:\n")
    print("| pack | " + " | ".join(CLASSES[k] for k in sorted(CLASSES)) + " |")
    print("|---|" + "---|" * len(CLASSES))
    for pack in packs:
        cells = []
        for k in sorted(CLASSES):
            n = sum(1 for ident, c, _ in tweets if c == k and "t" + ident in flagged[pack])
            cells.append("%.1f %% (%d)" % (100.0 * n / max(1, by_class[k]), n))
        print("| %s | %s |" % (pack, " | ".join(cells)))
    if args.show:
        for pack in packs:
            shown = 0
            print("\n%s, class %s, flagged:" % (pack, CLASSES.get(args.klass, args.klass)))
            for ident, c, text in tweets:
                if c == args.klass and "t" + ident in flagged[pack]:
                    print("  %s  %s  %r" % (ident, ",".join(sorted(set(rules_of[(pack, "t" + ident)]))), text[:140]))
                    shown += 1
                    if shown >= args.show:
                        break


if __name__ == "__main__":
    main()
