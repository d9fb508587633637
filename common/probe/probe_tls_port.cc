// Whether the proxy's port speaks TLS (probe_session.h, speaks_tls): FMC talks plain HTTP to its
// proxy, so an HTTPS proxy (or a port of some other TLS server) never answers its CONNECT. An
// OpenSSL server closes on a plain "CONNECT" without sending a byte, which alone looks like any
// proxy that closed; one ClientHello on a new connection to the same address tells them apart.
#include <algorithm>
#include <array>

#include <boost/asio/read.hpp>
#include <boost/asio/write.hpp>

#include "common/probe/probe_session.h"
#include "common/probe/tls_records.h"

namespace proxywatch::detail {
namespace {

// The longest the check may take: it only names a failure already found.
constexpr auto kTlsPortCheckLimit = std::chrono::seconds(2);
// A record header's first three bytes say whether it is TLS (is_tls_record_header).
constexpr std::size_t kRecordStartBytes = 3;

}  // namespace

asio::awaitable<bool> ProbeSession::speaks_tls(Clock::time_point deadline) {
  deadline = std::min(deadline, Clock::now() + kTlsPortCheckLimit);
  if (Clock::now() >= deadline) co_return false;
  std::string hello = client_hello_bytes(tls_ctx_->native_handle(), spec_.target.host);
  if (hello.empty()) co_return false;
  beast::tcp_stream stream(ex_);
  stream.expires_at(deadline);
  error_code open_ec;
  stream.socket().open(connected_.protocol(), open_ec);
  if (open_ec || announce(stream.socket(), connected_)) co_return false;
  auto [connect_ec] = co_await stream.async_connect(connected_, kUseTuple);
  if (connect_ec) co_return false;
  auto [write_ec, written] = co_await asio::async_write(stream, asio::buffer(hello), kUseTuple);
  if (write_ec) co_return false;
  std::array<char, kRecordStartBytes> start{};
  auto [read_ec, n] = co_await asio::async_read(stream, asio::buffer(start), kUseTuple);
  error_code ignored;
  stream.socket().close(ignored);
  co_return !read_ec && is_tls_record_header(std::string_view(start.data(), n));
}

}  // namespace proxywatch::detail
