#!/usr/bin/env bash
# End-to-end benchmark of parsing: file (read mode) -> grok COMBINEDAPACHELOG +
# date -> json_lines file output on /dev/null, one filter worker by default.
# Prints the binary's own summary (events/s, CPU-seconds per million events,
# peak RSS, latency percentiles).
#   bench/e2e_grok.sh [LINES] [WORKERS] [MALFORMED_RATE]
# The Apache combined lines come from bench/gen_apache.py (deterministic:
# seed 1), written once to build/bench-data and reused while the generator
# is unchanged (its hash is in the file name).
set -euo pipefail
cd "$(dirname "$0")/.."
lines=${1:-1000000}
workers=${2:-1}
malformed=${3:-0}
bin=${LOGPIPE_BIN:-build/release/logpipe}  # LOGPIPE_BIN: another binary (before/after figures)
[ -x "$bin" ] || scripts/build --target logpipe
gen=bench/gen_apache.py
data=build/bench-data
mkdir -p "$data"
gen_hash=$(sha1sum "$gen" | cut -c1-10)
input="$PWD/$data/apache-$lines-$malformed-$gen_hash.log"
if [ ! -s "$input" ]; then
  python3 "$gen" -n "$lines" --malformed-rate "$malformed" --seed 1 -o "$input.tmp"
  mv "$input.tmp" "$input"
fi
state=$(mktemp -d)
trap 'rm -rf "$state"' EXIT
echo "file($lines lines, malformed rate $malformed) -> grok COMBINEDAPACHELOG + date -> file(/dev/null, json_lines), workers=$workers"
${PERF:-} "$bin" -w "$workers" --path.data "$state" --summary -e "
input { file { path => '$input' mode => 'read' exit_after_read => true sincedb_path => '/dev/null'
               file_completed_action => 'log' file_completed_log_path => '/dev/null' } }
filter {
  grok { match => { 'message' => '%{COMBINEDAPACHELOG}' } }
  date { match => [ 'timestamp', 'dd/MMM/yyyy:HH:mm:ss Z' ] }
}
output { file { path => '/dev/null' } }"
