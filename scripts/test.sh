#!/usr/bin/env bash
# Builds proxywatch with warnings as errors and runs its tests.
#   scripts/test.sh              the normal build (build/, g++ with the package's flags) and every
#                                test with ctest: the unit tests first (built before the binary),
#                                then the rest
#   scripts/test.sh --sanitize   the sanitizer build (build-asan/: clang, ASan, UBSan and
#                                libFuzzer's coverage instrumentation, so the fuzz targets come
#                                from the same build) and every test but the artifact tests
#                                (label `artifact`: man pages, catalog, rules, dashboard, Chromium
#                                page, unit file, bench script, Debian package), which check
#                                files, not the C++ code's memory use, and are not even built there
#   scripts/test.sh --tsan       the ThreadSanitizer build (build-tsan/, clang) and the tests that
#                                use a second thread (thread_tests: tests/CMakeLists.txt lists them)
#   scripts/test.sh --fuzz [S]   the fuzz targets of the sanitizer build: each target in
#                                tests/fuzz/ for S seconds (default 30) from its seed corpus, as
#                                many at a time as there are cores (PROXYWATCH_FUZZ_JOBS)
#   scripts/test.sh --soak [N]   the soak test (tests/soak/) with N probes (default 100000)
#   scripts/test.sh --all        the normal suite, then sanitize, tsan and fuzz (6 s a target),
#                                stopping at the first part that fails: what CI runs. Prints
#                                each part's and each step's time, and the total.
# Installs its own Debian packages first (scripts/install-deps.sh). Tests start the real
# components they need (squid, tinyproxy, TLS origins, network namespaces): run as root.
set -euo pipefail
cd "$(dirname "$0")/.."

# The sanitizer builds: clang at -O0 with line tables only (file:line in every stack trace),
# which compiles the Asio/Beast coroutine units in well under half g++'s time with -g
# (README, "How long the tests take").
sanitizer_base=(-DPROXYWATCH_WERROR=ON -DCMAKE_BUILD_TYPE=Debug
                "-DCMAKE_CXX_FLAGS_DEBUG=-O0 -gline-tables-only")
configure() {  # DIR FLAGS...
  local dir=$1
  shift
  cmake -S . -B "$dir" -G Ninja "$@"
}

# step NAME COMMAND...: runs COMMAND and prints how long it took (its status is the step's).
step() {
  local name=$1 started=$SECONDS status=0
  shift
  "$@" || status=$?
  echo "test.sh: $name: $((SECONDS - started)) s$([ "$status" -eq 0 ] || echo ", FAILED")"
  return "$status"
}

ctest_in() {  # DIR CTEST-ARGS...
  local dir=$1
  shift
  (cd "$dir" && ctest --output-on-failure -j "$(nproc)" "$@")
}

# With PROXYWATCH_PREBUILD=1 (--all's default) the next part's build runs beside this part's
# tests, at nice 19 so the tests keep the CPU they ask for: prebuild PART configures PART
# and starts its build in the background; await_prebuild waits for it (its log is shown if it
# failed, and the part's own build step then shows the error again); the part's own build step
# then finds nothing left to do.
prebuild_pid=
prebuild() {  # PART
  [ "${PROXYWATCH_PREBUILD:-0}" = 1 ] || return 0
  "configure_$1"
  # setsid: its own process group, so a failing part can stop the build and every compiler.
  setsid nice -n 19 bash -c "$(declare -f); build_$1" \
    >"build/prebuild-$1.log" 2>&1 &
  prebuild_pid=$!
  prebuild_part=$1
  prebuild_started=$SECONDS
  trap 'stop_prebuild' EXIT
}
stop_prebuild() {
  [ -z "$prebuild_pid" ] || kill -- "-$prebuild_pid" 2>/dev/null || true
}
await_prebuild() {
  [ -n "$prebuild_pid" ] || return 0
  local waited=$SECONDS status=0
  wait "$prebuild_pid" || status=$?
  prebuild_pid=
  trap - EXIT
  echo "test.sh: $prebuild_part build beside the tests: $((SECONDS - prebuild_started)) s, of which $((SECONDS - waited)) s waited for$([ "$status" -eq 0 ] || echo ", FAILED")"
  [ "$status" -eq 0 ] || tail -n 60 "build/prebuild-$prebuild_part.log"
}

