#!/usr/bin/env bash
# Builds proxywatch with warnings as errors and runs every test with ctest.
#   scripts/test.sh              the normal build (build/)
#   scripts/test.sh --sanitize   the ASan/UBSan build (build-asan/)
# Installs its own Debian packages first (scripts/install-deps.sh). Tests start the real
# components they need (squid, tinyproxy, TLS origins, network namespaces): run as root.
set -euo pipefail
cd "$(dirname "$0")/.."

dir=build
# -O2 without debug info: the template-heavy Asio/Beast units compile markedly faster on CI's
# two cores; the sanitizer build keeps -g for its stack traces.
flags=(-DPROXYWATCH_WERROR=ON -DCMAKE_BUILD_TYPE=RelWithDebInfo
       "-DCMAKE_CXX_FLAGS_RELWITHDEBINFO=-O2 -DNDEBUG")
if [ "${1:-}" = "--sanitize" ]; then
  dir=build-asan
  flags+=(-DPROXYWATCH_SANITIZE=ON -DCMAKE_BUILD_TYPE=Debug)
  export ASAN_OPTIONS=detect_leaks=1:abort_on_error=1
  export UBSAN_OPTIONS=print_stacktrace=1:halt_on_error=1
fi

scripts/install-deps.sh
cmake -S . -B "$dir" -G Ninja "${flags[@]}"
cmake --build "$dir" -j "$(nproc)"
cd "$dir"
ctest --output-on-failure -j "$(nproc)" --timeout 300
