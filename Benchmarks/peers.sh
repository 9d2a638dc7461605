#!/usr/bin/env bash
# Invigil against its peers on the same corpus and phrase sets, in one run.
#
#   Benchmarks/peers.sh [--size MB] [--sets 10,100,1000,10000,100000] [--runs N] [--out DIR] [--no-build] [--reuse] [--bin DIR]
#
# --reuse keeps DIR's corpus, phrases and invigil.json from an earlier run (peers only).
# --bin DIR takes invigil and invigil-bench from DIR (implies --no-build): another build, measured
# in the same session against this one.
# PEER_TIMEOUT (seconds, default 120) bounds each peer command; a peer that times out once is not rerun.
#
# Peers (all optional; a missing one is skipped with the command that installs it):
#   Hyperscan 5.x   apt-get install -y libhyperscan-dev pkg-config  (a small C driver, peers/hs_bench.c, is compiled here)
#   ripgrep         apt-get install -y ripgrep                      (rg -F -i -c -f PHRASES: counts matching lines)
#   GNU grep        (preinstalled)                                  (grep -F -i -c -f PHRASES: counts matching lines)
#   pyahocorasick   pip3 install pyahocorasick                      (every match, like Invigil and Hyperscan)
# It also times the command itself end to end: `invigil scan --jobs J` over the JSONL archive for
# J = 1, 2, 4, ... up to the core count (the scaling table; after one untimed run, the counts in
# turn for at least seven rounds, medians), and the C ABI (invigil-bench --abi), and
# prints the ratios of issue 14 from this one run: end to end (--jobs 1) ÷ Hyperscan one call per
# message at 1,000 phrases (the message texts of the corpus), and C ABI events/s ÷ Hyperscan calls/s
# at 10 phrases; the first ratio again from paired rounds (Hyperscan, then the command, per round;
# the median of the rounds' ratios); then a dated row for the table in docs/performance.md.
#
# Ratios are Invigil MB/s ÷ peer MB/s (> 1: Invigil is faster). Invigil's figures come from
# invigil-bench run first in the same invocation; every figure is a median of --runs runs (the
# command's, of at least seven).
set -euo pipefail
here="$(cd "$(dirname "$0")" && pwd)"
root="$(cd "$here/.." && pwd)"
size=64; sets="10,100,1000,10000,100000"; runs=3; out="${TMPDIR:-/tmp}/invigil-peers"; build=1; reuse=0; bin_override=
while [ $# -gt 0 ]; do
    case "$1" in
        --size) size="$2"; shift 2 ;;
        --sets) sets="$2"; shift 2 ;;
        --runs) runs="$2"; shift 2 ;;
        --out) out="$2"; shift 2 ;;
        --no-build) build=0; shift ;;
        --bin) bin_override="$2"; build=0; shift 2 ;;
        --reuse) reuse=1; build=0; shift ;;
        -h|--help) sed -n '2,26p' "$0"; exit 0 ;;
        *) echo "unknown argument $1" >&2; exit 64 ;;
    esac
done
mkdir -p "$out"
scratch="$root/.build-bench"
if [ "$build" = 1 ]; then
    # Both as README.md installs the command: the Swift runtime linked in (a faster start).
    (cd "$root" && swift build -c release --static-swift-stdlib --scratch-path "$scratch" --product invigil-bench >&2 \
        && swift build -c release --static-swift-stdlib --scratch-path "$scratch" --product invigil >&2)
fi
bin="${bin_override:-$(cd "$root" && swift build -c release --static-swift-stdlib --scratch-path "$scratch" --show-bin-path)}"

if [ "$reuse" = 1 ] && [ -f "$out/invigil.json" ] && [ -f "$out/corpus.txt" ]; then
    echo "== reusing $out (corpus, phrases, invigil.json)"
else
    echo "== invigil-bench (--size $size --sets $sets --runs $runs), corpus and phrases exported to $out"
    (cd "$root" && "$bin/invigil-bench" --size "$size" --sets "$sets" --runs "$runs" --export "$out" --json "$out/invigil.json")
fi

