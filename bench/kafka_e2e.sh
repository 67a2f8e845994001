#!/usr/bin/env bash
# End-to-end Kafka benchmark: N JSON documents (about 250 bytes, as a service
# writes them) produced with kcat into librdkafka's mock cluster
# (build/release/logpipe-mock-kafka, 16 partitions) before logpipe starts, then
# the real binary consumes them: kafka input -> json codec -> JSON lines
# written to /dev/null. logpipe is stopped once its monitoring API counts every
# event out; prints its own --summary (CPU-seconds over its whole life, the
# group join of a few idle seconds included).
#   bench/kafka_e2e.sh [N]       N at most 300000 (the mock keeps about 20,000
#                                messages a partition); LOGPIPE_BIN, WORKERS
set -euo pipefail
cd "$(dirname "$0")/.."
bin=${LOGPIPE_BIN:-build/release/logpipe}
mock=build/release/logpipe-mock-kafka
n=${1:-250000}
workers=${WORKERS:-1}
[ "$n" -gt 300000 ] && { echo "N is at most 300000" >&2; exit 2; }
for t in "$bin" "$mock"; do [ -x "$t" ] || { echo "$t: build it first (scripts/build)" >&2; exit 1; }; done
command -v kcat >/dev/null || { echo "kcat not installed (scripts/deps)" >&2; exit 1; }
work=$(mktemp -d /tmp/logpipe-kafka-bench-XXXXXX)
pids=()
trap 'for p in "${pids[@]}"; do kill "$p" 2>/dev/null || true; done; wait 2>/dev/null; rm -rf "$work"' EXIT
python3 - "$n" "$work/docs.jsonl" <<'PY'
import json, random, sys
n, out = int(sys.argv[1]), sys.argv[2]
rnd = random.Random(1)
paths = ['/api/v1/items', '/api/v1/orders', '/login', '/static/app.js', '/health']
with open(out, 'w') as f:
    for i in range(n):
        f.write(json.dumps({
            'ts': f'2026-11-26T04:{i // 60 % 60:02d}:{i % 60:02d}.{i % 1000:03d}Z',
            'level': rnd.choice(['INFO', 'INFO', 'INFO', 'WARN', 'ERROR']),
            'service': 'billing', 'trace_id': f'{rnd.getrandbits(64):016x}',
            'http': {'method': 'GET', 'path': rnd.choice(paths), 'status': rnd.choice([200, 200, 404, 500]),
                     'bytes': rnd.randint(100, 90000)},
            'msg': f'request {i} served in {rnd.randint(1, 900)} ms'}, separators=(',', ':')) + '\n')
PY
"$mock" --topic logs --partitions 16 --bootstrap-file "$work/bootstrap" >"$work/mock.out" 2>&1 &
pids+=($!)
for _ in $(seq 100); do [ -s "$work/bootstrap" ] && break; sleep 0.1; done
brokers=$(sed "s/^BOOTSTRAP=//" "$work/bootstrap")
# Spread evenly: the mock drops the oldest message sets of a long partition.
kcat -b "$brokers" -t logs -P -l "$work/docs.jsonl" -X queue.buffering.max.messages=1000000 \
  -X sticky.partitioning.linger.ms=0
port=$(python3 -c 'import random; print(random.randint(20000, 60000))')
echo "kafka (mock, 16 partitions, $n JSON documents) -> json codec -> JSON lines (/dev/null), workers=$workers"
"$bin" -w "$workers" --path.data "$work/data" --api.http.port "$port" --summary -e "
input { kafka { bootstrap_servers => '$brokers' topics => ['logs'] group_id => 'bench'
                auto_offset_reset => 'earliest' codec => json } }
output { file { path => '/dev/null' codec => json_lines } }" 2>"$work/run.log" &
lp=$!
pids+=($lp)
out_events() {
  curl -s "http://127.0.0.1:$port/_node/stats" |
    python3 -c 'import json,sys; print(json.load(sys.stdin)["events"]["out"])' 2>/dev/null || echo 0
}
last=-1; still=0
for _ in $(seq 1200); do
  got=$(out_events)
  [ "$got" -ge "$n" ] && break
  if [ "$got" = "$last" ]; then still=$((still + 1)); else still=0; fi
  [ "$still" -ge 40 ] && { echo "stalled at $got of $n events"; break; }
  last=$got
  sleep 0.25
done
kill -TERM "$lp"; wait "$lp" || true
grep '^summary' "$work/run.log" || { tail -20 "$work/run.log"; exit 1; }
