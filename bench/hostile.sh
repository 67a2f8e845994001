#!/usr/bin/env bash
# Hostile input against clean: the same pipeline (stdin -> json, grok
# [COMBINEDAPACHELOG, SYSLOGLINE, a catch-all], kv, date -> JSON lines to
# /dev/null) over a clean Apache log and over the same log with a share of
# its lines replaced by bench/gen_hostile.py's, alternating runs. Prints
# CPU-seconds, wall, peak RSS and events/s of each, and the ratio.
#   bench/hostile.sh [LINES] [HOSTILE_RATE] [ROUNDS]   (BIG=N: how many 1 MiB lines, default 4)
set -euo pipefail
cd "$(dirname "$0")/.."
lines=${1:-20000}
rate=${2:-0.05}
rounds=${3:-3}
bin=${LOGPIPE_BIN:-build/release/logpipe}
[ -x "$bin" ] || scripts/build logpipe >/dev/null
work=$(mktemp -d)
trap 'rm -rf "$work"' EXIT
python3 bench/gen_apache.py -n "$lines" --seed 3 -o "$work/clean.log"
python3 bench/gen_hostile.py --clean "$work/clean.log" --rate "$rate" --big "${BIG:-4}" -o "$work/hostile.log" 2>"$work/gen.txt"
cat > "$work/pipeline.conf" <<'CONF'
input { stdin { } }
filter {
  if [message] =~ /^[\[{]/ { json { source => "message" target => "doc" } }
  grok { match => { "message" => ["%{COMBINEDAPACHELOG}", "%{SYSLOGLINE}", "%{IPORHOST:h} %{GREEDYDATA:rest}"] } }
  kv { source => "message" target => "kv" }
  date { match => ["timestamp", "dd/MMM/yyyy:HH:mm:ss Z"] }
}
output { file { path => "/dev/null" codec => json_lines } }
CONF
echo "$lines lines; hostile: $(cat "$work/gen.txt"), $(du -h "$work/hostile.log" | cut -f1) against $(du -h "$work/clean.log" | cut -f1) clean"
for r in $(seq "$rounds"); do
  for kind in clean hostile; do
    /usr/bin/time -f "$kind %U %S %e %M" -o "$work/t" "$bin" -w 2 --path.data "$work/data" \
      -f "$work/pipeline.conf" <"$work/$kind.log" >/dev/null 2>"$work/log" || { cat "$work/log"; exit 1; }
    cat "$work/t" >>"$work/times"
  done
done
awk -v n="$lines" '
  { cpu[$1] += $2 + $3; wall[$1] += $4; if ($5 > rss[$1]) rss[$1] = $5; runs[$1]++ }
  END {
    for (k in runs)
      printf "%-8s CPU %.3f s, wall %.3f s, peak RSS %d KiB, %.0f events/s (mean of %d)\n", k,
             cpu[k] / runs[k], wall[k] / runs[k], rss[k], n / (wall[k] / runs[k]), runs[k]
    printf "hostile/clean: CPU x%.2f, wall x%.2f\n", cpu["hostile"] / cpu["clean"], wall["hostile"] / wall["clean"]
  }' "$work/times"