# Median wall-clock seconds of a command; one run only if it times out. Output goes to a file, not
# /dev/null: GNU grep notices /dev/null and stops at the first match.
median_seconds() {
    local ts=() i t0 t1
    for ((i = 0; i < runs; i++)); do
        t0=$(date +%s%N)
        "$@" > "$out/.peer-output" 2>&1 || true
        t1=$(date +%s%N)
        ts+=("$(( t1 - t0 ))")
        if [ $(( (t1 - t0) / 1000000000 )) -ge "$limit" ]; then break; fi
    done
    printf '%s\n' "${ts[@]}" | sort -n | awk '{a[NR]=$1} END {m = (NR % 2) ? a[(NR+1)/2] : (a[NR/2] + a[NR/2+1]) / 2; printf "%.6f\n", m / 1e9}'
}

limit=${PEER_TIMEOUT:-120}
corpus="$out/corpus.txt"
bytes=$(stat -c %s "$corpus")
results="$out/peers.tsv"
[ "$reuse" = 1 ] || : > "$results"

have_hs=0
if [ -f /usr/include/hs/hs.h ]; then
    if cc -O2 -o "$out/hs_bench" "$here/peers/hs_bench.c" $(pkg-config --cflags --libs libhs 2>/dev/null || echo -lhs); then have_hs=1; fi
else
    echo "(Hyperscan skipped: apt-get install -y libhyperscan-dev)"
fi
command -v rg > /dev/null || echo "(ripgrep skipped: apt-get install -y ripgrep)"
have_py=0
if python3 -c "import ahocorasick" 2> /dev/null; then have_py=1; else echo "(pyahocorasick skipped: pip3 install pyahocorasick)"; fi

