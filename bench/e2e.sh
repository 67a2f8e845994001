#!/usr/bin/env bash
# End-to-end benchmark of the plumbing: generator -> mutate -> file output to
# /dev/null (json_lines), one filter worker. Prints the binary's own summary
# (events/s, CPU-seconds per million events, peak RSS, latency percentiles).
#   bench/e2e.sh [EVENTS] [WORKERS]
set -euo pipefail
cd "$(dirname "$0")/.."
events=${1:-5000000}
workers=${2:-1}
bin=${LOGPIPE_BIN:-build/release/logpipe}  # LOGPIPE_BIN: another binary (before/after figures)
[ -x "$bin" ] || scripts/build --target logpipe
data=$(mktemp -d)
trap 'rm -rf "$data"' EXIT
echo "generator($events) -> mutate -> file(/dev/null, json_lines), workers=$workers, batch 125"
"$bin" -w "$workers" --path.data "$data" --summary -e "
input { generator { count => $events message => '127.0.0.1 - frank [10/Oct/2000:13:55:36 -0700] \"GET /apache_pb.gif HTTP/1.0\" 200 2326' } }
filter { mutate { add_field => { \"env\" => \"prod\" } rename => { \"host\" => \"hostname\" } } }
output { file { path => \"/dev/null\" } }"