# The normal build is configured as debian/rules configures the package — dpkg-buildflags with
# hardening=+all and stack clash protection, build type None, prefix /usr — less -g and with
# -DNDEBUG as before, so the package test packs this tree (PROXYWATCH_DEB_FROM_BUILD) instead
# of compiling everything a second time, and the tests run the binary as it ships.
package_flags() {
  local env=(DEB_BUILD_MAINT_OPTIONS=hardening=+all DEB_CXXFLAGS_MAINT_STRIP=-g
             DEB_CXXFLAGS_MAINT_APPEND=-fstack-clash-protection)
  local cxxflags cppflags ldflags
  cxxflags=$(env "${env[@]}" dpkg-buildflags --get CXXFLAGS)
  cppflags=$(env "${env[@]}" dpkg-buildflags --get CPPFLAGS)
  ldflags=$(env "${env[@]}" dpkg-buildflags --get LDFLAGS)
  echo "-DCMAKE_BUILD_TYPE=None"
  echo "-DCMAKE_CXX_FLAGS=$cxxflags $cppflags -DNDEBUG"
  echo "-DCMAKE_EXE_LINKER_FLAGS=$ldflags"
  echo "-DCMAKE_INSTALL_PREFIX=/usr"
  echo "-DPROXYWATCH_DEB_FROM_BUILD=ON"
}
configure_normal() {
  local flags=()
  mapfile -t flags < <(package_flags)
  configure build -DPROXYWATCH_WERROR=ON "${flags[@]}"
}
build_normal() { cmake --build build -j "$(nproc)"; }
run_normal() {
  step "normal configure" configure_normal
  # The unit tests need only the libraries: built and run first, they fail a broken change
  # before the binary, the integration tests and the package are even compiled.
  step "normal build unit tests" cmake --build build -j "$(nproc)" --target unit_tests
  step "normal ctest unit" ctest_in build --timeout 300 -L unit
  step "normal build" build_normal
  # Not earlier: beside the normal build it took half the CPU whatever its nice (the build
  # lasted 339 s instead of 145 s, 50 s more in all, on 2026-12-05).
  prebuild sanitize
  step "normal ctest rest" ctest_in build --timeout 300 -LE unit
  await_prebuild
}

# The sanitizer builds leave out the artifact tests (-DPROXYWATCH_ARTIFACT_TESTS=OFF: neither
# built nor registered; -LE artifact in case a build directory still has them), the
# benchmarks and the man pages.
sanitizer_flags=(-DPROXYWATCH_ARTIFACT_TESTS=OFF -DPROXYWATCH_MAN_PAGES=OFF)

