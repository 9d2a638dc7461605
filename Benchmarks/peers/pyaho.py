"""pyahocorasick on the same phrases and corpus: caseless (both lowered), every match counted.
usage: python3 pyaho.py PHRASES CORPUS RUNS  ->  one line: build_ms MBps matches"""
import sys, time, statistics
import ahocorasick

phrases = [l.lower() for l in open(sys.argv[1], encoding="ascii").read().split("\n") if l]
text = open(sys.argv[2], encoding="ascii").read().lower()
runs = max(1, int(sys.argv[3]))
t0 = time.perf_counter()
A = ahocorasick.Automaton()
for i, p in enumerate(phrases):
    A.add_word(p, i)
A.make_automaton()
build = time.perf_counter() - t0
times, matches = [], 0
for _ in range(runs):
    t0 = time.perf_counter()
    matches = sum(1 for _ in A.iter(text))
    times.append(time.perf_counter() - t0)
print(f"{build * 1000:.1f} {len(text) / statistics.median(times) / 1e6:.1f} {matches}")
