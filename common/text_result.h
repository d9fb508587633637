// Results whose error is a message for a human: what the input-facing parsers return
// (STYLE.md's error policy: input errors are values, only bugs throw).
#pragma once

#include <string>
#include <system_error>
#include <utility>

#include <boost/system/result.hpp>

namespace proxywatch {

template <class T>
using TextResult = boost::system::result<T, std::string>;

// An error message that converts to any TextResult<T>. Needed because result<T, string>
// will not convert a bare string when T could also be built from one (aggregates).
struct ErrorText {
  std::string text;
  template <class T>
  operator TextResult<T>() && {  // NOLINT(google-explicit-constructor): by design
    return TextResult<T>(boost::system::in_place_error, std::move(text));
  }
};

inline ErrorText error_text(std::string text) {
  return ErrorText{std::move(text)};
}

// The system's text for an errno value ("No such file or directory").
inline std::string errno_text(int error) {
  return std::system_category().message(error);
}

}  // namespace proxywatch
