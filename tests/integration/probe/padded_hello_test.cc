// The padded ClientHello measured where it arrives: a proxy written here answers CONNECT with
// 200 and then reads one TLS ClientHello, recording its size on the wire. With the MSS clamped
// to 536 on loopback the probe's send MSS is small, so the pad (sized from it) and its effect
// are visible without a network namespace.
#include <arpa/inet.h>
#include <gtest/gtest.h>
#include <netinet/in.h>
#include <poll.h>
#include <sys/socket.h>
#include <unistd.h>
#include <boost/asio/co_spawn.hpp>
#include <boost/asio/io_context.hpp>

#include <cstdint>
#include <optional>
#include <string>
#include <thread>
#include <vector>

#include "common/probe/mtu_check.h"
#include "common/probe/probe.h"
#include "common/probe/tls_contexts.h"

namespace proxywatch {
namespace {

namespace asio = boost::asio;

// What the proxy saw of one ClientHello.
struct HelloSeen {
  std::size_t wire_bytes = 0;       // TLS records carrying it, headers included
  std::size_t handshake_bytes = 0;  // the handshake message's own length field
};

// Reads exactly n bytes within 10 s; false on EOF, error or timeout.
bool read_exactly(int fd, std::uint8_t* out, std::size_t n) {
  for (std::size_t got = 0; got < n;) {
    pollfd p{fd, POLLIN, 0};
    if (poll(&p, 1, 10'000) != 1) return false;
    ssize_t r = read(fd, out + got, n - got);
    if (r <= 0) return false;
    got += static_cast<std::size_t>(r);
  }
  return true;
}

// Serves `connections` clients one after the other on 127.0.0.1, on its own thread.
class HelloSizer {
 public:
  explicit HelloSizer(int connections) {
    listener_ = socket(AF_INET, SOCK_STREAM | SOCK_CLOEXEC, 0);
    sockaddr_in addr{};
    addr.sin_family = AF_INET;
    addr.sin_addr.s_addr = htonl(INADDR_LOOPBACK);
    socklen_t len = sizeof addr;
    if (bind(listener_, reinterpret_cast<sockaddr*>(&addr), len) != 0 ||
        listen(listener_, 8) != 0 ||
        getsockname(listener_, reinterpret_cast<sockaddr*>(&addr), &len) != 0) {
      throw std::runtime_error("HelloSizer cannot listen");
    }
    port_ = ntohs(addr.sin_port);
    thread_ = std::thread([this, connections] {
      for (int i = 0; i < connections; ++i) seen_.push_back(serve_one());
    });
  }
  ~HelloSizer() {
    shutdown(listener_, SHUT_RDWR);
    if (thread_.joinable()) thread_.join();
    close(listener_);
  }

  std::uint16_t port() const { return port_; }
  // Waits for the thread (bounded by its 10 s reads) and returns what each connection sent.
  std::vector<std::optional<HelloSeen>> seen() {
    thread_.join();
    return seen_;
  }

 private:
  std::optional<HelloSeen> serve_one() {
    pollfd p{listener_, POLLIN, 0};
    if (poll(&p, 1, 10'000) != 1) return std::nullopt;
    int fd = accept4(listener_, nullptr, nullptr, SOCK_CLOEXEC);
    if (fd < 0) return std::nullopt;
    auto seen = read_hello(fd);
    close(fd);
    return seen;
  }

  static std::optional<HelloSeen> read_hello(int fd) {
    std::string head;
    std::uint8_t c = 0;
    while (head.find("\r\n\r\n") == std::string::npos && head.size() < 16'384) {
      if (!read_exactly(fd, &c, 1)) return std::nullopt;
      head += static_cast<char>(c);
    }
    const std::string ok = "HTTP/1.1 200 Connection established\r\n\r\n";
    if (write(fd, ok.data(), ok.size()) != static_cast<ssize_t>(ok.size())) return std::nullopt;
    // RFC 8446 §5.1: records of type 22 (handshake); the ClientHello may span several.
    HelloSeen seen;
    std::vector<std::uint8_t> body;
    while (body.size() < 4 || body.size() < 4 + seen.handshake_bytes) {
      std::uint8_t header[5];
      if (!read_exactly(fd, header, 5) || header[0] != 22) return std::nullopt;
      std::size_t length = (header[3] << 8) | header[4];
      std::vector<std::uint8_t> fragment(length);
      if (!read_exactly(fd, fragment.data(), length)) return std::nullopt;
      body.insert(body.end(), fragment.begin(), fragment.end());
      seen.wire_bytes += 5 + length;
      if (body.size() >= 4) seen.handshake_bytes = (body[1] << 16) | (body[2] << 8) | body[3];
      if (seen.wire_bytes > 70'000) return std::nullopt;
    }
    return seen;
  }

  int listener_ = -1;
  std::uint16_t port_ = 0;
  std::thread thread_;
  std::vector<std::optional<HelloSeen>> seen_;
};

ProbeResult probe(ProbeSpec spec, TlsContexts::ContextPtr tls) {
  asio::io_context io;
  std::optional<ProbeResult> result;
  asio::co_spawn(io, run_probe(std::move(spec), std::move(tls)),
                 [&](std::exception_ptr e, ProbeResult r) {
                   if (e) std::rethrow_exception(e);
                   result = std::move(r);
                 });
  io.run_for(std::chrono::seconds(20));
  return result.value();
}

TEST(PaddedHelloTest, PaddedHelloExceedsOneSegmentByThePadSize) {
  HelloSizer sizer(2);
  TlsContexts contexts;
  auto plain_tls = contexts.get("");
  auto padded_tls = contexts.get("", ClientHelloPadding::kPadded);
  ASSERT_TRUE(plain_tls && padded_tls);
  ProbeSpec spec;
  spec.proxy = {"127.0.0.1", sizer.port()};
  spec.target = {"origin.test", 443};
  spec.timeouts.set_all_phases(std::chrono::seconds(5));
  spec.clamp_mss = kClampedMss;
  ProbeResult plain = probe(spec, *plain_tls);
  spec.pad_client_hello = true;
  ProbeResult padded = probe(spec, *padded_tls);
  auto seen = sizer.seen();
  ASSERT_EQ(seen.size(), 2u);
  ASSERT_TRUE(seen[0] && seen[1]);

  ASSERT_TRUE(padded.tcp_after_connect);
  std::uint32_t mss = padded.tcp_after_connect->snd_mss;
  EXPECT_LE(mss, kClampedMss);  // TCP_MAXSEG took effect
  std::size_t pad = client_hello_pad_bytes(mss);
  // The extension adds its 4-byte header (type, length) and the pad; nothing else changes.
  EXPECT_EQ(seen[1]->handshake_bytes, seen[0]->handshake_bytes + 4 + pad);
  EXPECT_LT(seen[0]->wire_bytes, mss);
  EXPECT_GT(seen[1]->wire_bytes, mss);
  std::cout << "ClientHello on the wire: plain " << seen[0]->wire_bytes << " bytes, padded "
            << seen[1]->wire_bytes << " bytes (send MSS " << mss << ", pad " << pad << ")\n";
}

TEST(PaddedHelloTest, PlainContextCannotPadAndSaysSo) {
  HelloSizer sizer(1);
  TlsContexts contexts;
  auto plain_tls = contexts.get("");
  ASSERT_TRUE(plain_tls);
  ProbeSpec spec;
  spec.proxy = {"127.0.0.1", sizer.port()};
  spec.target = {"origin.test", 443};
  spec.timeouts.set_all_phases(std::chrono::seconds(5));
  spec.pad_client_hello = true;
  ProbeResult r = probe(spec, *plain_tls);
  EXPECT_EQ(r.outcome, Outcome::kTlsFailed);
  EXPECT_NE(r.error.find("cannot pad"), std::string::npos) << r.error;
}

}  // namespace
}  // namespace proxywatch
