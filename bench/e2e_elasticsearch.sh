#!/usr/bin/env bash
# End-to-end benchmark of the elasticsearch output against the local contract
# server (build/release/logpipe-es-server --store count, its own process):
#   1. generator -> elasticsearch, as fast as it goes: events/s, bulk MB/s,
#      CPU-seconds per million events of logpipe's process; and the same
#      generator -> file(/dev/null) for the output's share of the CPU.
#   2. apache lines through `pv -L` at 80% of that rate -> stdin ->
#      elasticsearch: latency from ingest to bulk acknowledgement (logpipe's
#      summary: per event, from its input to its last output's completion).
#   3. kafka (logpipe-mock-kafka) -> grok COMBINEDAPACHELOG + date ->
#      elasticsearch: the platform's main path.
#   bench/e2e_elasticsearch.sh [EVENTS] [WORKERS] [COMPRESSION_LEVEL]
# Prints each run's own summary lines and the server's counters.
set -euo pipefail
cd "$(dirname "$0")/.."
events=${1:-1000000}
workers=${2:-2}
level=${3:-0}
bin=build/release/logpipe
server=build/release/logpipe-es-server
mock=build/release/logpipe-mock-kafka
for t in logpipe logpipe-es-server logpipe-mock-kafka; do
  [ -x "build/release/$t" ] || scripts/build --target "$t"
done
command -v pv >/dev/null || { echo "needs pv (scripts/deps installs it)" >&2; exit 1; }
command -v kcat >/dev/null || { echo "needs kcat (scripts/deps installs it)" >&2; exit 1; }

work=$(mktemp -d)
pids=()
cleanup() {
  for p in "${pids[@]}"; do kill "$p" 2>/dev/null || true; done
  wait 2>/dev/null || true
  rm -rf "$work"
}
trap cleanup EXIT

"$server" --port 0 --port-file "$work/es.port" --store count --request-log 0 >"$work/es.out" 2>&1 &
pids+=($!)
server_pid=$!
for _ in $(seq 100); do [ -s "$work/es.port" ] && break; sleep 0.1; done
port=$(cat "$work/es.port")
es="http://127.0.0.1:$port"

server_cpu() {  # utime+stime of the server, in seconds
  awk -v hz="$(getconf CLK_TCK)" '{print ($14+$15)/hz}' "/proc/$server_pid/stat"
}
es_stats() { curl -s "$es/_fake/stats"; echo; }
bytes_received() { curl -s "$es/_fake/stats" | python3 -c 'import json,sys; print(json.load(sys.stdin)["bytes_received"])'; }

output="output { elasticsearch { hosts => ['$es'] index => 'bench' compression_level => $level manage_template => false } }"
line='127.0.0.1 - frank [10/Oct/2000:13:55:36 -0700] "GET /apache_pb.gif HTTP/1.0" 200 2326 "http://www.example.com/start.html" "Mozilla/4.08 [en] (Win98; I ;Nav)"'

echo "== 1. generator($events) -> elasticsearch (compression_level $level), workers=$workers"
b0=$(bytes_received); c0=$(server_cpu)
"$bin" -w "$workers" --path.data "$work/d1" --summary -e "
input { generator { count => $events message => '$line' } }
$output" 2>"$work/run1.log" | tee "$work/run1.out"
grep '^summary' "$work/run1.log" || true
b1=$(bytes_received); c1=$(server_cpu)
secs=$(grep -o 'summary: [0-9.]* s' "$work/run1.log" | head -1 | awk '{print $2}')
rate=$(grep -o '[0-9]* events/s' "$work/run1.log" | head -1 | awk '{print $1}')
python3 - "$b0" "$b1" "$secs" "$c0" "$c1" "$events" <<'EOF'
import sys
b0, b1, secs, c0, c1, n = map(float, sys.argv[1:])
print(f"bulk: {(b1-b0)/1e6:.1f} MB in {secs:.2f} s = {(b1-b0)/1e6/secs:.1f} MB/s; "
      f"server CPU {c1-c0:.2f} s ({(c1-c0)/n*1e6:.2f} CPU-s per million events)")
EOF

echo "== 1b. the same generator -> file(/dev/null): logpipe without the output"
"$bin" -w "$workers" --path.data "$work/d1b" --summary -e "
input { generator { count => $events message => '$line' } }
output { file { path => '/dev/null' } }" 2>&1 | grep '^summary' || true

echo "== 2. the same lines through pv at 80% of ${rate} events/s -> stdin -> elasticsearch"
n2=$((events / 2))
python3 -c "import sys; l=sys.argv[1]+'\n'; sys.stdout.write(l*int(sys.argv[2]))" "$line" "$n2" >"$work/lines.txt"
bytes_per_line=$(( ${#line} + 1 ))
limit=$(( rate * 8 / 10 * bytes_per_line ))
pv -q -L "$limit" "$work/lines.txt" | "$bin" -w "$workers" --path.data "$work/d2" --summary -e "
input { stdin { } }
$output" 2>&1 | grep '^summary' || true

echo "== 3. kafka (mock, 16 partitions) -> grok COMBINEDAPACHELOG + date -> elasticsearch"
# librdkafka's mock keeps only the newest ~20,000 messages of a partition
# (older message sets are dropped, seen as a consumer that stops short), and
# kcat's sticky partitioner would put long runs into one partition: the lines
# are spread evenly (sticky.partitioning.linger.ms=0), at most 250,000 over 16
# partitions, all produced before logpipe starts.
n3=$((events / 4)); [ "$n3" -gt 250000 ] && n3=250000
python3 bench/gen_apache.py -n "$n3" --seed 1 -o "$work/apache.log"
"$mock" --topic logs --partitions 16 --bootstrap-file "$work/bootstrap" >"$work/mock.out" 2>&1 &
pids+=($!)
for _ in $(seq 100); do [ -s "$work/bootstrap" ] && break; sleep 0.1; done
brokers=$(sed "s/^BOOTSTRAP=//" "$work/bootstrap")
kcat -b "$brokers" -t logs -P -l "$work/apache.log" -X queue.buffering.max.messages=1000000 \
  -X sticky.partitioning.linger.ms=0
"$bin" -w "$workers" --path.data "$work/d3" --summary -e "
input { kafka { bootstrap_servers => '$brokers' topics => ['logs'] group_id => 'bench' auto_offset_reset => 'earliest' } }
filter {
  grok { match => { 'message' => '%{COMBINEDAPACHELOG}' } }
  date { match => [ 'timestamp', 'dd/MMM/yyyy:HH:mm:ss Z' ] }
}
$output" 2>"$work/run3.log" &
lp=$!
pids+=($lp)
# Stopped once the server holds every event (the Kafka input never ends).
docs_total() { curl -s "$es/_fake/stats" | python3 -c 'import json,sys; print(json.load(sys.stdin)["docs"]["total"])'; }
want=$((events + n2 + n3))
last=-1; still=0
for _ in $(seq 1200); do
  docs=$(docs_total)
  [ "$docs" -ge "$want" ] && break
  if [ "$docs" = "$last" ]; then still=$((still + 1)); else still=0; fi
  [ "$still" -ge 20 ] && { echo "stalled at $docs of $want documents (the mock dropped messages?)"; break; }
  last=$docs
  sleep 0.5
done
kill -TERM "$lp"; wait "$lp" || true
grep '^summary' "$work/run3.log" || true
echo "(the kafka run's events/s are over its whole life, with the group join of about 3 s)"
echo "== server"
es_stats
