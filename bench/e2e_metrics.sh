#!/usr/bin/env bash
# The cost of monitoring, end to end: the same pipelines with every figure
# off (api.enabled false, enable_metric => false on each plugin) and on (the
# API scraped at /metrics and /_node/stats every second, the statsd push
# every second to a UDP port nobody reads, a summary log line every second).
# Runs are interleaved (off, on, off, on ...) so a noisy machine hurts both
# alike; prints each run's own summary line.
#   bench/e2e_metrics.sh [EVENTS] [WORKERS] [ROUNDS]
set -euo pipefail
cd "$(dirname "$0")/.."
events=${1:-5000000}
workers=${2:-2}
rounds=${3:-3}
bin=build/release/logpipe
[ -x "$bin" ] || scripts/build --target logpipe
state=$(mktemp -d)
trap 'rm -rf "$state"; kill $(jobs -p) 2>/dev/null || true' EXIT
port=$((19600 + RANDOM % 300))

config() {  # $1: "false" for metrics off, "true" for on
  echo "
input { generator { count => $events enable_metric => $1 message => '127.0.0.1 - frank [10/Oct/2000:13:55:36 -0700] \"GET /apache_pb.gif HTTP/1.0\" 200 2326' } }
filter {
  grok { enable_metric => $1 match => { 'message' => '%{COMMONAPACHELOG}' } }
  mutate { enable_metric => $1 add_field => { 'env' => 'prod' } }
}
output { file { enable_metric => $1 path => '/dev/null' } }"
}

run() {  # $1: off|on
  if [ "$1" = off ]; then
    "$bin" -w "$workers" --path.data "$state" --summary --api.enabled false -e "$(config false)" 2>"$state/off.log" || true
    grep -E "^summary: [0-9.]+ s|^summary: latency" "$state/off.log" || true
  else
    "$bin" -w "$workers" --path.data "$state" --summary --api.http.port "$port" \
      --metrics.statsd.host 127.0.0.1 --metrics.statsd.port 9 --metrics.statsd.interval 1s \
      --log.summary_interval 1s -e "$(config true)" 2>"$state/on.log" &
    local pid=$!
    # Scrape while it runs, as Prometheus and a dashboard would: one client
    # process (a curl per request would cost more than what it measures).
    python3 - "$port" "$pid" <<'PY' &
import os, sys, time, urllib.request
port, pid = sys.argv[1], int(sys.argv[2])
while True:
    try:
        os.kill(pid, 0)
    except OSError:
        break
    for path in ("/metrics", "/_node/stats"):
        try:
            urllib.request.urlopen(f"http://127.0.0.1:{port}{path}", timeout=2).read()
        except Exception:
            pass
    time.sleep(1)
PY
    wait $pid || true
    grep -E "^summary: [0-9.]+ s|^summary: latency" "$state/on.log" || true
  fi
}

echo "generator($events) -> grok COMMONAPACHELOG + mutate -> file(/dev/null), workers=$workers; metrics off vs on, $rounds rounds"
for r in $(seq 1 "$rounds"); do
  echo "--- round $r: metrics off"
  run off
  echo "--- round $r: metrics on (API scraped every 1 s, statsd push and summary line every 1 s)"
  run on
done
