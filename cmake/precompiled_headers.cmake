# Precompiled headers for the translation units that parse Asio, Beast and Asio's OpenSSL
# layer: the probe engine, the web listener, the daemon, the test support library and the
# tests that link them. Parsing those headers dominated their compile time (issue 17); with a
# precompiled header each target parses them once.
#
# Included by the top-level CMakeLists.txt before the stages (for the option and the helper the
# tests use) and applied to the library targets at its end (proxywatch_precompile_libraries),
# so the stages' own CMakeLists.txt files need no line of it.
#
# Safe for every build: each library precompiles its own header with its own flags (g++ and
# clang alike accept it), and a test target reuses a header only from a host made with exactly
# its own libraries and definitions (proxywatch_add_pch_host). -DPROXYWATCH_PCH=OFF builds
# without (then a source that forgets an #include of what the header brings fails to compile,
# which the precompiled header would hide).
option(PROXYWATCH_PCH "Precompile the Asio/Beast headers of the network-heavy targets" ON)

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

# Precompiles the network headers for each library target named that exists.
function(proxywatch_precompile_libraries)
  if(NOT PROXYWATCH_PCH)
    return()
  endif()
  foreach(target IN LISTS ARGN)
    if(TARGET ${target})
      target_precompile_headers(${target} PRIVATE ${PROXYWATCH_PCH_NETWORK})
    endif()
  endforeach()
endfunction()

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
