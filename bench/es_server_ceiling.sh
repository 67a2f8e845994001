#!/usr/bin/env bash
# The fake Elasticsearch server's own ceiling: logpipe-es-server-bench posts
# pre-built 5 MB bulk bodies of ~300-byte documents over keep-alive
# connections; this prints events/s and MB/s, and the server process's
# CPU-seconds per million events, for --store ids and --store count.
#   bench/es_server_ceiling.sh [seconds] [connections]
# Needs: scripts/build logpipe-es-server logpipe-es-server-bench
set -euo pipefail
cd "$(dirname "$0")/.."
seconds=${1:-5}
connections=${2:-2}
bin=build/release
tmp=$(mktemp -d)
trap 'kill "${server:-}" 2>/dev/null || true; rm -rf "$tmp"' EXIT

cpu_ticks() { awk '{print $14 + $15}' "/proc/$1/stat"; }

run() {  # store ids-mode [extra bench flags]
  local store=$1 ids=$2
  shift 2
  "$bin/logpipe-es-server" --port 0 --port-file "$tmp/port" --store "$store" --request-log 0 >/dev/null &
  server=$!
  for _ in $(seq 100); do [ -s "$tmp/port" ] && break; sleep 0.05; done
  local before out after events
  before=$(cpu_ticks "$server")
  out=$("$bin/logpipe-es-server-bench" --port "$(cat "$tmp/port")" --connections "$connections" \
        --seconds "$seconds" --ids "$ids" "$@")
  after=$(cpu_ticks "$server")
  kill "$server"; wait "$server" 2>/dev/null || true
  rm -f "$tmp/port"
  events=$(sed -n 's/.*events=\([0-9]*\) .*/\1/p' <<<"$out")
  echo "store=$store $(head -1 <<<"$out")"
  echo "  $(tail -1 <<<"$out")"
  awk -v t=$((after - before)) -v hz="$(getconf CLK_TCK)" -v e="$events" \
    'BEGIN { printf "  server cpu-seconds=%.2f cpu-seconds/M events=%.3f\n", t / hz, e ? t / hz / (e / 1e6) : 0 }'
}

run ids explicit
run ids explicit --filter-path
run count auto
run count auto --filter-path
