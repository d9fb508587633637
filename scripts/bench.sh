#!/usr/bin/env bash
# The side-by-side benchmark (docs/benchmarks.md): proxywatch's daemon, Debian's
# prometheus-blackbox-exporter (http module with proxy_url, driven through /probe), a `curl -x`
# loop, `proxywatch check` and `openssl s_time -new` probe the same scenario — a real squid on
# loopback (names from its hosts_file only) in front of a TLS 1.3 origin whose `GET /` answers
# 302 — and then proxywatch alone at growing target counts. Prints one Markdown table.
#
#   scripts/bench.sh [--quick] [--build DIR] [--out FILE] [--rounds N] [--targets "1 100 ..."]
#
# CPU per probe is utime+stime from /proc/PID/stat of the prober's own process (every thread),
# or the `times` of the shell that ran a process-per-probe loop; squid and the origin are never
# counted. Probes are counted by the origin (requests answered, bench_scenario's SERVED_FILE),
# so no prober is scraped while it is measured. The peers run interleaved, round after round,
# so a change in the machine's load hits all of them. The scale rows add the daemon's private
# memory (USS, from smaps_rollup) and peak RSS, and a scrape with gzip asked for beside a plain
# one; the report ends with the memory per target (USS growth from the fewest targets to the
# most). --quick runs a few probes of each (the
# ctest BenchScriptTest), the default is the full run recorded in docs/benchmarks.md.
# Needs: scripts/install-deps.sh, a build (cmake --build build), root for squid. Loopback only.
set -euo pipefail

quick=0
build=build
out=""
rounds=""
scale_targets=""
while [ $# -gt 0 ]; do
  case "$1" in
    --quick) quick=1 ;;
    --build) build="$2"; shift ;;
    --out) out="$2"; shift ;;
    --rounds) rounds="$2"; shift ;;
    --targets) scale_targets="$2"; shift ;;
    -h|--help) sed -n '2,19p' "$0"; exit 0 ;;
    *) echo "bench.sh: unknown argument $1" >&2; exit 2 ;;
  esac
  shift
done

if [ "$quick" = 1 ]; then
  peer_probes=10 daemon_targets=10 idle_seconds=3 one_target_probes=3 stime_seconds=1
  : "${rounds:=1}" "${scale_targets:=1 100}"
else
  peer_probes=600 daemon_targets=20 idle_seconds=60 one_target_probes=60 stime_seconds=10
  : "${rounds:=3}" "${scale_targets:=1 100 1000 10000}"
fi

proxywatch="$build/daemon/proxywatch"
scenario="$build/tests/bench_scenario"
store_bench="$build/tests/store_bench"
blackbox=/usr/bin/prometheus-blackbox-exporter
for f in "$proxywatch" "$scenario" "$store_bench" "$blackbox" /usr/bin/time; do
  [ -x "$f" ] || { echo "bench.sh: $f missing (build first; scripts/install-deps.sh)" >&2; exit 1; }
done

