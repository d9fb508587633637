// Squid: a real squid 5 started by a test, configured from scratch in its own TempDir. It is
// the proxy the design's scenarios are measured against: a healthy tunnel, ACL denies (403),
// and, through extra config lines, Basic and Digest authentication.
#pragma once

#include "tests/support/local_port.h"
#include "tests/support/process.h"
#include "tests/support/temp_dir.h"

#include <cstdint>
#include <filesystem>
#include <map>
#include <memory>
#include <string>
#include <vector>

namespace proxywatch::testing {

// A running `squid -N` listening on 127.0.0.1:port() (or Options::listen_address), dropped to user
// proxy, with no disk cache. It resolves names only from Options::hosts: its DNS server is
// 127.0.0.1, where nothing answers, so the machine's resolver is never asked and an unknown name
// fails (after dns_timeout, 3 s here instead of squid's 30 s). CONNECT is allowed to any port.
// Access rules, in order: deny denied_domains (403), extra_http_access, allow localhost, deny all.
// Not thread-safe.
class Squid {
 public:
  struct Options {
    std::map<std::string, std::string> hosts{};  // name → IP address, e.g. origin.test → 127.0.0.1
    std::vector<std::string> denied_domains{};     // dstdomain values, e.g. "denied.test"
    std::vector<std::string> extra_config{};       // verbatim, after the defaults (may override
                                                   // them) and before the http_access rules
    std::vector<std::string> extra_http_access{};  // verbatim lines, e.g. "http_access deny !auth"
    // Run inside this network namespace (`ip netns exec`), listening on listen_address there.
    // Empty: the test's own namespace. Readiness is then told by cache.log alone, since the
    // test cannot connect into the namespace to check.
    std::string netns{};
    std::string listen_address = "127.0.0.1";
  };

  // Writes the config and starts squid, trying up to 3 ports if one was taken meanwhile; waits
  // at most 15 s for it to listen. Throws std::runtime_error with the tail of cache.log if it
  // does not.
  explicit Squid(Options options);
  // Stops squid: SIGTERM, up to 5 s for it to exit (shutdown_lifetime is 0), then SIGKILL.
  ~Squid();
  Squid(const Squid&) = delete;
  Squid& operator=(const Squid&) = delete;

  // The listening port on 127.0.0.1 (or Options::listen_address).
  std::uint16_t port() const { return port_; }

  // The directory with squid.conf, hosts, cache.log and access.log; owned by user proxy.
  const std::filesystem::path& dir() const { return dir_.path(); }

  // The contents of cache.log and access.log so far.
  std::string cache_log() const { return dir_.read_file("cache.log"); }
  std::string access_log() const { return dir_.read_file("access.log"); }

 private:
  std::string config(std::uint16_t port) const;
  bool try_start(std::uint16_t port);
  ListenerState wait_until_listening(std::uint16_t port);

  TempDir dir_;
  Options options_;
  std::uint16_t port_ = 0;
  std::unique_ptr<ChildProcess> process_;
};

}  // namespace proxywatch::testing
