// The /runbook/ route: the index, one alert's section, 404 for the rest.
#include "daemon/runbook_route.h"

#include <algorithm>
#include <memory>
#include <string>

namespace proxywatch {
namespace {

constexpr std::string_view kRunbookPrefix = "/runbook/";
constexpr std::string_view kRunbookSectionEnd = "</section>";
constexpr std::string_view kRunbookBody = "<body>";
constexpr std::size_t kRunbookMaxName = 64;

// Alert names are CamelCase letters (mixtool's rule): nothing else can name a section.
bool is_runbook_alert_name(std::string_view name) {
  return !name.empty() && name.size() <= kRunbookMaxName &&
         std::all_of(name.begin(), name.end(), [](char c) {
           return (c >= 'A' && c <= 'Z') || (c >= 'a' && c <= 'z') || (c >= '0' && c <= '9');
         });
}

HttpResponse runbook_not_found() {
  return HttpResponse{404, "text/plain; charset=utf-8",
                      "There is no runbook page for that alert; /runbook/ lists them all.\n"};
}

}  // namespace

HttpResponse runbook_response(std::string_view html, std::string_view path) {
  std::string_view name =
      path.starts_with(kRunbookPrefix) ? path.substr(kRunbookPrefix.size()) : path;
  if (name.empty()) return HttpResponse{200, "text/html; charset=utf-8", std::string(html)};
  if (!is_runbook_alert_name(name)) return runbook_not_found();
  const std::string open = "<section id=\"" + std::string(name) + "\">";
  const std::size_t start = html.find(open);
  const std::size_t end = html.find(kRunbookSectionEnd, start);
  const std::size_t body = html.find(kRunbookBody);
  if (start == std::string_view::npos || end == std::string_view::npos ||
      body == std::string_view::npos) {
    return runbook_not_found();
  }
  // The page's head (title, style), a way back to the index, the alert's section.
  std::string page(html.substr(0, body + kRunbookBody.size()));
  page += "\n<p><a href=\"./\">All of proxywatch's alerts</a></p>\n";
  page += html.substr(start, end + kRunbookSectionEnd.size() - start);
  page += "\n</body>\n</html>\n";
  return HttpResponse{200, "text/html; charset=utf-8", std::move(page)};
}

HttpServer::Handler runbook_handler() {
  return [](const HttpQuery& query) {
    if (query.path() == kRunbookPrefix) {
      // The whole page, shared by every reader rather than copied per request.
      static const auto index = std::make_shared<const std::string>(kRunbookHtml);
      return HttpResponse{.content_type = "text/html; charset=utf-8", .shared_body = index};
    }
    return runbook_response(kRunbookHtml, query.path());
  };
}

}  // namespace proxywatch
