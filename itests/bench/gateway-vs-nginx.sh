#!/usr/bin/env bash
# Plinth gateway against nginx as reverse proxies of the same backend, on this machine, in one
# run, with wrk over keep-alive connections. Installs nginx and wrk (Debian packages) if missing.
# Prints req/s of each, the ratio, and the latency each proxy adds over the backend alone.
# Usage: itests/bench/gateway-vs-nginx.sh [seconds] [connections]   (after mvn install)
set -euo pipefail
cd "$(dirname "$0")/../.."
SECONDS_PER_RUN=${1:-10}
CONNECTIONS=${2:-50}
BACKEND_PORT=24001 NGINX_PORT=24002 GATEWAY_PORT=24080 ADMIN_PORT=24090 HTTP_PORT=24181 HTTPS_PORT=24443
WORK=$(mktemp -d /tmp/plinth-bench.XXXXXX)

if ! command -v nginx >/dev/null || ! command -v wrk >/dev/null; then
  apt-get update -qq && apt-get install -y -qq nginx-light wrk >/dev/null
fi

cleanup() {
  [ -f "$WORK/nginx.pid" ] && kill "$(cat "$WORK/nginx.pid")" 2>/dev/null || true
  if [ -d "$WORK/node" ]; then
    pkill -f "$WORK/node" 2>/dev/null || true
    while pgrep -f "$WORK/node" >/dev/null; do sleep 0.2; done
  fi
  rm -rf "$WORK"
}
trap cleanup EXIT

# One nginx process serves the backend (a small static file) and, separately, proxies to it.
mkdir -p "$WORK/www" && head -c 1024 /dev/zero | tr '\0' 'x' > "$WORK/www/index.html"
cat > "$WORK/nginx.conf" <<CONF
worker_processes 1;
pid $WORK/nginx.pid;
error_log $WORK/error.log;
events { worker_connections 4096; }
http {
  access_log off;
  keepalive_requests 1000000;
  upstream backend { server 127.0.0.1:$BACKEND_PORT; keepalive 64; }
  server { listen 127.0.0.1:$BACKEND_PORT; root $WORK/www; }
  server {
    listen 127.0.0.1:$NGINX_PORT;
    location / { proxy_pass http://backend; proxy_http_version 1.1; proxy_set_header Connection ""; }
  }
}
CONF
nginx -c "$WORK/nginx.conf"

# A Plinth node from the built distribution, its gateway in front of the same backend.
mkdir -p "$WORK/node" && tar xzf karaf-distribution/target/plinth-*.tar.gz -C "$WORK/node" --strip-components=1
sed -i "s/^port = .*/port = $GATEWAY_PORT/; s/^adminPort = .*/adminPort = $ADMIN_PORT/; s/^eventLoops = .*/eventLoops = ${PLINTH_GATEWAY_LOOPS:-0}/; s/^adminTls = .*/adminTls = false/" "$WORK/node/etc/io.plinth.gateway.cfg"
sed -i "s/8181/$HTTP_PORT/; s/8443/$HTTPS_PORT/" "$WORK/node/etc/org.ops4j.pax.web.cfg"
sed -i "s/^sshPort.*/sshPort = 24101/" "$WORK/node/etc/org.apache.karaf.shell.cfg"
"$WORK/node/bin/start" >/dev/null 2>&1
for _ in $(seq 1 120); do curl -sf "http://127.0.0.1:$ADMIN_PORT/configuration/cluster" >/dev/null && break; sleep 0.5; done
curl -sf -X PUT "http://127.0.0.1:$ADMIN_PORT/configuration/cluster" \
  --data "{\"cluster\": {\"servers\":[{\"ip\": \"127.0.0.1\", \"port\": $BACKEND_PORT}]}}" >/dev/null

run() { # name port -> "req/s p50_ms p99_ms"
  wrk -t1 -c"$CONNECTIONS" -d2s "http://127.0.0.1:$2/" >/dev/null   # warm-up (JIT, pools)
  wrk -t1 -c"$CONNECTIONS" -d"${SECONDS_PER_RUN}s" --latency "http://127.0.0.1:$2/" > "$WORK/$1.txt"
  awk '/Requests\/sec/ {rps=$2} /^ +50%/ {p50=$2} /^ +99%/ {p99=$2} END {print rps, p50, p99}' "$WORK/$1.txt"
}
ms() { # wrk latency (us/ms/s) -> ms
  awk -v v="$1" 'BEGIN { n=v+0; if (v ~ /us$/) n/=1000; else if (v ~ /s$/ && v !~ /ms$/) n*=1000; printf "%.3f", n }'
}

read -r DIRECT_RPS DIRECT_P50 DIRECT_P99 <<< "$(run direct $BACKEND_PORT)"
read -r NGINX_RPS NGINX_P50 NGINX_P99 <<< "$(run nginx $NGINX_PORT)"
read -r PLINTH_RPS PLINTH_P50 PLINTH_P99 <<< "$(run plinth $GATEWAY_PORT)"

echo "wrk, ${CONNECTIONS} keep-alive connections, ${SECONDS_PER_RUN} s each, 1 KiB static answer, $(nproc) cores"
printf '%-8s %12s %10s %10s\n' "" "req/s" "p50 ms" "p99 ms"
for who in DIRECT NGINX PLINTH; do
  rps=${who}_RPS p50=${who}_P50 p99=${who}_P99
  printf '%-8s %12s %10s %10s\n' "${who,,}" "${!rps}" "$(ms "${!p50}")" "$(ms "${!p99}")"
done
awk -v p="$PLINTH_RPS" -v n="$NGINX_RPS" 'BEGIN { printf "plinth / nginx throughput: %.2f\n", p / n }'
for who in NGINX PLINTH; do
  p50=${who}_P50 p99=${who}_P99
  awk -v a="$(ms "${!p50}")" -v b="$(ms "$DIRECT_P50")" -v c="$(ms "${!p99}")" -v d="$(ms "$DIRECT_P99")" -v w="${who,,}" \
    'BEGIN { printf "%s adds: p50 %.3f ms, p99 %.3f ms\n", w, a - b, c - d }'
done