# Left out of the sanitizer run (the normal run has them): the fleet flow through Prometheus and
# Alertmanager (it waits on their evaluation; the daemon's code under it runs in the other
# daemon tests), the MTU suites in network namespaces (they wait on kernel packet loss and
# timeouts; their probe code is the one the scripted-proxy tests run under the sanitizers) and
# the soak test (its point is memory and descriptors staying flat, which the normal run
# measures) are not even built there (tests/CMakeLists.txt); two scaling tests of large inputs
# (100,000 proxy-file keys, 10,000 YAML targets; the same parsers run under the sanitizers in
# the smaller tests and the fuzzers) are skipped here, as are squid's DNS timeout (a wait; the
# 503 page it ends in is read under the sanitizers in the other squid tests) and the private
# journald's tests (they wait on journald; the events they read are made under the sanitizers
# by every daemon test; not even built there). Together about 175 s of test time. Nor is
# LocalErrorsDaemonTest built there: it runs the daemon out of descriptors on purpose, and
# UndefinedBehaviorSanitizer's vptr check needs descriptors of its own (it tests that a vtable is
# readable through a pipe), so it reports every first check of a type as an "invalid vptr" and
# halts. The normal run keeps both. The load tests of the listener and of hundreds of probes at
# once (ListenerLoadTest, ProbeConcurrencyTest: 40 s of test time here) run in the
# ThreadSanitizer build instead, where their threads are the point; the code under them runs
# under ASan and UBSan in the smaller listener and probe tests. So do the scheduler's
# confirmation timings (SchedulerConfirmTest; ConfirmationDaemonTest runs the same code in the
# sanitized daemon). The `check` runs against real squid's Basic and Digest
# (ProxyAuthTest.Squid*, 29 s here) leave the sanitizer run to the normal one: the same
# authentication code runs under ASan and UBSan against the scripted proxies of the other
# ProxyAuthTests, against squid in the daemon's ProxyAuthTest.Daemon*, in the unit tests and in
# auth_challenge_fuzz. The test support's own tests (support_test) and the plain-HTTP
# authentication suite (plain_http_auth_test, the same code through a GET) are not even built
# there (tests/CMakeLists.txt).
sanitize_skip='^(IprepProxyConfTest\.HundredThousand|TargetServicesTest\.TooManyTargets|ProxyAnswersTest\.SquidDnsFailure|ListenerLoadTest\.|ProbeConcurrencyTest\.|SchedulerConfirmTest\.|ProxyAuthTest\.Squid)'

configure_sanitize() {
  CXX=clang++ configure build-asan "${sanitizer_base[@]}" "${sanitizer_flags[@]}" \
    -DPROXYWATCH_SANITIZE=ON -DPROXYWATCH_FUZZ=ON
}
build_sanitize() { cmake --build build-asan -j "$(nproc)"; }
run_sanitize() {
  step "sanitize configure" configure_sanitize
  step "sanitize build" build_sanitize
  prebuild tsan
  ASAN_OPTIONS=detect_leaks=1:abort_on_error=1 \
  UBSAN_OPTIONS=print_stacktrace=1:halt_on_error=1 \
    step "sanitize ctest" ctest_in build-asan --timeout 600 -LE artifact -E "$sanitize_skip"
  await_prebuild
}

configure_tsan() {
  CXX=clang++ configure build-tsan "${sanitizer_base[@]}" "${sanitizer_flags[@]}" \
    -DPROXYWATCH_TSAN=ON
}
build_tsan() { cmake --build build-tsan -j "$(nproc)"; }
run_tsan() {
  step "tsan configure" configure_tsan
  step "tsan build" build_tsan
  TSAN_OPTIONS=halt_on_error=1:second_deadlock_stack=1 \
    step "tsan ctest" ctest_in build-tsan --timeout 600
}

# Where the fuzz targets are built, and where their corpora, artifacts and logs go.
fuzz_dir=build-asan

# fuzz_one TARGET SECONDS: runs one libFuzzer target from its seeds; writes its one-line result
# to $fuzz_dir/TARGET.result, and its log to $fuzz_dir/TARGET.log. Status 1 on a finding.
fuzz_one() {
  local target=$1 seconds=$2
  local seeds=tests/fuzz/corpus/$target/ log=$fuzz_dir/$target.log
  # A working corpus outside the repository: libFuzzer adds the inputs it finds to it.
  mkdir -p "$fuzz_dir/corpus/$target" "$fuzz_dir/artifacts/$target"
  if ASAN_OPTIONS=detect_leaks=1 UBSAN_OPTIONS=print_stacktrace=1 \
     "$fuzz_dir/tests/fuzz/$target" -max_total_time="$seconds" -timeout=10 \
       -rss_limit_mb=2048 -max_len=65536 -print_final_stats=1 \
       -artifact_prefix="$fuzz_dir/artifacts/$target/" \
       "$fuzz_dir/corpus/$target" "$seeds" >"$log" 2>&1; then
    echo "fuzz: $target: $(grep -m1 'stat::number_of_executed_units' "$log" | awk '{print $2}') runs in $seconds s, no finding" \
      >"$fuzz_dir/$target.result"
  else
    echo "fuzz: $target: FAILED ($fuzz_dir/artifacts/$target/)" >"$fuzz_dir/$target.result"
    return 1
  fi
}

