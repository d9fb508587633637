# Precompiled headers, off by default (-DPROXYWATCH_PCH=ON to try): for the test executables
# that run the binary (tests/integration/ and tests/soak/, about 30 sources), one header of
# Asio, Beast, Asio's OpenSSL layer and GoogleTest, built once and reused by all of them.
#
# Measured (CPU seconds, g++ 12, -O2, README "How long the tests take"): it saves 1.8 s of 9.8 s
# for tests/integration/daemon/scheduler_test.cc and 1.1 s of 3.5 s for a GoogleTest-only source.
# The libraries gain nothing: at -O2 their Asio units spend their time in code generation, not
# parsing (common/probe/probe.cc 51.2 s with the header, 52.8 s without; dns_lookup.cc 7.9 s
# against 9.3 s), a source that does not use Asio pays 1.3 s to load it (tcp_info.cc 2.8 s against
# 1.5 s), and each library would build a header of its own. Why it is off: with the header,
# g++ 12 reports a -Warray-bounds false positive (std::string's operator+ inlined) in
# tests/integration/systemd_unit_test.cc, which -Werror turns into a failed build; without it
# the same source compiles clean. The gain (about 50 s of CPU per build) does not pay for that.
#
# Safe where it is on: a consumer reuses a header only from a host made with exactly its own
# libraries and definitions (proxywatch_add_pch_host), so g++ and clang accept it. A source that
# forgets an #include of what the header brings compiles only with it.
option(PROXYWATCH_PCH "Precompile Asio/Beast and GoogleTest headers for the binary's tests" OFF)

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
