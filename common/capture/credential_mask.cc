// The mask follows the stream byte by byte: header names at the start of a line, the value of
// an authorization header up to its line's end. Sequence numbers wrap (RFC 9293 §3.4), so
// positions are compared as differences.
#include "common/capture/credential_mask.h"

#include <algorithm>
#include <cctype>
#include <optional>

namespace proxywatch {
namespace {

// Longer than any header name that matters: the scan gives up on the line.
constexpr std::size_t kLongestName = 32;

bool is_token_char(char c) {
  return std::isalnum(static_cast<unsigned char>(c)) != 0 || c == '-' || c == '_';
}

bool is_secret_header(const std::string& lowercase_name) {
  return lowercase_name == "proxy-authorization" || lowercase_name == "authorization";
}

// `a - b` as a signed distance in sequence space.
std::int64_t distance(std::uint32_t a, std::uint32_t b) {
  return static_cast<std::int32_t>(a - b);
}

}  // namespace

bool CredentialMask::apply(std::uint32_t seq, std::string& payload) {
  if (payload.empty()) return false;
  if (!started_) {
    started_ = true;
    next_seq_ = seq;
  }
  bool changed = false;
  // Bytes sent before: mask what was masked the first time (a retransmission).
  for (const auto& [begin, end] : masked_) {
    std::int64_t from = std::max<std::int64_t>(distance(begin, seq), 0);
    std::int64_t to =
        std::min<std::int64_t>(distance(end, seq), static_cast<std::int64_t>(payload.size()));
    for (std::int64_t i = from; i < to; ++i) {
      payload[static_cast<std::size_t>(i)] = 'x';
      changed = true;
    }
  }
  std::int64_t gap = distance(seq, next_seq_);
  if (gap > 0) {
    // Bytes were missed: a value may have begun in them, so mask to the end of the line.
    state_ = State::kValue;
  }
  std::int64_t first_new = std::max<std::int64_t>(-gap, 0);
  if (first_new >= static_cast<std::int64_t>(payload.size())) return changed;
  std::optional<std::uint32_t> run_start;
  auto close_run = [&](std::size_t i) {
    if (!run_start) return;
    masked_[*run_start] = seq + static_cast<std::uint32_t>(i);
    run_start.reset();
  };
  for (auto i = static_cast<std::size_t>(first_new); i < payload.size(); ++i) {
    char c = payload[i];
    if (c == '\n') {
      close_run(i);
      state_ = State::kLineStart;
      name_.clear();
      continue;
    }
    switch (state_) {
      case State::kLineStart:
      case State::kName:
        if (c == ':' && state_ == State::kName) {
          state_ = is_secret_header(name_) ? State::kValue : State::kOther;
          skipping_space_ = true;
        } else if (is_token_char(c) && name_.size() < kLongestName) {
          name_.push_back(static_cast<char>(std::tolower(static_cast<unsigned char>(c))));
          state_ = State::kName;
        } else {
          state_ = State::kOther;
        }
        break;
      case State::kValue:
        if (c == '\r' || (skipping_space_ && (c == ' ' || c == '\t'))) {
          close_run(i);
          break;
        }
        skipping_space_ = false;
        payload[i] = 'x';
        changed = true;
        if (!run_start) run_start = seq + static_cast<std::uint32_t>(i);
        break;
      case State::kOther:
        break;
    }
  }
  close_run(payload.size());
  next_seq_ = seq + static_cast<std::uint32_t>(payload.size());
  return changed;
}

}  // namespace proxywatch