for n in ${sets//,/ }; do
    phrases="$out/phrases-$n.txt"
    # Invigil again, right before the peers of this set, so that both see the same machine load.
    (cd "$root" && "$bin/invigil-bench" --size "$size" --sets "$n" --runs "$runs" --no-e2e --naive-limit 0 \
        --json "$out/invigil-$n.json" > /dev/null)
    if [ "$have_hs" = 1 ]; then
        read -r hc hdb hbuf hlines hmatch _ hlmatch hcalls < <("$out/hs_bench" "$phrases" "$corpus" "$runs")
        printf '%s\thyperscan\t%s\t%s\t%s\t%s\n' "$n" "$hbuf" "$hmatch" "$hc" "$hdb" >> "$results"
        printf '%s\thyperscan-per-message\t%s\t%s\t\t\t%s\n' "$n" "$hlines" "$hlmatch" "$hcalls" >> "$results"
    fi
    if command -v rg > /dev/null; then
        s=$(median_seconds timeout "$limit" rg -F -i -c -f "$phrases" "$corpus")
        printf '%s\tripgrep -F -i\t%s\t\t\t\n' "$n" "$(awk -v b="$bytes" -v s="$s" -v l="$limit" 'BEGIN {print (s >= l) ? "timeout" : b / s / 1e6}')" >> "$results"
    fi
    s=$(median_seconds timeout "$limit" env LC_ALL=C grep -F -i -c -f "$phrases" "$corpus")
    printf '%s\tgrep -F -i\t%s\t\t\t\n' "$n" "$(awk -v b="$bytes" -v s="$s" -v l="$limit" 'BEGIN {print (s >= l) ? "timeout" : b / s / 1e6}')" >> "$results"
    if [ "$have_py" = 1 ]; then
        read -r pb pmbps pmatch < <(timeout "$limit" python3 "$here/peers/pyaho.py" "$phrases" "$corpus" "$runs" || echo "- timeout -")
        printf '%s\tpyahocorasick\t%s\t%s\t%s\t\n' "$n" "$pmbps" "$pmatch" "$pb" >> "$results"
    fi
done

# The command end to end over the JSONL archive (bundled packs): 1, 2, 4, ... jobs up to the core
# count (and the core count itself), for the scaling table.
archive="$out/archive.jsonl"
cores=$(nproc)
# Wall-clock nanoseconds of `invigil scan --jobs J` over the archive (the scaling rounds, the
# paired rounds).
scan_ns() {
    local t0 t1
    t0=$(date +%s%N)
    (cd "$root" && "$bin/invigil" scan --jobs "$1" --no-progress --output "$out/.scan-output" "$archive" > /dev/null 2>&1 || true)
    t1=$(date +%s%N)
    echo $(( t1 - t0 ))
}
if [ -x "$bin/invigil" ] && [ -f "$archive" ]; then
    abytes=$(stat -c %s "$archive")
    jobs_list=""; j=1
    while [ "$j" -lt "$cores" ]; do jobs_list="$jobs_list $j"; j=$((j * 2)); done
    jobs_list="$jobs_list $cores"
    # One untimed run first (it reads the archive into the page cache and fills the scan's cache
    # of compiled rules, as any second scan finds them), then the job counts in turn, round after
    # round, at least seven rounds: right after the peers the machine is at its noisiest, and
    # three runs of one count in a row could all fall in a slow spell (seen: 533 ms against
    # 330 ms alternating).
    scan_ns 1 > /dev/null
    rounds=$(( runs > 7 ? runs : 7 ))
    declare -A scan_times=()
    for ((round = 0; round < rounds; round++)); do
        for j in $jobs_list; do
            scan_times[$j]+="$(scan_ns "$j") "
        done
    done
    for j in $jobs_list; do
        s=$(printf '%s\n' ${scan_times[$j]} | sort -n | awk '{a[NR]=$1} END {m = (NR % 2) ? a[(NR+1)/2] : (a[NR/2] + a[NR/2+1]) / 2; printf "%.6f\n", m / 1e9}')
        printf 'packs\tinvigil scan --jobs %s\t%s\t\t\t\n' "$j" "$(awk -v b="$abytes" -v s="$s" 'BEGIN {print b / s / 1e6}')" >> "$results"
    done
fi

# Item 2's ratio again in paired rounds: Hyperscan one call per message (1,000 phrases) and then
# `invigil scan --jobs 1`, one right after the other, the ratio taken per round, and the median of
# those ratios reported. This host's slow spells last seconds to minutes and moved the figures
# above (taken minutes apart) by up to a third; a spell now slows both sides of most rounds' ratio.
if [ "$have_hs" = 1 ] && [ -x "$bin/invigil" ] && [ -f "$archive" ] && [ -f "$out/phrases-1000.txt" ]; then
    paired_rounds=$(( runs > 9 ? runs : 9 ))
    for ((round = 0; round < paired_rounds; round++)); do
        read -r _ _ _ hlines _ < <("$out/hs_bench" "$out/phrases-1000.txt" "$corpus" 1)
        ns=$(scan_ns 1)
        printf 'paired\t%s\t%s\n' "$hlines" "$(awk -v b="$abytes" -v ns="$ns" 'BEGIN {print b / (ns / 1e9) / 1e6}')" >> "$results"
    done
fi

# The C ABI: events/s of 200-byte events, four fields set and a scan.
abi_rate=$(cd "$root" && "$bin/invigil-bench" --abi --abi-events 100000 | awk '/C ABI  \(invigil_set/ {print $(NF-3)}')
printf 'abi\tC ABI events/s\t%s\t\t\t\n' "${abi_rate:-}" >> "$results"

ROOT="$root" python3 - "$out/invigil.json" "$results" <<'PY'
import json, sys, os
inv = json.load(open(sys.argv[1]))
rows = [l.rstrip("\n").split("\t") for l in open(sys.argv[2]) if l.strip()]
sets = {s["phrases"]: s for s in inv["sets"]}
# Prefer the per-set rerun made next to the peers.
for n in list(sets):
    f = os.path.join(os.path.dirname(sys.argv[1]), f"invigil-{n}.json")
    if os.path.exists(f):
        sets[n] = json.load(open(f))["sets"][0]
print()
print("Invigil ÷ peer (MB/s ratios; > 1 means Invigil is faster). Invigil one buffer vs peers' one buffer,")
print("Invigil one call per message vs Hyperscan one call per message.")
print(f"{'phrases':>8} | {'peer':<24} | {'peer MB/s':>10} | {'Invigil MB/s':>12} | {'ratio':>6} | matches (peer / Invigil)")
for r in rows:
    n, peer, mbps = r[0], r[1], r[2]
    matches = r[3] if len(r) > 3 else ""
    if n == "abi":
        print(f"{'abi':>8} | {peer:<24} | {mbps:>10} |")
        continue
    if n == "paired":
        continue
    if n == "packs":
        e = inv.get("end_to_end") or {}
        print(f"{'packs':>8} | {peer:<24} | {float(mbps):10.1f} | {'':>12} |        | in-process 1 thread {e.get('file_MBps', 0):.1f} MB/s")
        continue
    s = sets.get(int(n))
    if s is None: continue
    mine = s["per_message_MBps"] if peer.endswith("per-message") else s["scan_MBps"]
    try:
        p = float(mbps)
        ratio = f"{mine / p:6.2f}"
        ps = f"{p:10.1f}"
    except ValueError:
        ratio, ps = "     –", f"{mbps:>10}"
    print(f"{n:>8} | {peer:<24} | {ps} | {mine:12.1f} | {ratio} | {matches} / {s['matches']}")

# Issue 14's ratios, all from this run, and the dated row for docs/performance.md.
def figure(n, peer, column=2):
    for r in rows:
        if r[0] == n and r[1] == peer and len(r) > column and r[column]:
            try: return float(r[column])
            except ValueError: return None
    return None
scans = [(int(r[1].split()[-1]), float(r[2])) for r in rows if r[0] == "packs"]
j1 = dict(scans).get(1)
hs1000 = figure("1000", "hyperscan-per-message")
calls10 = figure("10", "hyperscan-per-message", 6)
abi = figure("abi", "C ABI events/s")
def ratio(a, b): return f"{a / b:.3f}" if a and b else "–"
print()
print("issue 14 ratios (this run):")
print(f"  invigil scan --jobs 1 ÷ Hyperscan one call per message, 1,000 phrases: {ratio(j1, hs1000)}"
      f"  ({j1 or 0:.1f} / {hs1000 or 0:.1f} MB/s)")
print(f"  C ABI events/s ÷ Hyperscan calls/s, 10 phrases: {ratio(abi, calls10)}  ({abi or 0:.0f} / {calls10 or 0:.0f})")
paired = [(float(r[1]), float(r[2])) for r in rows if r[0] == "paired"]
if paired:
    import statistics
    ratios = sorted(mine / hs for hs, mine in paired)
    print(f"  the same in {len(paired)} paired rounds (Hyperscan, then the command, each round): median ratio "
          f"{statistics.median(ratios):.3f}, range {ratios[0]:.3f}–{ratios[-1]:.3f} (the command "
          f"{statistics.median([m for _, m in paired]):.1f} MB/s, Hyperscan {statistics.median([h for h, _ in paired]):.1f} MB/s, medians)")
for j, v in scans:
    print(f"  --jobs {j}: {v:.1f} MB/s = {v / j1:.2f}× --jobs 1" if j1 else f"  --jobs {j}: {v:.1f} MB/s")
import datetime, subprocess, platform
commit = subprocess.run(["git", "-C", os.environ.get("ROOT", "."), "rev-parse", "--short", "HEAD"], capture_output=True, text=True).stdout.strip()
model = next((l.split(":", 1)[1].strip() for l in open("/proc/cpuinfo") if l.startswith("model name")), platform.machine())
load = open("/proc/loadavg").read().split()[0]
scaling = ", ".join(f"j{j} {v / j1:.2f}×" for j, v in scans if j > 1) if j1 else ""
print()
print("row for docs/performance.md (date | commit | machine | MB/s j1 | ÷ Hyperscan per message, 1,000 | C ABI events/s | ÷ Hyperscan calls, 10 | scaling):")
print(f"| {datetime.date.today().isoformat()} | {commit} | {os.cpu_count()} × {model}, load {load} | {j1 or 0:.1f} | {ratio(j1, hs1000)} | {abi or 0:.0f} | {ratio(abi, calls10)} | {scaling} |")
PY
echo "raw figures: $results, $out/invigil.json"
