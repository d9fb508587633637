// `return failure("why");` for any boost::system::result<T, std::string>. The result's implicit
// constructors step aside whenever T could also be built from the text (T = std::string, or in
// C++20 any aggregate whose first member takes a string), so a bare message would not compile.
// Values of type std::string need the tag for the same reason: {boost::system::in_place_value, v}.
#pragma once

#include <string>
#include <utility>

#include <boost/system/result.hpp>

namespace proxywatch::config {

// A message on its way to becoming the error of a result<T, std::string>.
struct Failure {
  std::string message;

  template <class T>
  operator boost::system::result<T, std::string>() && {
    return {boost::system::in_place_error, std::move(message)};
  }
};

// The error `message` for whatever result<T, std::string> the caller returns.
inline Failure failure(std::string message) {
  return Failure{std::move(message)};
}

}  // namespace proxywatch::config
