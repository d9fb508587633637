#!/usr/bin/env bash
# The local demo: builds proxywatch, starts a real squid and a TLS origin on loopback (with a
# CA made on the spot) and shows proxywatch probing through them — a healthy tunnel, an ACL
# deny, a destination the proxy cannot reach, and a proxy that is not there.
# Nothing leaves the machine: squid resolves the demo names from its own hosts file and asks
# no DNS server.
set -euo pipefail
cd "$(dirname "$0")/.."
root=$PWD

scripts/install-deps.sh
cmake -S . -B build -G Ninja -DCMAKE_BUILD_TYPE=RelWithDebInfo >/dev/null
cmake --build build --target proxywatch
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
