#!/bin/bash
# End-to-end syslog benchmark: a TCP client sends N octet-counted syslog
# messages of 200 bytes (RFC 3164 and RFC 5424 alternating) to the real
# logpipe binary (syslog input -> drop filter, i.e. -> null; with
# OUTPUT=json, syslog input -> JSON lines written to /dev/null); prints the
# client's events/s (TCP backpressure makes it logpipe's rate, within the few
# MB the kernel buffers) and logpipe's own --summary.
#   bench/syslog_e2e.sh [N]      LOGPIPE_BIN=path/to/logpipe (default build/release/logpipe)
#                                OUTPUT=drop (default) | json
set -euo pipefail
cd "$(dirname "$0")/.."
BIN=${LOGPIPE_BIN:-build/release/logpipe}
N=${1:-2000000}
WORKERS=${WORKERS:-1}
PORT=$(python3 -c 'import random; print(random.randint(20000, 60000))')
ERR=$(mktemp)
case "${OUTPUT:-drop}" in
  drop) rest="filter { drop {} }" ;;
  json) rest="output { file { path => '/dev/null' codec => json_lines } }" ;;
  *) echo "OUTPUT is drop or json" >&2; exit 2 ;;
esac
"$BIN" -w "$WORKERS" --summary -e "input { syslog { port => $PORT } } $rest" \
  >/dev/null 2>"$ERR" &
PID=$!
trap 'kill $PID 2>/dev/null || true; rm -f "$ERR"' EXIT
python3 - "$PORT" "$N" <<'PY'
import socket, sys, time
port, n = int(sys.argv[1]), int(sys.argv[2])
def pad(s, k=200): return s + 'x' * (k - len(s))
m1 = pad('<134>Nov 26 04:13:48 web-17 nginx[2231]: 10.0.0.7 - - "GET /api/v1/items?id=42 HTTP/1.1" 200 512 ')
m2 = pad('<165>1 2026-11-26T04:13:49.282022+00:00 web-17 billing 2231 ID47 [origin ip="10.0.0.7"] invoice 42 paid ')
frames = [f'{len(m)} {m}'.encode() for m in (m1, m2)]
per_chunk = 2000
chunk = b''.join(frames[i % 2] for i in range(per_chunk))
deadline = time.time() + 20
while True:
    try:
        s = socket.create_connection(('127.0.0.1', port)); break
    except OSError:
        if time.time() > deadline: sys.exit('logpipe did not start')
        time.sleep(0.05)
t0 = time.perf_counter()
sent = 0
while sent < n:
    s.sendall(chunk); sent += per_chunk
s.close()
dt = time.perf_counter() - t0
print(f'client: {sent} events of 200 bytes in {dt:.2f} s = {sent/dt:,.0f} events/s, {sent*200/dt/1e6:.0f} MB/s')
PY
sleep 2
kill -TERM $PID
wait $PID || true
grep summary "$ERR"
