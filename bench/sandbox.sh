#!/usr/bin/env bash
# Benchmark of `logpipe sandbox`: a team's filter (grok COMBINEDAPACHELOG +
# date + mutate) over generated Apache lines, start-up included, output to
# /dev/null. Prints wall and CPU seconds from /usr/bin/time.
#   bench/sandbox.sh [LINES] [MALFORMED_RATE]
# Lines come from bench/gen_apache.py (seed 1). Malformed lines are
# diagnosed (where every pattern stopped), which costs more than a match.
set -euo pipefail
cd "$(dirname "$0")/.."
lines=${1:-10000}
malformed=${2:-0.01}
bin=build/release/logpipe
[ -x "$bin" ] || { echo "build $bin first" >&2; exit 1; }
work=$(mktemp -d)
trap 'rm -rf "$work"' EXIT
python3 bench/gen_apache.py -n "$lines" --malformed-rate "$malformed" --seed 1 -o "$work/sample.log"
cat > "$work/filter.conf" <<'CONF'
filter {
  grok { match => { "message" => "%{COMBINEDAPACHELOG}" } }
  date { match => ["timestamp", "dd/MMM/yyyy:HH:mm:ss Z"] }
  mutate { remove_field => ["timestamp"] }
}
CONF
for mode in text json; do
  flag=""
  [ "$mode" = json ] && flag="--json"
  echo "sandbox, $lines lines (malformed rate $malformed), $mode output:"
  /usr/bin/time -o "$work/time" -f "  wall %e s, CPU %U s user + %S s system, peak RSS %M KiB" \
    "$bin" sandbox -f "$work/filter.conf" $flag --color=never "$work/sample.log" > /dev/null
  cat "$work/time"
done
