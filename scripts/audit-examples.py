#!/usr/bin/env python3
"""Audit of the packs' examples against their conditions, by mutation.

For every rule of every pack file, the `when` condition is parsed and each part that a policy
signal or exception maps to is mutated, one at a time, in a copy of the packs:

  disjunct   each operand of an `or` (a way the signal can hold) is replaced by a condition that
             never holds. If no `example flag` of the rule then fails, no flag example needs that
             disjunct: the disjunct is untested.
  exception  each `not X` inside an `and` (an exception or a scope limit) is replaced by a
             condition that always holds. If no `example pass` of the rule then fails, no pass
             example exercises the exception.

It prints the untested parts with their file and line, and a summary per pack; exit status 1
when any part is untested (with --strict). Python 3, standard library only.

    swift build -c release --product invigil
    python3 scripts/audit-examples.py                  # every pack file under packs/
    python3 scripts/audit-examples.py --pack prudhoe   # one pack
"""
import argparse
import os
import re
import shutil
import subprocess
import sys
import tempfile

ROOT = os.path.dirname(os.path.dirname(os.path.abspath(__file__)))
NEVER = "(exists(id) and not exists(id))"
ALWAYS = "(exists(id) or not exists(id))"

TOKEN = re.compile(r'\s+|#[^\n]*|"(?:[^"\\]|\\.)*"|\[[^\]]*\]|[()]|[^\s()"\[#]+')


def tokens(text, start, end):
    """(token, start, end) of text[start:end], comments and spaces dropped."""
    out = []
    for m in TOKEN.finditer(text, start, end):
        t = m.group(0)
        if t.isspace() or t.startswith("#"):
            continue
        out.append((t, m.start(), m.end()))
    return out


class Parser:
    """Recursive descent over a condition's tokens; records the spans of disjuncts and of
    negations inside conjunctions."""

    def __init__(self, toks):
        self.t = toks
        self.i = 0
        self.disjuncts = []   # (start, end)
        self.exceptions = []  # (start, end)
        self.groups = []      # the operands of each `or`, [(start, end)]

    def peek(self):
        return self.t[self.i][0] if self.i < len(self.t) else None

    def take(self):
        tok = self.t[self.i]
        self.i += 1
        return tok

    def parse_or(self):
        parts = [self.parse_and()]
        while self.peek() == "or":
            self.take()
            parts.append(self.parse_and())
        if len(parts) > 1:
            self.disjuncts.extend(parts)
            self.groups.append(parts)
        return (parts[0][0], parts[-1][1])

    def parse_and(self):
        parts = [self.parse_unary()]
        while self.peek() == "and":
            self.take()
            parts.append(self.parse_unary())
        return (parts[0][0], parts[-1][1])

    def parse_unary(self):
        if self.peek() == "not":
            start = self.take()[1]
            inner = self.parse_unary()
            self.exceptions.append((start, inner[1]))
            return (start, inner[1])
        return self.parse_primary()

    def parse_primary(self):
        tok = self.peek()
        if tok == "(":
            start = self.take()[1]
            self.parse_or()
            end = self.take()[2]  # ")"
            return (start, end)
        if tok in ("any",):
            start = self.take()[1]
            self.take()  # group
            self.take()  # "("
            self.parse_or()
            end = self.take()[2]
            return (start, end)
        if tok in ("exists", "count"):
            start = self.take()[1]
            depth = 0
            end = start
            while True:
                t, _, e = self.take()
                end = e
                if t == "(":
                    depth += 1
                elif t == ")":
                    depth -= 1
                    if depth == 0:
                        break
            if tok == "count":
                self.take()          # comparison
                end = self.take()[2]  # value
            return (start, end)
        # atom: tokens up to and/or/) at this level
        start = self.t[self.i][1]
        end = start
        while self.peek() not in (None, "and", "or", ")"):
            end = self.take()[2]
        return (start, end)


