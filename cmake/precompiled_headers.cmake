# Precompiled headers for the test executables that run the binary (tests/integration/ and
# tests/soak/, about 30 sources): each parses Asio, Beast, Asio's OpenSSL layer and GoogleTest,
# which one precompiled header, built once and reused by all of them, saves (1.8 s of 9.8 s CPU
# for tests/integration/daemon/scheduler_test.cc at -O2).
#
# Measured and left out (README, "How long the tests take"): the libraries. At -O2 their Asio
# units spend their time in code generation, not parsing (common/probe/probe.cc: 51.2 s with the
# header, 52.8 s without; dns_lookup.cc 7.9 s against 9.3 s), a source that does not use Asio pays
# 1.3 s to load the header (tcp_info.cc: 2.8 s against 1.5 s), and each library would build a
# header of its own: no gain.
#
# Safe for every build: a consumer reuses a header only from a host made with exactly its own
# libraries and definitions (proxywatch_add_pch_host), so g++ and clang accept it;
# -DPROXYWATCH_PCH=OFF builds without (then a source that forgets an #include of what the header
# brings fails to compile, which the precompiled header would hide).
option(PROXYWATCH_PCH "Precompile Asio/Beast and GoogleTest headers for the binary's tests" ON)

# What the Asio/Beast units include most (counted over common/, daemon/ and tests/).
set(PROXYWATCH_PCH_NETWORK
    <boost/asio/any_io_executor.hpp> <boost/asio/as_tuple.hpp> <boost/asio/awaitable.hpp>
    <boost/asio/co_spawn.hpp> <boost/asio/detached.hpp> <boost/asio/io_context.hpp>
    <boost/asio/ip/tcp.hpp> <boost/asio/read_until.hpp> <boost/asio/steady_timer.hpp>
    <boost/asio/this_coro.hpp> <boost/asio/use_awaitable.hpp> <boost/asio/write.hpp>
    <boost/asio/ssl/context.hpp> <boost/asio/ssl/stream.hpp> <boost/beast/core.hpp>
    <boost/beast/http.hpp> <chrono> <functional> <map> <memory> <optional> <string>
    <string_view> <vector>)
# What every GoogleTest source includes.
set(PROXYWATCH_PCH_GTEST <gtest/gtest.h> <gmock/gmock.h>)

# ccache caches a compile that uses a precompiled header only with these sloppiness settings
# (ccache's manual, "Precompiled headers"); set here so a build with
# -DCMAKE_CXX_COMPILER_LAUNCHER=ccache keeps its hits.
if(PROXYWATCH_PCH AND CMAKE_CXX_COMPILER_LAUNCHER MATCHES "ccache$")
  set(CMAKE_CXX_COMPILER_LAUNCHER
      ${CMAKE_COMMAND} -E env
      "CCACHE_SLOPPINESS=pch_defines,time_macros,include_file_mtime,include_file_ctime"
      ${CMAKE_CXX_COMPILER_LAUNCHER})
endif()

# Makes `host`, an object library with one empty source that only builds a precompiled header
# of `headers` (a ;-list) for targets that link `libraries` (a ;-list) with `definitions` (a
# ;-list); consumers then call target_precompile_headers(consumer REUSE_FROM host).
function(proxywatch_add_pch_host host headers libraries definitions)
  set(source ${CMAKE_CURRENT_BINARY_DIR}/${host}.cc)
  if(NOT EXISTS ${source})
    file(WRITE ${source} "// The translation unit that builds ${host}'s precompiled header.\n")
  endif()
  add_library(${host} OBJECT ${source})
  target_link_libraries(${host} PRIVATE ${libraries})
  target_compile_definitions(${host} PRIVATE ${definitions})
  target_precompile_headers(${host} PRIVATE ${headers})
endfunction()
