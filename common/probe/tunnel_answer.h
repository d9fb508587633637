// Reading an HTTP answer's head out of raw bytes that were meant to be something else: what came
// through the tunnel where the TLS ServerHello belonged, or after the 200 before the handshake.
// The bytes come from an untrusted peer: Beast parses them, and what is kept is printable and
// bounded.
#pragma once

#include <cstddef>
#include <optional>
#include <string_view>

#include "common/probe_result.h"

namespace proxywatch {

// Bytes of an answer looked at: a head's status line and the headers we keep fit well within.
inline constexpr std::size_t kMaxTunnelAnswerBytes = 4096;

// True when `bytes` start like an HTTP answer ("HTTP/").
bool starts_http_answer(std::string_view bytes);

// The head of the HTTP answer at the start of `bytes` (only the first kMaxTunnelAnswerBytes are
// read): status, reason, Location and Server. A head cut short (the rest had not arrived) is
// read up to its last complete line. nullopt when `bytes` do not start with a head Beast accepts.
std::optional<TunnelAnswer> parse_tunnel_answer(std::string_view bytes);

}  // namespace proxywatch