RULE = re.compile(r'(?m)^rule (\S+) \{')


def conditions(text):
    """(rule name, start, end) of each rule's `when` condition."""
    out = []
    for m in RULE.finditer(text):
        body_end = text.index("\n}\n", m.end())
        w = re.search(r'(?m)^\s+when\b', text[m.end():body_end])
        if not w:
            continue
        start = m.end() + w.end()
        stop = re.search(r'(?m)^\s+(example|clauses|severity|action|message)\b', text[start:body_end])
        end = start + stop.start() if stop else body_end
        out.append((m.group(1), start, end))
    return out


def run_test(invigil, path):
    p = subprocess.run([invigil, "test", path], stdout=subprocess.PIPE, stderr=subprocess.STDOUT, text=True)
    failed = set()
    for line in p.stdout.splitlines():
        m = re.search(r"example (flag|pass) of rule '([^']+)'", line)
        if m:
            failed.add((m.group(2), m.group(1)))
    return p.returncode, failed, p.stdout


def line_of(text, offset):
    return text.count("\n", 0, offset) + 1


def main():
    ap = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    ap.add_argument("--invigil", default=os.path.join(ROOT, ".build", "release", "invigil"))
    ap.add_argument("--packs", default=os.path.join(ROOT, "packs"))
    ap.add_argument("--pack", action="append", help="pack file name without .rules (repeatable)")
    ap.add_argument("--strict", action="store_true", help="exit 1 when a part is untested")
    args = ap.parse_args()

    files = sorted(f for f in os.listdir(args.packs) if f.endswith(".rules"))
    if args.pack:
        files = [f for f in files if f[:-6] in args.pack]
    tmp = tempfile.mkdtemp(prefix="invigil-audit-")
    untested_total = 0
    summary = []
    try:
        copy = os.path.join(tmp, "packs")
        shutil.copytree(args.packs, copy)
        for name in files:
            path = os.path.join(copy, name)
            with open(path, encoding="utf-8") as f:
                original = f.read()
            pack = name[:-6]
            counts = {"disjunct": [0, 0], "exception": [0, 0]}
            for rule, start, end in conditions(original):
                parser = Parser(tokens(original, start, end))
                try:
                    parser.parse_or()
                except (IndexError, ValueError):
                    print("%s: rule %s: condition not understood, skipped" % (name, rule))
                    continue
                qualified = "%s/%s" % (pack, rule)
                for kind, spans, replacement, expect in (
                        ("disjunct", parser.disjuncts, NEVER, "flag"),
                        ("exception", parser.exceptions, ALWAYS, "pass")):
                    for s, e in spans:
                        mutated = original[:s] + replacement + original[e:]
                        with open(path, "w", encoding="utf-8") as f:
                            f.write(mutated)
                        status, failed, out = run_test(args.invigil, copy)
                        counts[kind][0] += 1
                        if status == 2:
                            print("%s:%d: %s of %s: mutation does not compile, skipped" % (name, line_of(original, s), kind, qualified))
                            continue
                        if (qualified, expect) not in failed:
                            counts[kind][1] += 1
                            untested_total += 1
                            part = " ".join(original[s:e].split())
                            print("%s:%d: %s of %s has no %s example: %s" % (
                                name, line_of(original, s), kind, qualified, expect, part[:140]))
                with open(path, "w", encoding="utf-8") as f:
                    f.write(original)
            summary.append((pack, counts))
    finally:
        shutil.rmtree(tmp, ignore_errors=True)
    print()
    print("| pack | disjuncts | without a flag example | exceptions | without a pass example |")
    print("|---|---|---|---|---|")
    for pack, c in summary:
        print("| %s | %d | %d | %d | %d |" % (pack, c["disjunct"][0], c["disjunct"][1], c["exception"][0], c["exception"][1]))
    sys.exit(1 if args.strict and untested_total else 0)


if __name__ == "__main__":
    main()
