#!/usr/bin/env bash
# Instructions per event, counted by valgrind (cachegrind, no cache model):
# a figure that a shared, noisy machine does not move, for changes too small
# to show in CPU-seconds (a few percent). Not time: cache misses, branch
# mispredictions and other cores are not in it, so a change that adds
# instructions may still be faster, and the reverse. Quote it beside the
# CPU-s of bench/compare.sh, not instead.
# The pipeline is compare.sh's: file (read mode) -> grok COMBINEDAPACHELOG +
# date -> json_lines, to /dev/null, one worker. It runs over LINES and
# 2 x LINES lines, and the difference divided by LINES is the per-event
# figure: start-up (pattern compiling, thread creation) cancels out.
# Prints the per-event total for each binary, then the functions that differ
# most between the two when a base binary is given.
#   bench/instructions.sh [LINES]           (default 20000)
#   LOGPIPE_BIN=path       the binary measured (default build/release/logpipe)
#   LOGPIPE_BASE_BIN=path  a second binary, the "before" of a change
set -euo pipefail
cd "$(dirname "$0")/.."
command -v valgrind >/dev/null || { echo "needs valgrind (scripts/deps installs it)" >&2; exit 2; }
lines=${1:-20000}
bin=$(realpath "${LOGPIPE_BIN:-build/release/logpipe}")
base=${LOGPIPE_BASE_BIN:+$(realpath "$LOGPIPE_BASE_BIN")}
gen_hash=$(sha1sum bench/gen_apache.py | cut -c1-10)
data=build/bench-data
mkdir -p "$data"
work=$(mktemp -d /tmp/logpipe-instructions-XXXXXX)
trap 'rm -rf "$work"' EXIT
for n in "$lines" $((2 * lines)); do
  input="$PWD/$data/apache-$n-0-$gen_hash.log"
  if [ ! -s "$input" ]; then
    python3 bench/gen_apache.py -n "$n" --seed 1 -o "$input.tmp"
    mv "$input.tmp" "$input"
  fi
done

count() {  # binary lines out-file -> total instructions on stdout
  local input="$PWD/$data/apache-$2-0-$gen_hash.log"
  rm -rf "$work/data"
  valgrind --tool=cachegrind --cache-sim=no --cachegrind-out-file="$3" "$1" -w 1 --path.data "$work/data" -e "
input { file { path => '$input' mode => 'read' exit_after_read => true sincedb_path => '/dev/null'
               file_completed_action => 'log' file_completed_log_path => '/dev/null' } }
filter {
  grok { match => { 'message' => '%{COMBINEDAPACHELOG}' } }
  date { match => [ 'timestamp', 'dd/MMM/yyyy:HH:mm:ss Z' ] }
}
output { file { path => '/dev/null' } }" > "$work/log" 2>&1 || { cat "$work/log" >&2; exit 1; }
  sed -n 's/^summary: Ir$//;s/^summary: \([0-9]*\)$/\1/p' "$3"
}

echo "file($lines and $((2 * lines)) Apache lines) -> grok COMBINEDAPACHELOG + date -> json_lines /dev/null, 1 worker, under cachegrind"
names=(logpipe)
bins=("$bin")
if [ -n "$base" ]; then names+=(logpipe-base); bins+=("$base"); fi
for i in "${!bins[@]}"; do
  small=$(count "${bins[$i]}" "$lines" "$work/cg.$i.small")
  large=$(count "${bins[$i]}" $((2 * lines)) "$work/cg.$i.large")
  printf '%-13s %8d instructions per event  (start-up and the rest: %d)\n' "${names[$i]}" \
    $(((large - small) / lines)) $((2 * small - large))
done
if [ -n "$base" ]; then
  echo "functions, per event, that changed most (base -> now; 2 x $lines lines minus $lines):"
  python3 - "$work" "$lines" <<'PY'
import collections, sys
work, lines = sys.argv[1], int(sys.argv[2])
def per_fn(path):
    counts = collections.Counter()
    fn = None
    for line in open(path):
        if line.startswith("fn="):
            fn = line[3:].strip()
        elif line[:1].isdigit() and fn is not None:
            counts[fn] += int(line.split()[1])
    return counts
def per_event(i):
    small, large = per_fn(f"{work}/cg.{i}.small"), per_fn(f"{work}/cg.{i}.large")
    return {f: (large[f] - small[f]) / lines for f in set(small) | set(large)}
now, base = per_event(0), per_event(1)
diff = sorted(set(now) | set(base), key=lambda f: -abs(now.get(f, 0) - base.get(f, 0)))
for f in diff[:15]:
    b, n = base.get(f, 0), now.get(f, 0)
    if abs(n - b) < 1: break
    print(f"  {b:8.0f} -> {n:8.0f}  {f[:110]}")
PY
fi
