// Tinyproxy: a real tinyproxy 1.11 started by a test, the second real proxy beside squid. It
// answers differently from squid (its 407 is HTTP/1.0; a refused upstream is "500 Unable to
// connect"), which keeps the probe's reply handling honest.
#pragma once

#include "tests/support/process.h"
#include "tests/support/temp_dir.h"

#include <cstdint>
#include <filesystem>
#include <memory>
#include <string>
#include <vector>

namespace proxywatch::testing {

// A running `tinyproxy -d` on 127.0.0.1:port(), dropped to nobody:nogroup. With no ConnectPort
// line tinyproxy allows CONNECT to every port. Tinyproxy resolves target names with the system
// resolver and has no hosts file of its own, so tests must CONNECT to 127.0.0.1:PORT by IP
// (a name would ask the machine's resolver, which no test may do). Not thread-safe.
class Tinyproxy {
 public:
  struct Options {
    std::string basic_auth_user{};      // with a password: "BasicAuth user password" is required;
    std::string basic_auth_password{};  // tinyproxy's parser takes only [-A-Za-z0-9._] in both
    std::vector<std::string> extra_config{};  // verbatim lines appended to the config
  };

  // Writes the config and starts tinyproxy, trying up to 3 ports if one was taken meanwhile;
  // waits at most 15 s for it to listen. Throws std::runtime_error with the tail of its log if
  // it does not, or if a BasicAuth credential holds a character tinyproxy cannot parse.
  explicit Tinyproxy(Options options);
  // Stops tinyproxy: SIGTERM, up to 5 s for it to exit, then SIGKILL.
  ~Tinyproxy();
  Tinyproxy(const Tinyproxy&) = delete;
  Tinyproxy& operator=(const Tinyproxy&) = delete;

  // The listening port on 127.0.0.1.
  std::uint16_t port() const { return port_; }

  // The directory with tinyproxy.conf and tinyproxy.log; owned by user nobody.
  const std::filesystem::path& dir() const { return dir_.path(); }

  // The contents of tinyproxy.log so far (one line per connection and request at LogLevel Info).
  std::string log() const { return dir_.read_file("tinyproxy.log"); }

 private:
  std::string config(std::uint16_t port) const;
  bool try_start(std::uint16_t port);

  TempDir dir_;
  Options options_;
  std::uint16_t port_ = 0;
  std::unique_ptr<ChildProcess> process_;
};

}  // namespace proxywatch::testing
