#!/usr/bin/env bash
# Builds deploy/Dockerfile into a real image and runs it, on a machine with no
# image registry: Debian's docker.io engine started by hand for this run only,
# debian:12 and debian:12-slim made locally with debootstrap + `docker import`.
# The build stage needs network for Debian's packages only.
#
# Not part of scripts/test (it takes minutes and needs root and a kernel that
# runs containers); tests/deploy_test.cpp checks the same command line
# without Docker. Run from anywhere: deploy/test-image.sh
#
# Checks: the image builds; it runs as uid 10001; with host networking, a mock
# Kafka cluster and the local Elasticsearch server on the host, the container
# becomes healthy (Docker's HEALTHCHECK and GET /health), an event goes from
# Kafka through the example team filter to Elasticsearch, and `docker stop`
# (SIGTERM, then SIGKILL after the Marathon grace period) ends it with exit
# code 0. Everything it starts is stopped by PID; its state is under
# build/image-test/ (the debootstrap tarballs are kept for the next run).
set -euo pipefail
cd "$(dirname "$0")/.."
repo=$(pwd)
work=$repo/build/image-test
mkdir -p "$work"
log() { echo "test-image: $*" >&2; }

[ "$(id -u)" -eq 0 ] || { echo "test-image: needs root (dockerd, debootstrap)" >&2; exit 2; }
scripts/deps --image >/dev/null

# Tools from the build tree: the mock Kafka cluster and the Elasticsearch server.
cmake -S . -B build/release -G Ninja -DCMAKE_BUILD_TYPE=Release >/dev/null
cmake --build build/release --target logpipe-mock-kafka logpipe-es-server >/dev/null

pids=()
cleanup() {
  set +e
  [ -S "$work/docker.sock" ] && docker -H "unix://$work/docker.sock" rm -f logpipe-image-test >/dev/null 2>&1
  for pid in "${pids[@]}"; do kill "$pid" 2>/dev/null; done
  for pid in "${pids[@]}"; do wait "$pid" 2>/dev/null; done
}
trap cleanup EXIT

# ---- the engine, on a socket of its own, no bridge: containers use host networking.
rm -f "$work/docker.sock"
dockerd -H "unix://$work/docker.sock" --data-root "$work/docker-data" --exec-root "$work/docker-exec" \
  --pidfile "$work/dockerd.pid" --iptables=false --ip6tables=false --bridge=none \
  >"$work/dockerd.log" 2>&1 &
pids+=($!)
export DOCKER_HOST=unix://$work/docker.sock
for _ in $(seq 1 60); do docker info >/dev/null 2>&1 && break; sleep 0.5; done
docker info >/dev/null || { tail -20 "$work/dockerd.log"; exit 1; }
log "dockerd $(docker version --format '{{.Server.Version}}') up"

# ---- base images: Debian 12 by debootstrap; -slim is the same without docs and locales.
if ! docker image inspect debian:12 >/dev/null 2>&1; then
  if [ ! -s "$work/debian-12.tar" ]; then
    log "debootstrap bookworm (minbase)"
    rm -rf "$work/rootfs"
    debootstrap --variant=minbase bookworm "$work/rootfs" http://deb.debian.org/debian >"$work/debootstrap.log" 2>&1
    # As Debian's images: security updates, no recommends, lists cleaned.
    printf 'deb http://deb.debian.org/debian bookworm main\ndeb http://deb.debian.org/debian bookworm-updates main\ndeb http://deb.debian.org/debian-security bookworm-security main\n' \
      >"$work/rootfs/etc/apt/sources.list"
    rm -rf "$work/rootfs/var/lib/apt/lists/"* "$work/rootfs/var/cache/apt/"*.bin
    tar -C "$work/rootfs" -cf "$work/debian-12.tar" .
    rm -rf "$work/rootfs/usr/share/doc/"* "$work/rootfs/usr/share/man/"* "$work/rootfs/usr/share/locale/"*
    tar -C "$work/rootfs" -cf "$work/debian-12-slim.tar" .
    rm -rf "$work/rootfs"
  fi
  docker import "$work/debian-12.tar" debian:12 >/dev/null
  docker import "$work/debian-12-slim.tar" debian:12-slim >/dev/null
fi
log "base images: $(docker images --format '{{.Repository}}:{{.Tag}} {{.Size}}' debian | tr '\n' ' ')"

# ---- the image, as deploy/README.md builds it.
log "docker build (build stage: scripts/deps --no-npm, then cmake --build --target logpipe)"
start=$(date +%s)
docker build --network host -f deploy/Dockerfile -t logpipe:image-test . >"$work/build.log" 2>&1 ||
  { tail -30 "$work/build.log"; exit 1; }
