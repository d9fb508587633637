// AuthProxy: a scripted forward proxy that demands authentication, for the cases real proxies
// do not produce on cue: Digest with SHA-256 (squid offers only MD5), a nonce that goes stale,
// a proxy that closes the connection after every 407. Its Digest check is written here from
// RFC 7616 §3.4.1, independently of proxywatch's own code, so the two check each other.
#pragma once

#include "tests/support/io_thread.h"

#include <boost/asio/awaitable.hpp>
#include <boost/asio/ip/tcp.hpp>

#include <cstdint>
#include <mutex>
#include <string>
#include <vector>

namespace proxywatch::testing {

// Lower-case hex of the "MD5" or "SHA-256" digest of `text` (RFC 7616's H()).
std::string hex_digest(const std::string& algorithm, const std::string& text);

// A proxy on 127.0.0.1:port(), on its own thread. A CONNECT without valid credentials gets a
// 407 with one challenge of Options::scheme (and a short body); valid ones get 200 and a tunnel
// to 127.0.0.1:upstream_port. Connections stay open across 407s unless close_after_407.
// Thread-safe.
class AuthProxy {
 public:
  struct Options {
    std::string scheme = "Digest";      // "Digest" or "Basic"
    std::string algorithm = "SHA-256";  // Digest: "MD5" or "SHA-256"
    std::string user{};
    std::string password{};
    std::string realm = "proxywatch-test";
    bool stale_once = false;              // the first correct Digest answer gets 407 stale=true
    bool stale_always = false;            // every correct Digest answer gets 407 stale=true
    bool close_after_407 = false;         // each 407 says Connection: close and ends with a FIN
    bool fin_despite_keep_alive = false;  // each 407 promises keep-alive, then ends with a FIN
    std::uint16_t upstream_port = 0;
  };

  // One CONNECT as received: its head, and which accepted connection (0, 1 ...) carried it.
  struct Request {
    std::string head;
    int connection = 0;
  };

  explicit AuthProxy(Options options);
  ~AuthProxy();
  AuthProxy(const AuthProxy&) = delete;
  AuthProxy& operator=(const AuthProxy&) = delete;

  std::uint16_t port() const { return port_; }
  // Every request so far, oldest first.
  std::vector<Request> requests() const;

 private:
  asio::awaitable<void> accept_loop();
  asio::awaitable<void> serve(asio::ip::tcp::socket socket, int connection);
  // "" when `authorization` is valid for the current nonce, else the 407's challenge to send.
  std::string check(const std::string& authorization);
  std::string challenge(bool stale);

  IoThread io_;
  const Options options_;
  asio::ip::tcp::acceptor acceptor_;
  std::uint16_t port_ = 0;
  mutable std::mutex mutex_;
  std::vector<Request> requests_;
  std::string nonce_;  // the io thread's alone
  int nonces_issued_ = 0;
  bool staled_ = false;
};

}  // namespace proxywatch::testing
