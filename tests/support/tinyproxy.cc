// Tinyproxy: config generation and the start/stop of one tinyproxy process.
#include "tests/support/tinyproxy.h"
#include "tests/support/server_limits.h"

#include "tests/support/local_port.h"

#include <algorithm>
#include <stdexcept>

namespace proxywatch::testing {
namespace {

// tinyproxy 1.11's config grammar reads BasicAuth's words as ([-a-z0-9._]+), case-insensitive;
// anything else is a syntax error that stops it from starting.
bool tinyproxy_word(const std::string& word) {
  return !word.empty() && std::all_of(word.begin(), word.end(), [](char c) {
    return (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') || (c >= '0' && c <= '9') || c == '-' ||
           c == '.' || c == '_';
  });
}

}  // namespace

Tinyproxy::Tinyproxy(Options options) : dir_("proxywatch-tinyproxy"), options_(std::move(options)) {
  const bool wants_auth =
      !options_.basic_auth_user.empty() || !options_.basic_auth_password.empty();
  if (wants_auth &&
      !(tinyproxy_word(options_.basic_auth_user) && tinyproxy_word(options_.basic_auth_password))) {
    throw std::runtime_error(
        "tinyproxy BasicAuth accepts only [-A-Za-z0-9._] in user and password");
  }
  // Tinyproxy drops to nobody before it opens its log file.
  dir_.give_to_user("nobody");
  for (int attempt = 0; attempt < kPortAttempts; ++attempt) {
    if (try_start(pick_free_port())) return;
  }
  throw std::runtime_error("tinyproxy did not start; its log ends with:\n" + tail(log()) +
                           "\nstdout/stderr:\n" + tail(dir_.read_file("tinyproxy.out")));
}

Tinyproxy::~Tinyproxy() {
  if (process_) process_->terminate(kStopGrace);
}

bool Tinyproxy::try_start(std::uint16_t port) {
  std::error_code ignored;
  std::filesystem::remove(dir() / "tinyproxy.log", ignored);  // tinyproxy appends to it
  const auto conf = dir_.write_file("tinyproxy.conf", config(port));
  process_ = std::make_unique<ChildProcess>(
      std::vector<std::string>{"tinyproxy", "-d", "-c", conf.string()}, dir() / "tinyproxy.out");
  // Logged after the listening socket is open; the log was removed above, so the line is this
  // attempt's.
  const auto announced = [&] { return log().find("Accepting connections") != std::string::npos; };
  const ListenerState state = wait_for_listener(*process_, port, announced, kStartDeadline);
  if (state == ListenerState::kListening) {
    port_ = port;
    return true;
  }
  process_->terminate(kStopGrace);
  return false;
}

std::string Tinyproxy::config(std::uint16_t port) const {
  const std::string dir = dir_.path().string();
  std::string text =
      "User nobody\nGroup nogroup\n"
      "Port " +
      std::to_string(port) + "\n" +
      "Listen 127.0.0.1\n"
      "Timeout 60\n"
      "MaxClients 100\n"
      "LogLevel Info\n"
      "LogFile \"" +
      dir + "/tinyproxy.log\"\n" + "PidFile \"" + dir + "/tinyproxy.pid\"\n";
  // No ConnectPort line: tinyproxy then allows CONNECT to every port (tinyproxy.conf(5)).
  if (!options_.basic_auth_user.empty()) {
    text += "BasicAuth " + options_.basic_auth_user + " " + options_.basic_auth_password + "\n";
  }
  for (const std::string& line : options_.extra_config) text += line + "\n";
  return text;
}

}  // namespace proxywatch::testing
