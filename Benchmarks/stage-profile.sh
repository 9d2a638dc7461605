#!/usr/bin/env bash
# Where `invigil scan --jobs 1` spends its time, by stage, from one `perf` profile; and, in the same
# run, the scan's MB/s against Hyperscan's one call per message at 1,000 phrases.
#
#   Benchmarks/stage-profile.sh [--bin DIR] [--runs N] [--peers DIR]
#
# DIR of --peers is the output folder of Benchmarks/peers.sh (default /tmp/invigil-peers): its
# archive.jsonl is scanned, and its corpus.txt and phrases-1000.txt go to Hyperscan (hs_bench, built
# there by peers.sh). --bin is the folder of a release `invigil` (default: .build/release).
#
# Each sample is put in the stage of the innermost frame of its call stack that belongs to one:
#   reading      the main thread's block reads and chunk copies (readChunks, read(2))
#   splitting    records out of chunks (JSONLSplitter, JSONLSource, ByteLines, MboxSplitter)
#   JSON         parsing events into the scanner's slots (setJSON, JSONCursor, setString, store)
#   normalisation  Normalizer, OriginWindow, fold tables, the spaced kernel (ivg_ascii_spaced), SpacedASCIIOrigins
#   automaton    the automaton's scan loops (Automaton.*, LaneKernels.*, SpacedTextAutomaton.*)
#   hits         turning automaton hits into key counts and spans (runAutomaton, runNormalizedAutomata)
#   detectors    detectors and host lists (Detectors.*, computeDetector, computeHosts)
#   rule programs  candidate collection and the bytecode (evaluate, count(key:), addFinding)
#   output       formatting and writing findings (FindingWriter, FindingBytes, the ordered writer)
# and "other" (rule loading, reset, allocation outside these). Frames are matched on mangled
# names, so a stage that the optimiser inlined into another is counted there.
set -euo pipefail
here="$(cd "$(dirname "$0")" && pwd)"
root="$(cd "$here/.." && pwd)"
bin="$root/.build/release"; runs=3; peers="${TMPDIR:-/tmp}/invigil-peers"
while [ $# -gt 0 ]; do
    case "$1" in
        --bin) bin="$2"; shift 2 ;;
        --runs) runs="$2"; shift 2 ;;
        --peers) peers="$2"; shift 2 ;;
        -h|--help) sed -n '2,22p' "$0"; exit 0 ;;
        *) echo "unknown argument $1" >&2; exit 64 ;;
    esac
done
archive="$peers/archive.jsonl"
[ -f "$archive" ] || { echo "no $archive: run Benchmarks/peers.sh first" >&2; exit 66; }
command -v perf > /dev/null || { echo "perf is needed (apt-get install -y linux-perf)" >&2; exit 69; }
data="$peers/stage-profile.data"

# Wall time of the scan without perf, then Hyperscan right after, so that both see the same load.
times=()
for ((i = 0; i < runs; i++)); do
    t0=$(date +%s%N)
    (cd "$root" && "$bin/invigil" scan --jobs 1 --no-progress --output "$peers/.stage-output" "$archive" > /dev/null 2>&1 || true)
    t1=$(date +%s%N)
    times+=("$(( t1 - t0 ))")
done
scan_seconds=$(printf '%s\n' "${times[@]}" | sort -n | awk '{a[NR]=$1} END {printf "%.6f", a[int((NR+1)/2)] / 1e9}')
hs_mbps=""
if [ -x "$peers/hs_bench" ] && [ -f "$peers/phrases-1000.txt" ]; then
    read -r _ _ _ hs_mbps _ < <("$peers/hs_bench" "$peers/phrases-1000.txt" "$peers/corpus.txt" "$runs")
fi

(cd "$root" && perf record -q -g -o "$data" "$bin/invigil" scan --jobs 1 --no-progress --output "$peers/.stage-output" "$archive" > /dev/null 2>&1 || true)
perf script -i "$data" -F comm,tid,ip,sym > "$data.txt" 2> /dev/null
python3 - "$data.txt" "$(stat -c %s "$archive")" "$scan_seconds" "${hs_mbps:-}" <<'PY'
import re, sys
samples_text = open(sys.argv[1])
archive_bytes, scan_seconds, hs = int(sys.argv[2]), float(sys.argv[3]), sys.argv[4]
stages = [
    ("reading", r"readChunks|^read$|__libc_read|ksys_read"),
    # Anchored to the type's own methods: a specialisation of another function for a closure
    # that captured a JSONLSource carries the type's name inside its own (the scan worker's
    # `finish`, which holds the whole scan of an event).
    ("splitting", r"^\$s14InvigilArchive\d+(JSONLSplitter|JSONLSource|ByteLines|MboxSplitter)[CV]"),
    ("JSON", r"ScannerC7setJSON|JSONCursor|readObject|readValue|readArray|ScannerC9setString|ScannerC5store|JSONEventReader"),
    ("normalisation", r"^\$s7Invigil10NormalizerO|^\$s7Invigil12OriginWindow|FoldTable|^ivg_ascii_spaced|SpacedASCIIOrigins"),
    ("automaton", r"^\$s7Invigil9AutomatonC|^\$s7Invigil19SpacedTextAutomatonC|^\$s7Invigil11LaneKernelsO"),
    ("hits", r"ScannerC12runAutomaton|ScannerC21runNormalizedAutomata|ScannerC6record|ScannerC7freshen|continueOrSettle"),
    ("detectors", r"^\$s7Invigil9DetectorsO|computeDetector|computeHosts|ObfuscatedPhone|hostInSet"),
    ("rule programs", r"ScannerC8evaluate|ScannerC5count3key|collectCandidates|ScannerC10addFinding|Interpreter"),
    ("output", r"FindingWriter|FindingBytes|OrderedOutput|writeAll|^write$|__libc_write|ksys_write"),
]
compiled = [(name, re.compile(p)) for name, p in stages]
counts = {name: 0 for name, _ in stages}
counts["other"] = 0
total = 0
frames = []
def finish():
    global total
    if not frames: return
    total += 1
    for sym in frames:  # leaf first
        for name, rx in compiled:
            if rx.search(sym):
                counts[name] += 1
                return
    counts["other"] += 1
for line in samples_text:
    if not line.strip():
        finish(); frames = []
        continue
    if line[0] not in " \t":
        finish(); frames = []
        continue
    parts = line.split(None, 1)
    if len(parts) == 2:
        frames.append(parts[1].strip().split("+0x")[0])
finish()
mbps = archive_bytes / scan_seconds / 1e6
print(f"invigil scan --jobs 1: {archive_bytes / 1e6:.1f} MB in {scan_seconds:.3f} s = {mbps:.1f} MB/s (median, without perf)")
if hs:
    print(f"Hyperscan one call per message, 1,000 phrases, same run: {float(hs):.1f} MB/s; scan ÷ Hyperscan = {mbps / float(hs):.3f}")
print(f"{total} samples")
print("| stage | share of samples | seconds of the scan |")
print("|---|---|---|")
for name in [n for n, _ in stages] + ["other"]:
    share = counts[name] / total if total else 0
    print(f"| {name} | {share * 100:.1f} % | {share * scan_seconds:.3f} |")
PY
