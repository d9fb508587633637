#!/usr/bin/env bash
# The local demo: builds proxywatch, starts a real squid and a TLS origin on loopback (with a
# CA made on the spot) and shows proxywatch probing through them — a healthy tunnel, an ACL
# deny, a destination the proxy cannot reach, and a proxy that is not there. Then it runs the
# main job, `proxywatch daemon`, on the same squid for a few seconds (one target healthy, one
# denied) and shows `proxywatch status`, what `proxywatch history` read from the probe history
# meanwhile, the status page's address and some /metrics lines.
# Everything it started is stopped on exit.
# Nothing leaves the machine: squid resolves the demo names from its own hosts file and asks
# no DNS server.
set -euo pipefail
cd "$(dirname "$0")/.."
root=$PWD

scripts/install-deps.sh
cmake -S . -B build -G Ninja -DCMAKE_BUILD_TYPE=RelWithDebInfo >/dev/null
cmake --build build --target proxywatch
# DEMO_SECONDS: how long the daemon probes before `proxywatch status` (default 8).
# DEMO_WAIT=1: keep the daemon running until Enter is pressed, to look at its status page.
demo_seconds=${DEMO_SECONDS:-8}
pw=$root/build/daemon/proxywatch

work=$(mktemp -d /tmp/proxywatch-demo.XXXXXX)
chmod 0755 "$work"
pids=()
cleanup() {
  for pid in "${pids[@]}"; do kill "$pid" 2>/dev/null || true; done
  for pid in "${pids[@]}"; do wait "$pid" 2>/dev/null || true; done
  rm -rf "$work"
}
trap cleanup EXIT

free_port() {  # a loopback TCP port nobody listens on
  local port
  for _ in $(seq 50); do
    port=$((20000 + RANDOM % 20000))
    ss -Hltn "sport = :$port" | grep -q . || { echo "$port"; return 0; }
  done
  return 1
}

wait_port() {  # wait_port PORT: up to 10 s for a listener
  for _ in $(seq 100); do
    (exec 3<>"/dev/tcp/127.0.0.1/$1") 2>/dev/null && return 0
    sleep 0.1
  done
  echo "demo: nothing listens on port $1" >&2
  return 1
}

# A CA and a certificate for the demo origin, made now.
openssl req -x509 -newkey ec -pkeyopt ec_paramgen_curve:P-256 -nodes -days 2 \
  -subj "/CN=proxywatch demo CA" -keyout "$work/ca.key" -out "$work/ca.pem" 2>/dev/null
openssl req -newkey ec -pkeyopt ec_paramgen_curve:P-256 -nodes -subj "/CN=origin.demo" \
  -keyout "$work/origin.key" -out "$work/origin.csr" 2>/dev/null
printf 'subjectAltName=DNS:origin.demo\n' >"$work/san.ext"
openssl x509 -req -in "$work/origin.csr" -CA "$work/ca.pem" -CAkey "$work/ca.key" \
  -CAcreateserial -days 2 -extfile "$work/san.ext" -out "$work/origin.pem" 2>/dev/null

origin_port=$(free_port)
openssl s_server -quiet -www -accept "127.0.0.1:$origin_port" \
  -cert "$work/origin.pem" -key "$work/origin.key" >/dev/null 2>&1 &
pids+=($!)
wait_port "$origin_port"

squid_port=$(free_port)
printf '127.0.0.1 origin.demo blocked.demo\n' >"$work/hosts"
cat >"$work/squid.conf" <<CONF
http_port 127.0.0.1:$squid_port
visible_hostname proxywatch-demo
hosts_file $work/hosts
dns_nameservers 127.0.0.1
cache deny all
cache_effective_user proxy
pid_filename $work/squid.pid
cache_log $work/cache.log
access_log $work/access.log
shutdown_lifetime 0 seconds
acl blocked dstdomain blocked.demo
http_access deny blocked
http_access allow localhost
http_access deny all
CONF
chown proxy "$work"
squid -N -f "$work/squid.conf" &
pids+=($!)
wait_port "$squid_port"

run() {
  echo
  echo "\$ proxywatch check $*"
  "$pw" check "$@" && echo "(exit status 0)" || echo "(exit status $?)"
}

echo "squid on 127.0.0.1:$squid_port, TLS origin 'origin.demo' on 127.0.0.1:$origin_port"
run --proxy "127.0.0.1:$squid_port" --target "origin.demo:$origin_port" \
  --ca-file "$work/ca.pem" --request 'GET /' --timeout 5
run --proxy "127.0.0.1:$squid_port" --target "blocked.demo:$origin_port" \
  --ca-file "$work/ca.pem" --timeout 5
run --proxy "127.0.0.1:$squid_port" --target "origin.demo:1" --ca-file "$work/ca.pem" --timeout 5
run --proxy "127.0.0.1:$(free_port)" --target "origin.demo:$origin_port" --timeout 5
echo
echo "\$ proxywatch check --json (the ACL deny, for machines)"
"$pw" check --proxy "127.0.0.1:$squid_port" --target "blocked.demo:$origin_port" --json || true

echo
echo "== the daemon: the same squid, probed every second for ${demo_seconds} s =="
metrics_port=$(free_port)
cat >"$work/iprep_proxy.conf" <<CONF
iprep_proxy {
  PROXY_HOST 127.0.0.1;
  PROXY_PORT $squid_port;
}
CONF
cat >"$work/proxywatch.yaml" <<CONF
proxy_file: $work/iprep_proxy.conf
metrics_listen: 127.0.0.1:$metrics_port
state_dir: $work
interval: 1s
jitter: 0s
mtu_probe: {enabled: false}
targets:
  - {name: origin, host: origin.demo, port: $origin_port, ca_file: $work/ca.pem, request: GET /}
  - {name: blocked, host: blocked.demo, port: $origin_port, ca_file: $work/ca.pem}
CONF
"$pw" daemon --config "$work/proxywatch.yaml" --log-target stderr 2>"$work/daemon.log" &
pids+=($!)
wait_port "$metrics_port"
sleep "$demo_seconds"

echo
echo "\$ proxywatch status --config $work/proxywatch.yaml"
"$pw" status --config "$work/proxywatch.yaml" && echo "(exit status 0)" || echo "(exit status $?)"
echo
echo "\$ proxywatch history --since 1h --config $work/proxywatch.yaml"
"$pw" history --since 1h --config "$work/proxywatch.yaml" || echo "(exit status $?)"
echo
echo "status page: http://127.0.0.1:$metrics_port/   (machines: /status.json, Prometheus: /metrics)"
echo "history of a target: http://127.0.0.1:$metrics_port/history?target=blocked&range=3h"
echo
echo "\$ curl -s http://127.0.0.1:$metrics_port/metrics | grep -E '^proxywatch_(health_state|diagnosis|probe_success)'"
curl -s "http://127.0.0.1:$metrics_port/metrics" |
  grep -E '^proxywatch_(health_state\{.*\} 1|diagnosis|probe_success)' || true
echo
echo "the daemon's journal lines (stderr here):"
sed -n '1,12p' "$work/daemon.log"
if [ -n "${DEMO_WAIT:-}" ]; then
  echo
  echo "DEMO_WAIT is set: the daemon keeps running; open the page above, then press Enter to stop."
  read -r _
fi
