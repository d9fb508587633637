// Self-tests of tests/support: each server the integration tests rely on is started and talked
// to with a plain Asio/Beast client, so that a failing probe test can trust its harness.
#include "tests/support/fake_proxy.h"
#include "tests/support/process.h"
#include "tests/support/read_file.h"
#include "tests/support/squid.h"
#include "tests/support/temp_dir.h"
#include "tests/support/test_pki.h"
#include "tests/support/tinyproxy.h"
#include "tests/support/tls_origin.h"
#include "tests/support/wait.h"

#include <gmock/gmock.h>
#include <gtest/gtest.h>

#include <boost/asio/as_tuple.hpp>
#include <boost/asio/co_spawn.hpp>
#include <boost/asio/ssl.hpp>
#include <boost/asio/this_coro.hpp>
#include <boost/asio/use_awaitable.hpp>
#include <boost/beast/core.hpp>
#include <boost/beast/http.hpp>
#include <boost/beast/ssl.hpp>

#include <sys/wait.h>
#include <unistd.h>

#include <array>
#include <csignal>
#include <fstream>
#include <iterator>
#include <optional>
#include <tuple>

namespace proxywatch::testing {
namespace {

namespace asio = boost::asio;
namespace beast = boost::beast;
namespace http = beast::http;
namespace ssl = asio::ssl;
using std::chrono_literals::operator""ms;
using std::chrono_literals::operator""s;

constexpr auto kOpTimeout = std::chrono::seconds(10);

// What a client saw: the proxy's answer to CONNECT and the origin's answer to HEAD /.
struct Exchange {
  unsigned connect_status = 0;
  unsigned head_status = 0;
  std::string location;
};

// Runs `task` on a fresh io_context for at most `deadline` and returns its result; throws if it
// failed or did not finish in time.
template <class T>
T run_with_deadline(asio::awaitable<T> task, std::chrono::seconds deadline = 30s) {
  asio::io_context context;
  std::optional<T> result;
  std::exception_ptr error;
  asio::co_spawn(context, std::move(task), [&](std::exception_ptr e, T value) {
    error = e;
    if (!e) result = std::move(value);
  });
  context.run_for(deadline);
  if (error) std::rethrow_exception(error);
  if (!result) throw std::runtime_error("client did not finish before its deadline");
  return std::move(*result);
}

// TLS handshake (SNI and name verified against `ca_file`) and HEAD / over an open stream.
asio::awaitable<Exchange> head_over_tls(beast::tcp_stream tcp, std::string host,
                                        std::filesystem::path ca_file) {
  ssl::context tls(ssl::context::tls_client);
  tls.load_verify_file(ca_file.string());
  tls.set_verify_mode(ssl::verify_peer);
  beast::ssl_stream<beast::tcp_stream> stream(std::move(tcp), tls);
  stream.set_verify_callback(ssl::host_name_verification(host));
  if (!SSL_set_tlsext_host_name(stream.native_handle(), host.c_str()))
    throw std::runtime_error("SNI");
  beast::get_lowest_layer(stream).expires_after(kOpTimeout);
  co_await stream.async_handshake(ssl::stream_base::client, asio::use_awaitable);
  http::request<http::empty_body> request{http::verb::head, "/", 11};
  request.set(http::field::host, host);
  co_await http::async_write(stream, request, asio::use_awaitable);
  http::response_parser<http::empty_body> parser;
  parser.skip(true);  // a HEAD answer has no body (RFC 9110 §9.3.2)
  beast::flat_buffer buffer;
  co_await http::async_read_header(stream, buffer, parser, asio::use_awaitable);
  co_return Exchange{0, parser.get().result_int(),
                     std::string(parser.get()[http::field::location])};
}

// CONNECTs to `target` through the proxy on 127.0.0.1:proxy_port; on 200, and if `tls_host` is
// set, does HEAD / over TLS through the tunnel.
asio::awaitable<Exchange> connect_through(std::uint16_t proxy_port, std::string target,
                                          std::string tls_host, std::filesystem::path ca_file,
                                          std::string proxy_authorization = "") {
  beast::tcp_stream tcp(co_await asio::this_coro::executor);
  tcp.expires_after(kOpTimeout);
  co_await tcp.async_connect({asio::ip::make_address_v4("127.0.0.1"), proxy_port},
                             asio::use_awaitable);
  http::request<http::empty_body> request{http::verb::connect, target, 11};
  request.set(http::field::host, target);
  if (!proxy_authorization.empty())
    request.set(http::field::proxy_authorization, proxy_authorization);
  co_await http::async_write(tcp, request, asio::use_awaitable);
  http::response_parser<http::empty_body> parser;
  parser.skip(true);  // a 2xx answer to CONNECT has no body (RFC 9112 §6.3)
  beast::flat_buffer buffer;
  co_await http::async_read_header(tcp, buffer, parser, asio::use_awaitable);
  Exchange exchange{parser.get().result_int(), 0, {}};
  if (exchange.connect_status != 200 || tls_host.empty()) co_return exchange;
  const Exchange head = co_await head_over_tls(std::move(tcp), tls_host, ca_file);
  exchange.head_status = head.head_status;
  exchange.location = head.location;
  co_return exchange;
}

asio::awaitable<Exchange> head_direct(std::uint16_t port, std::string host,
                                      std::filesystem::path ca_file) {
  beast::tcp_stream tcp(co_await asio::this_coro::executor);
  tcp.expires_after(kOpTimeout);
  co_await tcp.async_connect({asio::ip::make_address_v4("127.0.0.1"), port}, asio::use_awaitable);
  co_return co_await head_over_tls(std::move(tcp), host, ca_file);
}

// How a CONNECT went at the byte level: the answer head (or why none arrived) and, after a 200,
// how the tunnel ended once `then_send` was written into it.
struct TunnelEnd {
  beast::error_code head_error;
  unsigned status = 0;
  beast::error_code tunnel_error;
};

asio::awaitable<TunnelEnd> open_tunnel(std::uint16_t proxy_port, std::chrono::milliseconds timeout,
                                       std::string then_send) {
  beast::tcp_stream tcp(co_await asio::this_coro::executor);
  tcp.expires_after(timeout);
  co_await tcp.async_connect({asio::ip::make_address_v4("127.0.0.1"), proxy_port},
                             asio::use_awaitable);
  http::request<http::empty_body> request{http::verb::connect, "origin.test:443", 11};
  co_await http::async_write(tcp, request, asio::use_awaitable);
  http::response_parser<http::empty_body> parser;
  parser.skip(true);
  beast::flat_buffer buffer;
  TunnelEnd end;
  std::tie(end.head_error, std::ignore) =
      co_await http::async_read_header(tcp, buffer, parser, asio::as_tuple(asio::use_awaitable));
  if (end.head_error) co_return end;
  end.status = parser.get().result_int();
  if (!then_send.empty())
    co_await asio::async_write(tcp, asio::buffer(then_send), asio::use_awaitable);
  std::array<char, 64> sink;
  std::tie(end.tunnel_error, std::ignore) =
      co_await tcp.async_read_some(asio::buffer(sink), asio::as_tuple(asio::use_awaitable));
  co_return end;
}

// What a GET straight to the origin returned: status, body bytes received, and the read error.
struct Download {
  unsigned status = 0;
  std::size_t body_bytes = 0;
  beast::error_code error;
};

asio::awaitable<Download> get_from_origin(std::uint16_t port, std::string path,
                                          std::filesystem::path ca_file,
                                          std::chrono::milliseconds timeout) {
  ssl::context tls(ssl::context::tls_client);
  tls.load_verify_file(ca_file.string());
  tls.set_verify_mode(ssl::verify_peer);
  beast::ssl_stream<beast::tcp_stream> stream(co_await asio::this_coro::executor, tls);
  auto& tcp = beast::get_lowest_layer(stream);
  tcp.expires_after(timeout);
  co_await tcp.async_connect({asio::ip::make_address_v4("127.0.0.1"), port}, asio::use_awaitable);
  co_await stream.async_handshake(ssl::stream_base::client, asio::use_awaitable);
  http::request<http::empty_body> request{http::verb::get, path, 11};
  co_await http::async_write(stream, request, asio::use_awaitable);
  http::response_parser<http::string_body> parser;
  parser.body_limit(64 * 1024 * 1024);
  beast::flat_buffer buffer;
  Download download;
  std::tie(download.error, std::ignore) =
      co_await http::async_read(stream, buffer, parser, asio::as_tuple(asio::use_awaitable));
  download.status = parser.get().result_int();
  download.body_bytes = parser.get().body().size();
  co_return download;
}

// A process's state letter from /proc ('Z' for a zombie), or '\0' once it is gone.
char process_state(pid_t pid) {
  const std::string text = read_file_or_empty("/proc/" + std::to_string(pid) + "/stat");
  const auto name_end = text.rfind(')');
  if (name_end == std::string::npos || name_end + 2 >= text.size()) return '\0';
  return text[name_end + 2];
}

// The shared CA, its leaf for origin.test and 127.0.0.1, and an origin serving it.
class SupportTest : public ::testing::Test {
 protected:
  const CertificateAuthority& ca_ = shared_pki().ca;
  const LeafCertificate& leaf_ = shared_pki().origin;
  TlsOrigin origin_;
  std::string origin_target_ = "origin.test:" + std::to_string(origin_.port());
};

TEST_F(SupportTest, OriginAnswersHeadWithRedirectOverVerifiedTls) {
  const Exchange exchange =
      run_with_deadline(head_direct(origin_.port(), "origin.test", ca_.cert_file));
  EXPECT_EQ(exchange.head_status, 302u);
  EXPECT_EQ(exchange.location, "https://www.cisco.com/");
  EXPECT_EQ(origin_.requests_served(), 1u);
  EXPECT_EQ(leaf_.issuer, "CN=proxywatch test CA");
}

TEST_F(SupportTest, OriginCertificateFailsVerificationForAnotherName) {
  EXPECT_THROW(run_with_deadline(head_direct(origin_.port(), "other.test", ca_.cert_file)),
               boost::system::system_error);
}

TEST_F(SupportTest, SquidTunnelsToHostsFileNameAndDeniesDeniedName) {
  Squid squid({.hosts = {{"origin.test", "127.0.0.1"}}, .denied_domains = {"denied.test"}});
  const Exchange allowed = run_with_deadline(
      connect_through(squid.port(), origin_target_, "origin.test", ca_.cert_file));
  EXPECT_EQ(allowed.connect_status, 200u);
  EXPECT_EQ(allowed.head_status, 302u);
  const Exchange denied =
      run_with_deadline(connect_through(squid.port(), "denied.test:443", "", ca_.cert_file));
  EXPECT_EQ(denied.connect_status, 403u);
  EXPECT_TRUE(wait_until(
      [&] { return squid.access_log().find("TCP_DENIED/403") != std::string::npos; }, 5s));
}

TEST_F(SupportTest, TinyproxyRequiresBasicAuthAndTunnelsByAddress) {
  Tinyproxy proxy({.basic_auth_user = "alice", .basic_auth_password = "s3cr3t-Pw.1"});
  const std::string target = "127.0.0.1:" + std::to_string(origin_.port());
  const Exchange anonymous =
      run_with_deadline(connect_through(proxy.port(), target, "", ca_.cert_file));
  EXPECT_EQ(anonymous.connect_status, 407u);
  // base64("alice:s3cr3t-Pw.1")
  const Exchange authorized = run_with_deadline(connect_through(
      proxy.port(), target, "origin.test", ca_.cert_file, "Basic YWxpY2U6czNjcjN0LVB3LjE="));
  EXPECT_EQ(authorized.connect_status, 200u);
  EXPECT_EQ(authorized.head_status, 302u);
}

TEST_F(SupportTest, FakeProxyStatusAnswersConfiguredStatusAndRecordsConnect) {
  FakeProxy proxy({.behavior = FakeProxy::Behavior::kStatus,
                   .status_line = "HTTP/1.1 407 Proxy Authentication Required",
                   .extra_headers = {"Proxy-Authenticate: NTLM"},
                   .body = "auth"});
  const Exchange exchange =
      run_with_deadline(connect_through(proxy.port(), "tools.cisco.com:443", "", ca_.cert_file));
  EXPECT_EQ(exchange.connect_status, 407u);
  ASSERT_EQ(proxy.requests().size(), 1u);
  EXPECT_TRUE(proxy.requests()[0].starts_with("CONNECT tools.cisco.com:443 HTTP/1.1\r\n"));
}

TEST_F(SupportTest, FakeProxyRelayTunnelsAnyNameToUpstream) {
  FakeProxy proxy({.behavior = FakeProxy::Behavior::kRelay, .upstream_port = origin_.port()});
  const Exchange exchange = run_with_deadline(
      connect_through(proxy.port(), "origin.test:443", "origin.test", ca_.cert_file));
  EXPECT_EQ(exchange.connect_status, 200u);
  EXPECT_EQ(exchange.head_status, 302u);
  EXPECT_TRUE(wait_until([&] { return origin_.requests_served() == 1; }, 5s));
}

TEST_F(SupportTest, OriginServesBytesCutsAndFallsSilent) {
  const auto ca = ca_.cert_file;
  const Download bytes =
      run_with_deadline(get_from_origin(origin_.port(), "/bytes/300000", ca, 5s));
  EXPECT_FALSE(bytes.error) << bytes.error.message();
  EXPECT_EQ(bytes.body_bytes, 300000u);
  const Download cut = run_with_deadline(get_from_origin(origin_.port(), "/cut/300000", ca, 5s));
  EXPECT_TRUE(cut.error);
  EXPECT_EQ(cut.body_bytes, 150000u);
  const Download silent =
      run_with_deadline(get_from_origin(origin_.port(), "/silent/1000", ca, 500ms));
  EXPECT_EQ(silent.error, beast::error::timeout);
  EXPECT_EQ(silent.body_bytes, 500u);
  const Download status = run_with_deadline(get_from_origin(origin_.port(), "/status/503", ca, 5s));
  EXPECT_EQ(status.status, 503u);
  const Download missing = run_with_deadline(get_from_origin(origin_.port(), "/nothing", ca, 5s));
  EXPECT_EQ(missing.status, 404u);
}

TEST(SquidSupportTest, BadConfigThrowsWithSquidsComplaint) {
  try {
    Squid squid({.extra_config = {"dns_timeout banana"}});
    ADD_FAILURE() << "squid started with a broken config";
  } catch (const std::runtime_error& e) {
    EXPECT_THAT(e.what(), ::testing::HasSubstr("Bungled"));
  }
}

TEST(ChildProcessSupportTest, WatchdogKillsChildWhenOwnerDiesWithoutCleanup) {
  TempDir dir;
  std::array<int, 2> channel{};
  ASSERT_EQ(::pipe(channel.data()), 0);
  const pid_t owner = ::fork();
  ASSERT_GE(owner, 0);
  if (owner == 0) {
    // The owner "crashes": it leaks its ChildProcess and exits without running any destructor.
    auto* child = new ChildProcess({"sleep", "60"}, dir.path() / "sleep.log");
    const pid_t pid = child->pid();
    ::_exit(::write(channel[1], &pid, sizeof pid) == sizeof pid ? 0 : 1);
  }
  ::close(channel[1]);
  pid_t orphan = 0;
  ASSERT_EQ(::read(channel[0], &orphan, sizeof orphan), static_cast<ssize_t>(sizeof orphan));
  ::close(channel[0]);
  int status = 0;
  ASSERT_EQ(::waitpid(owner, &status, 0), owner);
  EXPECT_TRUE(wait_until(
      [&] {
        const char state = process_state(orphan);
        return state == '\0' || state == 'Z';
      },
      5s));
}

TEST(FakeProxySupportTest, MisbehavesAsScripted) {
  using Behavior = FakeProxy::Behavior;
  const auto tunnel = [](Behavior behavior, std::string then_send = "") {
    FakeProxy proxy({.behavior = behavior});
    return run_with_deadline(open_tunnel(proxy.port(), 500ms, std::move(then_send)));
  };
  EXPECT_EQ(tunnel(Behavior::kNeverAnswer).head_error, beast::error::timeout);
  EXPECT_EQ(tunnel(Behavior::kCloseBeforeAnswer).head_error, http::error::end_of_stream);
  EXPECT_EQ(tunnel(Behavior::kGarbageStatus).head_error, http::error::bad_status);
  EXPECT_EQ(tunnel(Behavior::kEndlessHeaders).head_error, http::error::header_limit);
  const TunnelEnd silent = tunnel(Behavior::kOkThenSilent, "\x16");
  EXPECT_EQ(silent.status, 200u);
  EXPECT_EQ(silent.tunnel_error, beast::error::timeout);
  const TunnelEnd reset = tunnel(Behavior::kResetAfterConnect);
  EXPECT_EQ(reset.status, 200u);
  EXPECT_EQ(reset.tunnel_error, asio::error::connection_reset);
  const TunnelEnd hello_reset = tunnel(Behavior::kResetOnClientHello, "\x16\x03\x01");
  EXPECT_EQ(hello_reset.status, 200u);
  EXPECT_EQ(hello_reset.tunnel_error, asio::error::connection_reset);
}

TEST(RunProcessSupportTest, CapturesOutputAndExitCode) {
  const ProcessResult result =
      run_process({"sh", "-c", "echo out; echo \"$PW_EXTRA\" >&2; exit 3"}, {{"PW_EXTRA", "err"}});
  EXPECT_FALSE(result.timed_out);
  EXPECT_EQ(result.exit_code, 3);
  EXPECT_EQ(result.out, "out\n");
  EXPECT_EQ(result.err, "err\n");
}

TEST(RunProcessSupportTest, KillsChildAtTimeout) {
  const auto start = std::chrono::steady_clock::now();
  const ProcessResult result = run_process({"sleep", "30"}, {}, 200ms);
  EXPECT_TRUE(result.timed_out);
  EXPECT_EQ(result.signal, SIGKILL);
  EXPECT_FALSE(result.exit_code.has_value());
  EXPECT_LT(std::chrono::steady_clock::now() - start, 5s);
}

TEST(RunProcessSupportTest, ThrowsWhenProgramIsMissing) {
  EXPECT_THROW(run_process({"/nonexistent/proxywatch-no-such-program"}), std::runtime_error);
}

}  // namespace
}  // namespace proxywatch::testing