clk_tck=$(getconf CLK_TCK)
work=$(mktemp -d /tmp/proxywatch-benchrun-XXXXXX)
pids=()
rows=()
cleanup() {
  local status=$?
  if [ "$status" -ne 0 ] && [ ${#rows[@]} -gt 0 ]; then
    echo "bench.sh: failed; the rows measured so far:" >&2; printf '%s\n' "${rows[@]}" >&2
  fi
  for pid in "${pids[@]}"; do kill "$pid" 2>/dev/null || true; done
  for pid in "${pids[@]}"; do wait "$pid" 2>/dev/null || true; done
  rm -rf "$work"
}
trap cleanup EXIT

# --- reading /proc ---------------------------------------------------------------------------

cpu_ticks() { sed 's/.*) //' "/proc/$1/stat" | awk '{print $12 + $13}'; }
rss_kib() { awk '/^VmRSS/ {print $2}' "/proc/$1/status"; }
# Peak RSS, and the private memory (USS: pages no other process maps, the daemon's own cost;
# RSS counts shared library pages whole).
hwm_kib() { awk '/^VmHWM/ {print $2}' "/proc/$1/status"; }
uss_kib() { awk '/^Private_(Clean|Dirty):/ {s += $2} END {print s}' "/proc/$1/smaps_rollup"; }
# Voluntary context switches of every thread: each is a sleep that ended in a wake-up.
wakeups() { cat /proc/"$1"/task/*/status 2>/dev/null | awk '/^voluntary_ctxt_switches/ {s += $2} END {print s}'; }
served() { cat "$SERVED_FILE" 2>/dev/null || echo 0; }
# The count after the requests answered so far: SERVED_FILE is rewritten every 20 ms.
served_settled() { sleep 0.05; served; }
now() { date +%s.%N; }
mib() { awk -v k="$1" 'BEGIN {printf "%.1f MiB", k / 1024}'; }
us_per() { awk -v s="$1" -v n="$2" 'BEGIN {printf "%.0f", (n > 0 ? s * 1e6 / n : 0)}'; }
per_core() { awk -v us="$1" 'BEGIN {printf "%.0f", (us > 0 ? 1e6 / us : 0)}'; }
# `times` prints "XmY.YYYs XmY.YYYs" for the shell, then for its children: their CPU seconds.
children_cpu() { tail -1 | awk '{s = 0; for (i = 1; i <= 2; ++i) {split($i, a, "m"); s += a[1] * 60 + a[2]} print s}'; }

# Waits (polling every 50 ms) until "$@" succeeds; fails after $deadline seconds.
wait_for() {
  local deadline=$1; shift
  local end; end=$(awk -v n="$(now)" -v d="$deadline" 'BEGIN {printf "%.3f", n + d}')
  until "$@"; do
    if awk -v n="$(now)" -v e="$end" 'BEGIN {exit !(n > e)}'; then
      echo "bench.sh: timed out after ${deadline}s waiting for: $*" >&2; return 1
    fi
    sleep 0.05
  done
}
listening() { ss -Htln "sport = :$1" | grep -q .; }
listening_or_gone() { listening "$1" || ! kill -0 "$2" 2>/dev/null; }
served_at_least() { [ "$(served)" -ge "$1" ]; }
alive() { kill -0 "$1" 2>/dev/null; }

pick_port() {
  local port
  for _ in $(seq 50); do
    port=$((20000 + RANDOM % 12000))  # below the ephemeral range (32768-)
    listening "$port" || { echo "$port"; return; }
  done
  echo "bench.sh: no free port" >&2; return 1
}

# --- the scenario --------------------------------------------------------------------------

"$scenario" "$work/scenario.env" >"$work/scenario.log" 2>&1 &
pids+=($!)
wait_for 30 test -s "$work/scenario.env" || { cat "$work/scenario.log" >&2; exit 1; }
# shellcheck disable=SC1091
. "$work/scenario.env"
origin_url="https://origin.test:$ORIGIN_PORT/"
load_start=$(cut -d' ' -f1-3 /proc/loadavg)

row() { rows+=("| $(IFS='|'; echo "$*" | sed 's/|/ | /g') |"); }

# --- proxywatch daemon ---------------------------------------------------------------------

# daemon_start DIR TARGETS INTERVAL JITTER MTU CA REQUEST: writes the YAML and proxy file into
# DIR and starts the daemon; sets daemon_pid and daemon_port once it listens.
daemon_start() {
  local dir=$1 count=$2 interval=$3 jitter=$4 mtu=$5 ca=$6 request=$7
  mkdir -p "$dir/state"
  daemon_port=$(pick_port)
  echo "iprep_proxy { PROXY_HOST 127.0.0.1; PROXY_PORT $SQUID_PORT; }" >"$dir/iprep_proxy.conf"
  {
    echo "proxy_file: $dir/iprep_proxy.conf"
    echo "metrics_listen: 127.0.0.1:$daemon_port"
    echo "interval: $interval"
    echo "jitter: $jitter"
    echo "state_dir: $dir/state"
    echo "mtu_probe: {enabled: $mtu}"
    echo "targets:"
    # YAML aliases keep 10,000 targets under the loader's 1 MiB limit for a config file.
    awk -v n="$count" -v p="$ORIGIN_PORT" -v ca="$ca" -v rq="$request" 'BEGIN {
      for (i = 1; i <= n; ++i) {
        printf "  - {name: t%d, host: origin.test, port: %d, ca_file: ", i, p
        printf (i == 1 ? "&c \"%s\"" : "*c"), ca
        if (rq != "") printf (i == 1 ? ", request: &r \"%s\"" : ", request: *r"), rq
        print "}"
      }}'
  } >"$dir/proxywatch.yaml"
  "$proxywatch" daemon --config "$dir/proxywatch.yaml" --log-target stderr 2>"$dir/daemon.log" &
  daemon_pid=$!
  pids+=("$daemon_pid")
  wait_for 60 listening_or_gone "$daemon_port" "$daemon_pid"
  listening "$daemon_port" || { tail "$dir/daemon.log" >&2; return 1; }
}

# Stops the daemon (its history writer writes what it holds on the way out) and waits for it.
daemon_stop() {
  kill -TERM "$daemon_pid"
  wait_for 60 bash -c "! kill -0 $daemon_pid 2>/dev/null"
  wait "$daemon_pid" 2>/dev/null || true
}

# daemon_measure DIR TARGETS INTERVAL JITTER PROBES: CPU and RSS over PROBES probes counted from
# the moment the daemon listens. Sets m_probes m_us m_rate m_rss0 m_rss1.
daemon_measure() {
  local dir=$1 count=$2 interval=$3 jitter=$4 probes=$5
  daemon_start "$dir" "$count" "$interval" "$jitter" false "$CA_FILE" "GET /"
  m_rss0=$(rss_kib "$daemon_pid")
  local c0 s0 t0 c1 s1 t1
  c0=$(cpu_ticks "$daemon_pid") s0=$(served) t0=$(now)
  wait_for 900 served_at_least $((s0 + probes))
  c1=$(cpu_ticks "$daemon_pid") s1=$(served) t1=$(now)
  m_rss1=$(rss_kib "$daemon_pid")
  m_probes=$((s1 - s0))
  m_us=$(us_per "$(awk -v a="$c0" -v b="$c1" -v t="$clk_tck" 'BEGIN {print (b - a) / t}')" "$m_probes")
  m_rate=$(awk -v n="$m_probes" -v a="$t0" -v b="$t1" 'BEGIN {printf "%.0f", n / (b - a)}')
}

bench_daemon() {
  local dir="$work/daemon-$1"
  daemon_measure "$dir" "$daemon_targets" 1s 500ms "$peer_probes"
  daemon_stop
  row "proxywatch daemon, $daemon_targets targets at 1 s (round $1)" "$m_probes" "$m_us µs" \
    "$(per_core "$m_us")" "$(mib "$m_rss0") → $(mib "$m_rss1")" "" "" ""
  cpu_pw+=("$m_us")
}

# The default shape: 2 targets, MTU comparison on, no request; idle wake-ups while nothing is
# due (interval 1 h, after the first probes and MTU comparisons). $1: CA file ("" = system).
bench_daemon_idle() {
  local dir="$work/daemon-idle$2" label=$3
  daemon_start "$dir" 2 1h 5s true "$1" ""
  # The first probes and MTU comparisons run at once; their history is written within a
  # second, the trackers' states a second later (docs/history.md). Idle begins after that (the
  # TLS origin's answer count cannot see requestless probes), when nothing is due for an hour.
  wait_for 30 test -s "$dir/state/history.db-wal"
  sleep 2.5
  local w0 w1 rss
  rss=$(rss_kib "$daemon_pid")
  w0=$(wakeups "$daemon_pid")
  sleep "$idle_seconds"
  w1=$(wakeups "$daemon_pid")
  daemon_stop
  row "$label" "" "" "" "$(mib "$rss")" \
    "$(awk -v w=$((w1 - w0)) -v s="$idle_seconds" 'BEGIN {printf "%.1f", w * 60 / s}')" "" ""
}

# --- the peers -------------------------------------------------------------------------------

blackbox_start() {
  blackbox_port=$(pick_port)
  cat >"$work/blackbox.yml" <<EOF
modules:
  http_proxy:
    prober: http
    timeout: 10s
    http:
      valid_status_codes: [302]
      preferred_ip_protocol: ip4
      proxy_url: "http://127.0.0.1:$SQUID_PORT"
      follow_redirects: false
      tls_config:
        ca_file: "$CA_FILE"
        server_name: origin.test
EOF
  "$blackbox" --config.file="$work/blackbox.yml" --web.listen-address="127.0.0.1:$blackbox_port" \
    >"$work/blackbox.log" 2>&1 &
  blackbox_pid=$!
  pids+=("$blackbox_pid")
  wait_for 30 listening_or_gone "$blackbox_port" "$blackbox_pid"
  listening "$blackbox_port" || { tail "$work/blackbox.log" >&2; return 1; }
}

# blackbox_exporter resolves a target's name itself, before the proxy sees it: the target is
# the origin's address (and server_name its name), so the machine's resolver is never asked.
blackbox_probe() {
  curl -s "http://127.0.0.1:$blackbox_port/probe?module=http_proxy&target=https://127.0.0.1:$ORIGIN_PORT/"
}

bench_blackbox() {
  blackbox_start
  local rss0 c0 s0 c1 s1 rss1 us
  blackbox_probe | grep -q '^probe_success 1' || {
    echo "bench.sh: blackbox_exporter probe failed:" >&2; blackbox_probe >&2; return 1; }
  s0=$(served_settled) rss0=$(rss_kib "$blackbox_pid") c0=$(cpu_ticks "$blackbox_pid")
  for _ in $(seq "$peer_probes"); do blackbox_probe >/dev/null; done
  c1=$(cpu_ticks "$blackbox_pid") s1=$(served_settled) rss1=$(rss_kib "$blackbox_pid")
  us=$(us_per "$(awk -v a="$c0" -v b="$c1" -v t="$clk_tck" 'BEGIN {print (b - a) / t}')" $((s1 - s0)))
  local w0 w1=""
  if [ "$1" = 1 ]; then
    w0=$(wakeups "$blackbox_pid"); sleep "$idle_seconds"; w1=$(wakeups "$blackbox_pid")
    w1=$(awk -v w=$((w1 - w0)) -v s="$idle_seconds" 'BEGIN {printf "%.1f", w * 60 / s}')
  fi
  kill "$blackbox_pid"; wait "$blackbox_pid" 2>/dev/null || true
  row "blackbox_exporter $("$blackbox" --version 2>&1 | awk 'NR==1 {print $3}'), /probe one after another (round $1)" \
    $((s1 - s0)) "$us µs" "$(per_core "$us")" "$(mib "$rss0") → $(mib "$rss1")" "$w1" "" ""
  cpu_bb+=("$us")
}

# bench_process LABEL COMMAND...: a process per probe, $peer_probes times; CPU of the children.
bench_process() {
  local label=$1; shift
  local s0 s1 cpu peak
  "$@" >/dev/null || { echo "bench.sh: $label failed: $*" >&2; return 1; }
  s0=$(served_settled)
  cpu=$( (for _ in $(seq "$peer_probes"); do "$@" >/dev/null || exit 1; done; times) | children_cpu)
  s1=$(served_settled)
  peak=$(/usr/bin/time -f %M "$@" 2>&1 >/dev/null | tail -1)
  local us; us=$(us_per "$cpu" $((s1 - s0)))
  row "$label" $((s1 - s0)) "$us µs" "$(per_core "$us")" "$(mib "$peak") peak" "" "" ""
}

bench_curl() {
  bench_process "\`curl -x\`, a process per probe (round $1)" \
    curl -s -o /dev/null -x "http://127.0.0.1:$SQUID_PORT" --cacert "$CA_FILE" "$origin_url"
}

bench_check() {
  bench_process "\`proxywatch check\`, a process per probe (round $1)" \
    "$proxywatch" check --proxy "127.0.0.1:$SQUID_PORT" --target "origin.test:$ORIGIN_PORT" \
    --ca-file "$CA_FILE" --request "GET /"
}

# OpenSSL's own client loop: full handshakes straight to the origin (no proxy), verifying.
bench_s_time() {
  local text cpu n us
  text=$( (openssl s_time -connect "127.0.0.1:$ORIGIN_PORT" -new -time "$stime_seconds" \
             -CAfile "$CA_FILE" -verify 1 2>&1; times) )
  cpu=$(echo "$text" | children_cpu)
  n=$(echo "$text" | awk '/connections in/ && !/reuse/ {print $1; exit}')
  us=$(us_per "$cpu" "$n")
  row "\`openssl s_time -new\` to the origin, no proxy (round $1)" "$n" "$us µs" \
    "$(per_core "$us")" "" "" "" ""
  cpu_st+=("$us")
}

# --- proxywatch at scale -----------------------------------------------------------------------

bench_scale() {
  local n=$1 dir="$work/scale-$1" interval jitter probes
  # Every target's first probe is due at start: N probes at once, 64 at a time (the default
  # max_concurrent_probes), i.e. saturation. One target needs an interval to add up probes.
  interval=$(awk -v n="$n" 'BEGIN {print (n < 100 ? 1 : n / 100) "s"}')
  jitter=$(awk -v n="$n" 'BEGIN {print (n < 100 ? 500 : n * 5) "ms"}')
  probes=$((n > one_target_probes ? n : one_target_probes))
  daemon_measure "$dir" "$n" "$interval" "$jitter" "$probes"
  local size scrape gzipped uss
  # Settled memory first (private pages after the first round), then a scrape as a Prometheus
  # sends it (gzip asked for) and one of plain text; the peak is taken after both.
  uss=$(uss_kib "$daemon_pid")
  gzipped=$(curl -s -o /dev/null -H 'Accept-Encoding: gzip' -w '%{size_download} %{time_total}' \
    "http://127.0.0.1:$daemon_port/metrics")
  scrape=$(curl -s -o /dev/null -w '%{size_download} %{time_total}' "http://127.0.0.1:$daemon_port/metrics")
  local hwm; hwm=$(hwm_kib "$daemon_pid")
  daemon_stop
  uss_by_targets+=("$n:$uss")
  # The -wal is gone after a clean stop (its pages are checkpointed into the file).
  size=$({ cat "$dir/state/history.db" "$dir/state/history.db-wal" 2>/dev/null || true; } | wc -c)
  local write; write=$("$store_bench" states "$n" "$dir/statebench" | awk '{print $1}')
  row "proxywatch daemon, $n target(s)" "$m_probes" "$m_us µs" "$(per_core "$m_us") (measured $m_rate/s)" \
    "$(mib "$m_rss0") → $(mib "$m_rss1") (USS $(mib "$uss"), peak $(mib "$hwm"))" "" \
    "$(awk -v b="$size" 'BEGIN {printf "%.0f KiB", b / 1024}'), $write ms" \
    "$(echo "$gzipped" | awk '{printf "gzip %.0f KiB, %.1f ms", $1 / 1024, $2 * 1000}'); $(echo "$scrape" | awk '{printf "plain %.0f KiB, %.1f ms", $1 / 1024, $2 * 1000}')"
  cpu_scale+=("$n:$m_us")
}

# --- the run ---------------------------------------------------------------------------------

cpu_pw=() cpu_bb=() cpu_st=() cpu_scale=() uss_by_targets=()
for r in $(seq "$rounds"); do
  bench_daemon "$r"
  bench_blackbox "$r"
  bench_curl "$r"
  bench_check "$r"
  bench_s_time "$r"
done
bench_daemon_idle "$CA_FILE" 1 "proxywatch daemon, 2 targets (the default shape), idle"
bench_daemon_idle "" 2 "proxywatch daemon, 2 targets, system trust store, idle"
for n in $scale_targets; do bench_scale "$n"; done
load_end=$(cut -d' ' -f1-3 /proc/loadavg)

median() { printf '%s\n' "$@" | sort -n | awk '{a[NR] = $1} END {print (NR % 2) ? a[(NR + 1) / 2] : (a[NR / 2] + a[NR / 2 + 1]) / 2}'; }
report() {
  echo "| prober | probes | CPU per probe | probes/s per core | RSS | idle wake-ups/min | history, states write | /metrics, scrape |"
  echo "|---|---|---|---|---|---|---|---|"
  printf '%s\n' "${rows[@]}"
  echo
  local pw bb st
  pw=$(median "${cpu_pw[@]}") bb=$(median "${cpu_bb[@]}") st=$(median "${cpu_st[@]}")
  echo "Medians over $rounds round(s): proxywatch $pw µs, blackbox_exporter $bb µs, s_time $st µs per probe;"
  awk -v p="$pw" -v b="$bb" -v s="$st" 'BEGIN {printf "proxywatch / blackbox_exporter = %.2f, proxywatch / s_time = %.2f.\n", p / b, p / s}'
  echo "Load average (1, 5, 15 min) at start: $load_start; at end: $load_end; $(nproc) cores."
  echo "Scale, CPU per probe by targets: ${cpu_scale[*]} (µs)."
  # Memory per target: the private memory's growth from the fewest targets to the most.
  printf '%s\n' "${uss_by_targets[@]}" | awk -F: 'NR == 1 {n0 = $1; k0 = $2} {n1 = $1; k1 = $2}
    END {if (n1 > n0) printf "Memory per target (USS, %d → %d targets): %.1f KiB.\n", n0, n1, (k1 - k0) / (n1 - n0)}'
}
report | tee "${out:-/dev/null}"