# Each target is one single-threaded process: PROXYWATCH_FUZZ_JOBS of them (default: one per
# core) run side by side, each for the full SECONDS, and every target's result is printed in
# the corpus order afterwards.
fuzz_all() {  # SECONDS
  local seconds=$1 jobs=${PROXYWATCH_FUZZ_JOBS:-$(nproc)} running=0 passed=0 failed=0 target
  local targets=()
  for seeds in tests/fuzz/corpus/*/; do
    targets+=("$(basename "$seeds")")
  done
  for target in "${targets[@]}"; do
    rm -f "$fuzz_dir/$target.result"
    if [ "$running" -ge "$jobs" ]; then
      wait -n || true
      running=$((running - 1))
    fi
    fuzz_one "$target" "$seconds" &
    running=$((running + 1))
  done
  wait || true
  for target in "${targets[@]}"; do
    if [ -f "$fuzz_dir/$target.result" ] && grep -q 'no finding' "$fuzz_dir/$target.result"; then
      passed=$((passed + 1))
      cat "$fuzz_dir/$target.result"
    else
      failed=$((failed + 1))
      echo "fuzz: $target: FAILED ($fuzz_dir/artifacts/$target/):"
      tail -n 40 "$fuzz_dir/$target.log"
    fi
  done
  echo "fuzz: $passed passed, $failed failed ($jobs at a time, $seconds s each)"
  [ "$failed" -eq 0 ]
}

# The fuzz targets come from the sanitizer build: after --sanitize (or in --all) there is
# nothing left to compile.
run_fuzz() {  # SECONDS
  step "fuzz configure" configure_sanitize
  step "fuzz build" cmake --build "$fuzz_dir" -j "$(nproc)" --target fuzzers
  step "fuzz run" fuzz_all "${1:-30}"
}

run_soak() {  # PROBES
  configure_normal
  cmake --build build -j "$(nproc)" --target soak_tests proxywatch
  PROXYWATCH_SOAK_PROBES=${1:-100000} build/tests/soak_tests --gtest_color=no
}

# --all: each part in a subshell with errexit (a failing command ends its part), the parts in
# this order, stopping at the first that fails; then how long each took and the total.
run_all() {
  # The next part's build beside this part's tests (PROXYWATCH_PREBUILD=0 turns it off): the
  # sanitizer build beside the normal tests, the TSan build beside the sanitizer tests. The
  # tests wait on proxies, daemons and timers more than they compute, and the build runs at
  # nice 19; the tests' time bounds stay far from the times they bound (SchedulerTest's first
  # probe: within half of a one-second interval).
  export PROXYWATCH_PREBUILD=${PROXYWATCH_PREBUILD:-1}
  local started=$SECONDS part part_started status=0 summary=()
  for part in normal sanitize tsan fuzz; do
    part_started=$SECONDS
    set +e
    # The fuzz targets run 10 s each here (30 s with --fuzz alone): the whole run stays within
    # its 20 minutes on 2 cores (README, "How long the tests take").
    (set -e; if [ "$part" = fuzz ]; then run_fuzz 6; else "run_$part"; fi)
    status=$?
    set -e
    summary+=("$part $((SECONDS - part_started)) s$([ "$status" -eq 0 ] || echo " (FAILED)")")
    [ "$status" -eq 0 ] || break
  done
  local joined
  joined=$(IFS=,; echo "${summary[*]}")
  echo "test.sh --all: ${joined//,/, }; total $((SECONDS - started)) s"
  return "$status"
}

scripts/install-deps.sh
case "${1:-}" in
  "") run_normal ;;
  --sanitize) run_sanitize ;;
  --tsan) run_tsan ;;
  --fuzz) run_fuzz "${2:-30}" ;;
  --soak) run_soak "${2:-100000}" ;;
  --all) run_all ;;
  *)
    echo "usage: scripts/test.sh [--sanitize | --tsan | --fuzz [SECONDS] | --soak [PROBES] | --all]" >&2
    exit 2
    ;;
esac
