// Finding the numbers of a JSON document that Boost.JSON would print in exponent form: every
// double (1.8E-4, 0E0, 1.79E9), while integers print as plain decimals. `check --json` must
// print plain decimals only, so its tests look for doubles in what it printed.
#pragma once

#include <string>
#include <vector>

#include <boost/json.hpp>

namespace proxywatch::testing {

// Appends "key: value" to `out` for every double in `value`, `key` being its path from the root
// (".tls.not_after", ".probes[]").
inline void find_doubles(const boost::json::value& value, const std::string& key,
                         std::vector<std::string>& out) {
  if (value.is_double()) out.push_back(key + ": " + boost::json::serialize(value));
  if (value.is_object()) {
    for (const auto& [k, v] : value.as_object()) find_doubles(v, key + "." + std::string(k), out);
  }
  if (value.is_array()) {
    for (const boost::json::value& v : value.as_array()) find_doubles(v, key + "[]", out);
  }
}

}  // namespace proxywatch::testing
