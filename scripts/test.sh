#!/usr/bin/env bash
# Builds proxywatch with warnings as errors and runs its tests.
#   scripts/test.sh              the normal build (build/) and every test with ctest
#   scripts/test.sh --sanitize   the ASan/UBSan build (build-asan/) and every test but the
#                                Debian package's (a dpkg-buildpackage build of its own, which
#                                the normal run checks)
#   scripts/test.sh --tsan       the ThreadSanitizer build (build-tsan/) and the tests that use a
#                                second thread (DNS lookups on their own threads, the netns
#                                tests' DNS scenarios, TLS origins on a thread, the credentials
#                                race)
#   scripts/test.sh --fuzz [S]   the libFuzzer build (clang, build-fuzz/): each target in
#                                tests/fuzz/ for S seconds (default 30) from its seed corpus
#   scripts/test.sh --soak [N]   the soak test (tests/soak/) with N probes (default 100000)
#   scripts/test.sh --all        fuzz, tsan, sanitize, then the normal suite: what CI runs
# Installs its own Debian packages first (scripts/install-deps.sh). Tests start the real
# components they need (squid, tinyproxy, TLS origins, network namespaces): run as root.
set -euo pipefail
cd "$(dirname "$0")/.."

# -O2 without debug info: the template-heavy Asio/Beast units compile markedly faster on CI's
# two cores; the sanitizer builds keep -g for their stack traces.
base_flags=(-DPROXYWATCH_WERROR=ON -DCMAKE_BUILD_TYPE=RelWithDebInfo
            "-DCMAKE_CXX_FLAGS_RELWITHDEBINFO=-O2 -DNDEBUG")
# The tests --tsan runs: every one that starts a second thread in the test process or in the
# proxywatch binary it runs.
# DNS lookups run on threads of their own (common/probe/dns_lookup.cc): DnsLookupTest runs them
# in-process with a blocking fake resolver, CheckNetnsTest's name and silent-DNS scenarios in
# the proxywatch binary. Scripted proxies and TLS origins run on
# an IoThread (tests/support/io_thread.h) beside the probe under test in ProbeConcurrency,
# Scheduler, Support and PaddedHello; CredentialsFileTest races a file swapper.
tsan_tests='CheckNetnsTest|ProbeConcurrency|SchedulerTest|PaddedHello|CredentialsFileTest|DnsLookup|SupportTest'
# Latency bounds (the first probe within 250 ms) are for the normal and ASan runs: TSan slows
# the probe several times over, and races are what this run is for.
tsan_skip='SchedulerTest.ProbesAtOnceThenOnInterval'
tsan_targets=(proxywatch check_netns_test probe_concurrency_test scheduler_test
              padded_hello_test credentials_test dns_lookup_test support_test)

configure() {  # DIR FLAGS...
  local dir=$1
  shift
  cmake -S . -B "$dir" -G Ninja "$@"
}

run_normal() {
  configure build "${base_flags[@]}"
  cmake --build build -j "$(nproc)"
  (cd build && ctest --output-on-failure -j "$(nproc)" --timeout 300)
}

run_sanitize() {
  configure build-asan "${base_flags[@]}" -DPROXYWATCH_SANITIZE=ON -DCMAKE_BUILD_TYPE=Debug
  cmake --build build-asan -j "$(nproc)"
  (cd build-asan &&
     ASAN_OPTIONS=detect_leaks=1:abort_on_error=1 \
     UBSAN_OPTIONS=print_stacktrace=1:halt_on_error=1 \
     ctest --output-on-failure -j "$(nproc)" --timeout 600 -LE package)
}

run_tsan() {
  configure build-tsan "${base_flags[@]}" -DPROXYWATCH_TSAN=ON -DCMAKE_BUILD_TYPE=RelWithDebInfo \
    "-DCMAKE_CXX_FLAGS_RELWITHDEBINFO=-O1 -g -DNDEBUG"
  cmake --build build-tsan -j "$(nproc)" --target "${tsan_targets[@]}"
  (cd build-tsan &&
     TSAN_OPTIONS=halt_on_error=1:second_deadlock_stack=1 \
     ctest --output-on-failure -j "$(nproc)" --timeout 600 -R "$tsan_tests" -E "$tsan_skip")
}

run_fuzz() {  # SECONDS
  local seconds=${1:-30}
  CXX=clang++ configure build-fuzz -DPROXYWATCH_FUZZ=ON -DPROXYWATCH_TESTS=OFF \
    -DPROXYWATCH_WERROR=ON -DCMAKE_BUILD_TYPE=RelWithDebInfo \
    "-DCMAKE_CXX_FLAGS_RELWITHDEBINFO=-O1 -g -DNDEBUG"
  cmake --build build-fuzz -j "$(nproc)" --target fuzzers
  local passed=0 failed=0
  for seeds in tests/fuzz/corpus/*/; do
    local target
    target=$(basename "$seeds")
    # A working corpus outside the repository: libFuzzer adds the inputs it finds to it.
    mkdir -p "build-fuzz/corpus/$target" "build-fuzz/artifacts/$target"
    local log="build-fuzz/$target.log"
    if ASAN_OPTIONS=detect_leaks=1 UBSAN_OPTIONS=print_stacktrace=1 \
       "build-fuzz/tests/fuzz/$target" -max_total_time="$seconds" -timeout=10 \
         -rss_limit_mb=2048 -max_len=65536 -print_final_stats=1 \
         -artifact_prefix="build-fuzz/artifacts/$target/" \
         "build-fuzz/corpus/$target" "$seeds" >"$log" 2>&1; then
      passed=$((passed + 1))
      echo "fuzz: $target: $(grep -m1 'stat::number_of_executed_units' "$log" | awk '{print $2}') runs, no finding"
    else
      failed=$((failed + 1))
      echo "fuzz: $target: FAILED (build-fuzz/artifacts/$target/):"
      tail -n 40 "$log"
    fi
  done
  echo "fuzz: $passed passed, $failed failed"
  [ "$failed" -eq 0 ]
}

run_soak() {  # PROBES
  configure build "${base_flags[@]}"
  cmake --build build -j "$(nproc)" --target soak_test proxywatch
  PROXYWATCH_SOAK_PROBES=${1:-100000} build/tests/soak_test --gtest_color=no
}

scripts/install-deps.sh
case "${1:-}" in
  "") run_normal ;;
  --sanitize) run_sanitize ;;
  --tsan) run_tsan ;;
  --fuzz) run_fuzz "${2:-30}" ;;
  --soak) run_soak "${2:-100000}" ;;
  --all)
    started=$SECONDS
    run_fuzz 30
    run_tsan
    run_sanitize
    run_normal
    echo "test.sh --all: $((SECONDS - started)) s"
    ;;
  *)
    echo "usage: scripts/test.sh [--sanitize | --tsan | --fuzz [SECONDS] | --soak [PROBES] | --all]" >&2
    exit 2
    ;;
esac