log "built in $(( $(date +%s) - start )) s: $(docker images --format '{{.Size}}' logpipe:image-test)"
[ "$(docker run --rm --entrypoint id logpipe:image-test -u)" = 10001 ]
docker run --rm --entrypoint /usr/bin/logpipe logpipe:image-test --version

# ---- a run as Marathon makes it: host networking, the app's env and args.
"$repo/build/release/logpipe-mock-kafka" --brokers 1 --topic team-example-app --partitions 1 \
  --bootstrap-file "$work/bootstrap" >"$work/kafka.log" 2>&1 &
pids+=($!)
"$repo/build/release/logpipe-es-server" --port 0 >"$work/es.log" 2>&1 &
pids+=($!)
for _ in $(seq 1 50); do [ -s "$work/bootstrap" ] && grep -q '^port' "$work/es.log" && break; sleep 0.2; done
bootstrap=$(sed 's/^BOOTSTRAP=//' "$work/bootstrap")
es_port=$(awk '/^port/ {print $2; exit}' "$work/es.log")
# The image's port (9600) when it is free here, so Docker's HEALTHCHECK probes the API.
api_port=$(python3 -c '
import socket
s = socket.socket()
try: s.bind(("0.0.0.0", 9600))
except OSError: s.bind(("0.0.0.0", 0))
print(s.getsockname()[1])')
grace=$(python3 -c 'import json; print(json.load(open("deploy/marathon/logpipe.json"))["taskKillGracePeriodSeconds"])')
# The app's env as docker run arguments, one a line (values hold spaces).
mapfile -t env_args < <(python3 -c '
import json
app = json.load(open("deploy/marathon/logpipe.json"))
for k, v in app["env"].items(): print("-e\n" + k + "=" + v)')
mkdir -p "$work/pipeline"
cp deploy/gitlab-ci/example/filter.conf "$work/pipeline/50-filter.conf"
chmod -R a+rX "$work/pipeline"

# The app's args, with the API on that port; one topic (the mock has one).
mapfile -t args < <(python3 -c '
import json, sys
a = json.load(open("deploy/marathon/logpipe.json"))["args"]
a[a.index("--api.http.port") + 1] = sys.argv[1]
print("\n".join(a))' "$api_port")
docker run -d --name logpipe-image-test --network host \
  --mount "type=bind,src=$work/pipeline/50-filter.conf,dst=/usr/share/logpipe/pipeline/50-filter.conf,readonly" \
  "${env_args[@]}" -e "KAFKA_BOOTSTRAP_SERVERS=$bootstrap" -e "ES_HOSTS=http://127.0.0.1:$es_port" \
  -e KAFKA_TOPICS=team-example-app -e MARATHON_APP_ID=/logpipe/team-example -e MESOS_TASK_ID=logpipe_team-example.image-test \
  logpipe:image-test "${args[@]}" >/dev/null
for _ in $(seq 1 100); do curl -fsS "http://127.0.0.1:$api_port/health" >/dev/null 2>&1 && break; sleep 0.2; done
curl -fsS "http://127.0.0.1:$api_port/health"; echo
log "GET /health answers"

# Latest offsets: send until one line arrives.
index=team-example-2026.11.26
for i in $(seq 1 60); do
  echo "2026-11-26 04:13:16.149|ERROR|checkout|alice|56|payment failed $i" | kcat -b "$bootstrap" -t team-example-app -P 2>/dev/null
  sleep 0.5
  curl -fsS "http://127.0.0.1:$es_port/_fake/stats" | grep -q "\"$index\"" && break
done
curl -fsS "http://127.0.0.1:$es_port/_fake/docs/$index" | head -c 600; echo
curl -fsS "http://127.0.0.1:$es_port/_fake/stats" | grep -q "\"$index\"" || { docker logs logpipe-image-test; exit 1; }
log "an event went Kafka -> team filter -> Elasticsearch"

# Docker's HEALTHCHECK (every 10 s) probes the image's port, 9600.
if [ "$api_port" = 9600 ]; then
  for _ in $(seq 1 30); do
    [ "$(docker inspect --format '{{.State.Health.Status}}' logpipe-image-test)" = healthy ] && break
    sleep 1
  done
  health=$(docker inspect --format '{{.State.Health.Status}}' logpipe-image-test)
  log "Docker health status: $health"
  [ "$health" = healthy ]
else
  log "port 9600 is taken here: Docker's HEALTHCHECK not checked"
fi

start=$(date +%s)
docker stop -t "$grace" logpipe-image-test >/dev/null
status=$(docker inspect --format '{{.State.ExitCode}}' logpipe-image-test)
docker logs logpipe-image-test 2>&1 | tail -5
log "docker stop: exit code $status after $(( $(date +%s) - start )) s (grace ${grace}s)"
[ "$status" = 0 ]
log "OK"
