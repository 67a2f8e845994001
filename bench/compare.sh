#!/usr/bin/env bash
# logpipe against rsyslog and syslog-ng (those that are installed) on the same
# generated Apache combined file, in one sitting, alternating runs (A B C A B C
# ...), so that a shared machine's changing speed hits every system alike.
# logpipe: file (read mode) -> grok COMBINEDAPACHELOG + date -> json_lines file.
# rsyslog: imfile -> mmnormalize (liblognorm, 11 fields) -> JSON file.
# syslog-ng: file -> regexp-parser (11 fields) -> format-json file.
# The peers parse less (no date, no type checks): compare with that in mind.
# Prints each run, then medians: CPU-s per million lines (whole process, all
# threads), wall, peak RSS, and each system's CPU ratio to logpipe.
#   bench/compare.sh [LINES] [ROUNDS] [WORKERS]
#   LOGPIPE_BIN=path        the binary measured (default build/release/logpipe)
#   LOGPIPE_BASE_BIN=path   a second logpipe binary run alternately with the
#                           first (before/after figures of a change)
#   PEERS=0                 logpipe only
set -euo pipefail
cd "$(dirname "$0")/.."
lines=${1:-1000000}
rounds=${2:-3}
workers=${3:-1}
bin=$(realpath "${LOGPIPE_BIN:-build/release/logpipe}")
base=${LOGPIPE_BASE_BIN:+$(realpath "$LOGPIPE_BASE_BIN")}
run_one=bench/peers/run_one.py
data=build/bench-data
mkdir -p "$data"
gen_hash=$(sha1sum bench/gen_apache.py | cut -c1-10)
input="$PWD/$data/apache-$lines-0-$gen_hash.log"
if [ ! -s "$input" ]; then
  python3 bench/gen_apache.py -n "$lines" --seed 1 -o "$input.tmp"
  mv "$input.tmp" "$input"
fi
work=$(mktemp -d /tmp/logpipe-compare-XXXXXX)
trap 'rm -rf "$work"' EXIT
results=$work/results

logpipe_run() {  # name binary
  rm -rf "$work/lp-data" "$work/lp.jsonl"
  python3 "$run_one" "$1" exits -- "$2" -w "$workers" --path.data "$work/lp-data" -e "
input { file { path => '$input' mode => 'read' exit_after_read => true sincedb_path => '/dev/null'
               file_completed_action => 'log' file_completed_log_path => '/dev/null' } }
filter {
  grok { match => { 'message' => '%{COMBINEDAPACHELOG}' } }
  date { match => [ 'timestamp', 'dd/MMM/yyyy:HH:mm:ss Z' ] }
}
output { file { path => '$work/lp.jsonl' } }"
}

render() {  # template output
  sed -e "s|@IN@|$input|g" -e "s|@OUT@|$work/peer.jsonl|g" -e "s|@WORK@|$work/peer-work|g" \
      -e "s|@RULEBASE@|$PWD/bench/peers/apache_combined.rulebase|g" "$1" > "$2"
}

rsyslog_run() {
  rm -rf "$work/peer-work" "$work/peer.jsonl" && mkdir -p "$work/peer-work"
  render bench/peers/rsyslog.conf.in "$work/rsyslog.conf"
  python3 "$run_one" rsyslog daemon "$work/peer.jsonl" "$lines" -- \
    rsyslogd -n -f "$work/rsyslog.conf" -i "$work/rsyslog.pid"
}

syslog_ng_run() {
  rm -rf "$work/peer.jsonl" "$work/sng" && mkdir -p "$work/sng"
  render bench/peers/syslog-ng.conf.in "$work/syslog-ng.conf"
  python3 "$run_one" syslog-ng daemon "$work/peer.jsonl" "$lines" -- \
    syslog-ng -F -f "$work/syslog-ng.conf" -R "$work/sng/persist" -p "$work/sng/pid" -c "$work/sng/ctl"
}

systems=(logpipe)
[ -n "$base" ] && systems+=(logpipe-base)
if [ "${PEERS:-1}" = 0 ]; then
  :
elif command -v rsyslogd >/dev/null && [ -e /usr/lib/x86_64-linux-gnu/rsyslog/mmnormalize.so ]; then
  systems+=(rsyslog)
else
  echo "rsyslog (with mmnormalize) not installed: skipped"
fi
if [ "${PEERS:-1}" = 0 ]; then
  :
elif command -v syslog-ng >/dev/null; then
  systems+=(syslog-ng)
else
  echo "syslog-ng not installed: skipped"
fi

echo "$lines Apache combined lines ($(du -m "$input" | cut -f1) MB), $rounds rounds, logpipe workers=$workers"
echo "system wall_s cpu_s peak_rss_kib"
for _ in $(seq "$rounds"); do
  for s in "${systems[@]}"; do
    case $s in
      logpipe) logpipe_run logpipe "$bin" ;;
      logpipe-base) logpipe_run logpipe-base "$base" ;;
      rsyslog) rsyslog_run ;;
      syslog-ng) syslog_ng_run ;;
    esac
  done | tee -a "$results"
done

python3 - "$results" "$lines" <<'PY'
import statistics, sys
rows, lines = [l.split() for l in open(sys.argv[1])], int(sys.argv[2])
med = {}
for name in dict.fromkeys(r[0] for r in rows):
    rs = [r for r in rows if r[0] == name]
    med[name] = [statistics.median(float(r[i]) for r in rs) for i in (1, 2, 3)]
ref = med["logpipe"][1]
print("\nmedians   %-12s %10s %16s %8s %10s %14s" % ("system", "lines/s", "CPU-s per M", "wall s", "peak RSS", "CPU vs logpipe"))
for name, (wall, cpu, rss) in med.items():
    print("medians   %-12s %10.0f %16.3f %8.2f %7.1f MiB %13.2fx" % (
        name, lines / wall, cpu * 1e6 / lines, wall, rss / 1024, cpu / ref))
PY
