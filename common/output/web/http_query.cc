// HttpQuery: a request-target's query, parsed and percent-decoded by Boost.URL (compiled here in
// its header-only mode, once for every user of the web library).
#include "common/output/web/http_server.h"

#include <boost/url/parse.hpp>
#include <boost/url/src.hpp>

namespace proxywatch {

HttpQuery::HttpQuery(std::string_view target) {
  // Absolute-form ("http://host/p?q") and origin-form ("/p?q") both parse as a URI reference.
  auto url = boost::urls::parse_uri_reference(target);
  if (!url) return;
  path_ = std::string(url->encoded_path());
  for (const auto& param : url->params()) {
    params_.emplace_back(param.key, param.has_value ? param.value : std::string());
  }
}

std::optional<std::string> HttpQuery::get(std::string_view name) const {
  for (const auto& [key, value] : params_) {
    if (key == name) return value;
  }
  return std::nullopt;
}

}  // namespace proxywatch
