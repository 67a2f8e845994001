#!/bin/sh
# Generates a 100-case LFV suite (grok + mutate + date) and times `logpipe test`
# over it, start-up included. Usage: bench/lfv_suite.sh [path/to/logpipe]
set -e
bin=${1:-build/release/logpipe}
dir=$(mktemp -d)
trap 'rm -rf "$dir"' EXIT
cat > "$dir/filter.conf" <<'CONF'
filter {
  grok { match => { "message" => "%{IP:client} %{WORD:method} %{NUMBER:status:int}" } }
  mutate { add_tag => ["parsed"] }
}
CONF
mkdir "$dir/cases"
i=0
while [ $i -lt 100 ]; do
  cat > "$dir/cases/case$i.json" <<CASE
{"ignore": ["@timestamp"], "testcases": [{"description": "case $i",
  "input": ["10.0.0.$((i % 250)) GET $((200 + i))"],
  "expected": [{"message": "10.0.0.$((i % 250)) GET $((200 + i))", "client": "10.0.0.$((i % 250))",
                "method": "GET", "status": $((200 + i)), "tags": ["parsed"]}]}]}
CASE
  i=$((i + 1))
done
/usr/bin/time -f "100 case files: %e s wall, %U s user + %S s system CPU, %M KiB peak RSS" \
  "$bin" test -f "$dir/filter.conf" "$dir/cases" | tail -1
