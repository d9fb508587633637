// The /captures/ route: the listener's authentication, the name, the file.
#include "daemon/capture_route.h"

#include <filesystem>

#include "common/regular_file.h"
#include "daemon/evidence_store.h"

namespace proxywatch {
namespace {

constexpr std::string_view kCapturesPrefix = "/captures/";
// A capture is at most kMaxBytesPerProbe of packets plus their headers; anything much larger
// was not written by the daemon.
constexpr std::size_t kMaxServedCapture = 4 << 20;

HttpResponse capture_sentence(unsigned status, std::string text) {
  return HttpResponse{status, "text/plain; charset=utf-8", std::move(text) + "\n"};
}

}  // namespace

HttpResponse capture_file_response(const std::string& dir, bool authenticated,
                                   const std::string& path) {
  if (!authenticated) {
    return capture_sentence(
        403,
        "Captures are served only by an authenticated listener: they hold the probes' traffic. "
        "Name users in the web configuration file (web_config_file, basic_auth_users; it is "
        "read again when it changes), or read the file in the state directory's captures "
        "folder.");
  }
  std::string_view name = std::string_view(path).substr(
      path.starts_with(kCapturesPrefix) ? kCapturesPrefix.size() : path.size());
  if (!is_capture_file_name(name)) return capture_sentence(404, "There is no such capture.");
  // Never through a symlink, only a regular file, bounded.
  auto bytes = read_regular_file(
      (std::filesystem::path(dir) / name).string(),
      RegularFileLimits{.max_bytes = kMaxServedCapture, .follow_symlinks = false});
  if (!bytes && bytes.error().kind == Error::Kind::kNotFound) {
    return capture_sentence(404, "There is no such capture (captures are pruned to the newest).");
  }
  if (!bytes) return capture_sentence(404, "There is no such capture.");
  return HttpResponse{200, "application/vnd.tcpdump.pcap", std::move(*bytes)};
}

HttpServer::Handler capture_file_handler(std::string dir) {
  return [dir = std::move(dir)](const HttpQuery& query) {
    return capture_file_response(dir, query.authenticated(), query.path());
  };
}

}  // namespace proxywatch
