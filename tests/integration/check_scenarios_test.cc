// Every single-probe scenario of DESIGN.md through the real `proxywatch check --json`: real
// squid with an ACL and a hosts file, a TLS origin with a CA made by the test, and scripted
// misbehaving proxies. Each test asserts the exact outcome and phase.
#include <gtest/gtest.h>
#include <boost/json.hpp>

#include <filesystem>
#include <memory>
#include <optional>
#include <regex>
#include <vector>

#include "tests/support/fake_proxy.h"
#include "tests/support/json_doubles.h"
#include "tests/support/process.h"
#include "tests/support/squid.h"
#include "tests/support/temp_dir.h"
#include "tests/support/test_pki.h"
#include "tests/support/tls_origin.h"

namespace proxywatch {
namespace {

namespace json = boost::json;
using testing::FakeProxy;
using testing::find_doubles;

using Behavior = FakeProxy::Behavior;

struct CheckRun {
  int exit_code = -1;
  json::object result;
  std::string err;

  std::string str(std::string_view key) const {
    const json::value* v = result.if_contains(key);
    return v && v->is_string() ? std::string(v->as_string()) : std::string();
  }
  std::int64_t num(std::string_view key) const {
    const json::value* v = result.if_contains(key);
    return v && v->is_int64()
               ? v->as_int64()
               : (v && v->is_uint64() ? static_cast<std::int64_t>(v->as_uint64()) : -1);
  }
  double phase_seconds(std::string_view phase) const {
    const json::value* v = result.at("phases_us").as_object().if_contains(phase);
    return v ? v->to_number<double>() / 1e6 : -1;
  }
  double total_seconds() const { return result.at("total_us").to_number<double>() / 1e6; }
};

// One origin, one squid and two CAs (the shared PKI's) for the whole suite: starting squid
// takes about a second.
class CheckScenarioTest : public ::testing::Test {
 protected:
  static void SetUpTestSuite() {
    const testing::SharedPki& pki = testing::shared_pki();
    ca_file_ = pki.ca.cert_file.string();
    ca_subject_ = pki.ca.subject;
    origin_ = std::make_unique<testing::TlsOrigin>();
    rogue_origin_ = std::make_unique<testing::TlsOrigin>(pki.inspected_origin);
  }
  // Started on first use: ctest runs each test in a process of its own; a third need squid.
  static testing::Squid& squid() {
    if (!squid_) {
      squid_ = std::make_unique<testing::Squid>(testing::Squid::Options{
          .hosts = {{"origin.test", "127.0.0.1"}, {"blocked.test", "127.0.0.1"}},
          .denied_domains = {"blocked.test"}});
    }
    return *squid_;
  }
  static void TearDownTestSuite() {
    squid_.reset();
    origin_.reset();
    rogue_origin_.reset();
  }

  static std::string origin(std::uint16_t port) { return "origin.test:" + std::to_string(port); }
  static std::string local(std::uint16_t port) { return "127.0.0.1:" + std::to_string(port); }

  // Runs `proxywatch check --json` with `args` plus the test CA and short deadlines.
  static CheckRun check(std::vector<std::string> args) {
    std::vector<std::string> argv = {PROXYWATCH_BINARY, "check", "--json", "--ca-file", ca_file_};
    argv.insert(argv.end(), args.begin(), args.end());
    auto run = testing::run_process(argv, {}, std::chrono::seconds(30));
    CheckRun out;
    out.exit_code = run.exit_code.value_or(-1);
    out.err = run.err;
    boost::system::error_code ec;
    json::value parsed = json::parse(run.out, ec);
    if (!ec && parsed.is_object()) out.result = parsed.as_object();
    EXPECT_FALSE(ec) << "stdout: " << run.out << "\nstderr: " << run.err;
    // Every scenario's output: plain decimals only, never exponent notation.
    std::vector<std::string> doubles;
    find_doubles(parsed, "", doubles);
    EXPECT_TRUE(doubles.empty()) << ::testing::PrintToString(doubles) << "\n" << run.out;
    static const std::regex kExponent("[0-9][eE][+-]?[0-9]");
    std::string numbers_only =
        std::regex_replace(run.out, std::regex(R"("(\\.|[^"\\])*")"), "\"\"");
    EXPECT_FALSE(std::regex_search(numbers_only, kExponent)) << run.out;
    return out;
  }

  static CheckRun check_fake(FakeProxy::Options options, std::vector<std::string> extra = {}) {
    FakeProxy proxy(std::move(options));
    std::vector<std::string> args = {
        "--proxy", local(proxy.port()), "--target", origin(origin_->port()), "--timeout",
        "2",       "--stall",           "1"};
    args.insert(args.end(), extra.begin(), extra.end());
    return check(args);
  }

  static void expect_outcome(const CheckRun& run, std::string_view outcome,
                             std::string_view phase) {
    EXPECT_EQ(run.str("outcome"), outcome) << json::serialize(run.result);
    EXPECT_EQ(run.str("phase"), phase) << json::serialize(run.result);
    EXPECT_EQ(run.exit_code, outcome == "ok" ? 0 : 1);
    EXPECT_FALSE(run.str("diagnosis").empty());
  }

  static inline std::unique_ptr<testing::TlsOrigin> origin_;
  static inline std::unique_ptr<testing::TlsOrigin> rogue_origin_;
  static inline std::unique_ptr<testing::Squid> squid_;
  static inline std::string ca_file_;
  static inline std::string ca_subject_;
};

TEST_F(CheckScenarioTest, HealthyTunnelThroughSquidWithRedirectFromOrigin) {
  auto run = check({"--proxy", local(squid().port()), "--target", origin(origin_->port()),
                    "--request", "HEAD /"});
  expect_outcome(run, "ok", "");
  EXPECT_EQ(run.num("connect_status"), 200);
  EXPECT_EQ(run.num("http_status"), 302);  // the guide's tools.cisco.com answers 302
  EXPECT_EQ(run.result.at("tls").at("issuer").as_string(), ca_subject_);
  EXPECT_EQ(run.result.at("tls").at("version").as_string(), "TLSv1.3");
  EXPECT_GT(run.result.at("tls").at("not_after").to_number<double>(), 0);
  EXPECT_GT(run.result.at("tcp").at("snd_mss").to_number<double>(), 0);
  for (auto phase :
       {"tcp_connect", "proxy_connect", "tls_handshake", "http_first_byte", "transfer"}) {
    EXPECT_GE(run.phase_seconds(phase), 0) << phase;
  }
  EXPECT_LT(run.phase_seconds("proxy_connect"), run.total_seconds());
}

TEST_F(CheckScenarioTest, DownloadThroughSquidCountsBytes) {
  auto run = check({"--proxy", local(squid().port()), "--target", origin(origin_->port()),
                    "--request", "GET /bytes/200000"});
  expect_outcome(run, "ok", "");
  EXPECT_EQ(run.num("http_status"), 200);
  EXPECT_EQ(run.num("bytes"), 200000);
  EXPECT_EQ(run.num("content_length"), 200000);
}

TEST_F(CheckScenarioTest, MaxBytesStopsTheDownloadEarlyAndPasses) {
  auto run = check({"--proxy", local(squid().port()), "--target", origin(origin_->port()),
                    "--request", "GET /bytes/500000", "--max-bytes", "10000"});
  expect_outcome(run, "ok", "");
  EXPECT_GE(run.num("bytes"), 10000);
  EXPECT_LT(run.num("bytes"), 500000);
}

TEST_F(CheckScenarioTest, SquidAclDenyIsProxyDeniedWithSquidAsSource) {
  auto run = check({"--proxy", local(squid().port()), "--target",
                    "blocked.test:" + std::to_string(origin_->port())});
  expect_outcome(run, "proxy_denied", "proxy_connect");
  EXPECT_EQ(run.num("connect_status"), 403);
  EXPECT_NE(run.str("error_source").find("ERR_ACCESS_DENIED"), std::string::npos);
  const json::value& squid = run.result.at("squid_error");
  EXPECT_EQ(squid.at("code").as_string(), "ERR_ACCESS_DENIED") << json::serialize(run.result);
  const json::value& page = run.result.at("answer_page");
  ASSERT_TRUE(page.is_object()) << json::serialize(run.result);
  EXPECT_NE(page.at("content_type").as_string().find("text/html"), std::string::npos);
  EXPECT_GT(page.at("bytes").to_number<std::int64_t>(), 0);
}

// Squid's 503 for a refused connection is the destination failing, not overload.
TEST_F(CheckScenarioTest, SquidClosedOriginPortIsProxyUpstreamFailed) {
  auto run = check({"--proxy", local(squid().port()), "--target", "origin.test:1"});
  expect_outcome(run, "proxy_upstream_failed", "proxy_connect");
  EXPECT_EQ(run.num("connect_status"), 503);
  EXPECT_NE(run.str("error_source").find("ERR_CONNECT_FAIL"), std::string::npos);
  EXPECT_NE(run.str("diagnosis").find("Connection refused (errno 111)"), std::string::npos)
      << run.str("diagnosis");
}

TEST_F(CheckScenarioTest, NegativeProbePassesOnDenyAndFailsWhenTunnelOpens) {
  auto denied = check({"--proxy", local(squid().port()), "--target",
                       "blocked.test:" + std::to_string(origin_->port()), "--expect-denied"});
  expect_outcome(denied, "ok", "");
  EXPECT_EQ(denied.num("connect_status"), 403);
  auto open = check(
      {"--proxy", local(squid().port()), "--target", origin(origin_->port()), "--expect-denied"});
  expect_outcome(open, "tunnel_not_denied", "proxy_connect");
}

TEST_F(CheckScenarioTest, TargetNameGoesUnresolvedIntoTheConnectLine) {
  FakeProxy proxy({.behavior = Behavior::kStatus, .status_line = "HTTP/1.1 403 Forbidden"});
  check({"--proxy", local(proxy.port()), "--target", "only-the-proxy-knows.test:8443"});
  auto requests = proxy.requests();
  ASSERT_EQ(requests.size(), 1u);
  EXPECT_TRUE(requests[0].starts_with("CONNECT only-the-proxy-knows.test:8443 HTTP/1.1\r\n"))
      << requests[0];
  EXPECT_NE(requests[0].find("Host: only-the-proxy-knows.test:8443\r\n"), std::string::npos);
  EXPECT_NE(requests[0].find("Proxy-Connection: Keep-Alive\r\n"), std::string::npos);
}

TEST_F(CheckScenarioTest, BadGatewayAndGatewayTimeoutAreUpstreamFailed) {
  for (auto status : {"HTTP/1.1 502 Bad Gateway", "HTTP/1.1 504 Gateway Timeout"}) {
    auto run = check_fake({.behavior = Behavior::kStatus, .status_line = status});
    expect_outcome(run, "proxy_upstream_failed", "proxy_connect");
  }
}

TEST_F(CheckScenarioTest, OtherStatusIsProxyError) {
  auto run = check_fake({.behavior = Behavior::kStatus, .status_line = "HTTP/1.1 400 Bad Request"});
  expect_outcome(run, "proxy_error", "proxy_connect");
  EXPECT_EQ(run.num("connect_status"), 400);
}

TEST_F(CheckScenarioTest, AuthRequiredRecordsOfferedSchemes) {
  auto run = check_fake({.behavior = Behavior::kStatus,
                         .status_line = "HTTP/1.1 407 Proxy Authentication Required",
                         .extra_headers = {R"(Proxy-Authenticate: Digest realm="r", nonce="n")",
                                           R"(Proxy-Authenticate: Basic realm="r")"}});
  expect_outcome(run, "proxy_auth_required", "proxy_connect");
  auto schemes = run.result.at("auth_schemes").as_array();
  ASSERT_EQ(schemes.size(), 2u);
  EXPECT_EQ(schemes[0].as_string(), "Digest");
  EXPECT_EQ(schemes[1].as_string(), "Basic");
}

TEST_F(CheckScenarioTest, NtlmOnlyProxyIsAuthUnsupported) {
  auto run =
      check_fake({.behavior = Behavior::kStatus,
                  .status_line = "HTTP/1.1 407 Proxy Authentication Required",
                  .extra_headers = {"Proxy-Authenticate: NTLM", "Proxy-Authenticate: Negotiate"}});
  expect_outcome(run, "proxy_auth_unsupported", "proxy_connect");
  EXPECT_NE(run.str("diagnosis").find("NTLM"), std::string::npos);
}

TEST_F(CheckScenarioTest, ProxyThatNeverAnswersIsStalledWithinItsDeadline) {
  auto run = check_fake({.behavior = Behavior::kNeverAnswer});
  expect_outcome(run, "proxy_stalled", "proxy_connect");
  EXPECT_GE(run.phase_seconds("proxy_connect"), 1.9);
  EXPECT_LT(run.total_seconds(), 15);
}

TEST_F(CheckScenarioTest, ProxyClosingBeforeAnswerIsProxyClosed) {
  auto run = check_fake({.behavior = Behavior::kCloseBeforeAnswer});
  expect_outcome(run, "proxy_closed", "proxy_connect");
  EXPECT_EQ(run.str("peer_close"), "fin");
}

TEST_F(CheckScenarioTest, OkThenNothingRelayedIsTlsStalled) {
  auto run = check_fake({.behavior = Behavior::kOkThenSilent});
  expect_outcome(run, "tls_stalled", "tls_handshake");
  EXPECT_EQ(run.num("connect_status"), 200);
  EXPECT_GE(run.phase_seconds("tls_handshake"), 1.9);
}

TEST_F(CheckScenarioTest, ResetAfterConnectIsTlsReset) {
  auto run = check_fake({.behavior = Behavior::kResetAfterConnect});
  expect_outcome(run, "tls_reset", "tls_handshake");
  EXPECT_EQ(run.str("peer_close"), "rst");
}

TEST_F(CheckScenarioTest, ResetOnClientHelloIsTlsReset) {
  auto run = check_fake({.behavior = Behavior::kResetOnClientHello});
  expect_outcome(run, "tls_reset", "tls_handshake");
  EXPECT_EQ(run.str("peer_close"), "rst");
}

TEST_F(CheckScenarioTest, GarbageStatusLineIsProtocolError) {
  auto run = check_fake({.behavior = Behavior::kGarbageStatus});
  expect_outcome(run, "proxy_protocol_error", "proxy_connect");
  auto binary = check_fake({.behavior = Behavior::kGarbageStatus,
                            .status_line = std::string("\x16\x03\x01\x00\x05hello", 10)});
  expect_outcome(binary, "proxy_protocol_error", "proxy_connect");
}

TEST_F(CheckScenarioTest, BlockPageInsideTheTunnelIsDeniedInTheHandshake) {
  auto run = check_fake({.behavior = Behavior::kHttpOnClientHello,
                         .status_line = "HTTP/1.1 403 Forbidden",
                         .extra_headers = {"Server: BlockBox"}});
  expect_outcome(run, "proxy_denied", "tls_handshake");
  EXPECT_NE(run.str("diagnosis").find("\"HTTP/1.1 403 Forbidden\""), std::string::npos)
      << run.str("diagnosis");
  const json::object& answer = run.result.at("tunnel_answer").as_object();
  EXPECT_EQ(answer.at("status").to_number<int>(), 403);
  EXPECT_EQ(answer.at("server").as_string(), "BlockBox");
  EXPECT_EQ(run.result.at("proxy_speaks_tls").as_bool(), false);
}

TEST_F(CheckScenarioTest, Ipv6ProxyWithoutBracketsShowsTheFix) {
  auto run = testing::run_process(
      {PROXYWATCH_BINARY, "check", "--proxy", "::1:3161", "--target", "origin.test"}, {},
      std::chrono::seconds(30));
  EXPECT_EQ(run.exit_code.value_or(-1), 2);
  EXPECT_NE(run.err.find("write an IPv6 address with a port in brackets: [::1]:3161"),
            std::string::npos)
      << run.err;
}

TEST_F(CheckScenarioTest, EndlessHeadersAreCappedAsProtocolError) {
  auto run = check_fake({.behavior = Behavior::kEndlessHeaders});
  expect_outcome(run, "proxy_protocol_error", "proxy_connect");
  EXPECT_NE(run.str("error").find("header limit"), std::string::npos) << run.str("error");
}

TEST_F(CheckScenarioTest, DownloadCutShortIsIncomplete) {
  auto run = check_fake({.behavior = Behavior::kRelay, .upstream_port = origin_->port()},
                        {"--request", "GET /cut/100000"});
  expect_outcome(run, "http_incomplete", "transfer");
  EXPECT_EQ(run.num("content_length"), 100000);
  EXPECT_LT(run.num("bytes"), 100000);
}

TEST_F(CheckScenarioTest, DownloadGoingSilentIsHttpStalled) {
  auto run = check_fake({.behavior = Behavior::kRelay, .upstream_port = origin_->port()},
                        {"--request", "GET /silent/100000"});
  expect_outcome(run, "http_stalled", "transfer");
  EXPECT_GT(run.num("bytes"), 0);
  EXPECT_LT(run.num("bytes"), 100000);
  EXPECT_GE(run.phase_seconds("transfer"), 0.9);
}

TEST_F(CheckScenarioTest, SlowDownloadAtItsDeadlineIsNotCalledSilent) {
  // 100 bytes every 50 ms never trip the 1 s stall timer; the 2 s transfer deadline ends it.
  auto run = check_fake({.behavior = Behavior::kRelay, .upstream_port = origin_->port()},
                        {"--request", "GET /drip/1000000"});
  expect_outcome(run, "http_stalled", "transfer");
  EXPECT_GT(run.num("bytes"), 1000);
  std::string diagnosis = run.str("diagnosis");
  EXPECT_EQ(diagnosis.find("went silent"), std::string::npos) << diagnosis;
  EXPECT_NE(diagnosis.find("transfer deadline (2 s)"), std::string::npos) << diagnosis;
  EXPECT_NE(diagnosis.find("still arriving"), std::string::npos) << diagnosis;
}

TEST_F(CheckScenarioTest, MalformedAnswerIsNamedAsSuchNotAsAClose) {
  auto run = check_fake({.behavior = Behavior::kRelay, .upstream_port = origin_->port()},
                        {"--request", "GET /bad-length"});
  expect_outcome(run, "http_incomplete", "transfer");
  std::string diagnosis = run.str("diagnosis");
  EXPECT_EQ(diagnosis.find("closed after"), std::string::npos) << diagnosis;
  EXPECT_NE(diagnosis.find("malformed HTTP answer"), std::string::npos) << diagnosis;
}

TEST_F(CheckScenarioTest, MaxBytesZeroStillParsesTheAnswer) {
  auto bad = check_fake({.behavior = Behavior::kRelay, .upstream_port = origin_->port()},
                        {"--request", "GET /bad-length", "--max-bytes", "0"});
  expect_outcome(bad, "http_incomplete", "transfer");
  auto error = check({"--proxy", local(squid().port()), "--target", origin(origin_->port()),
                      "--request", "GET /status/500", "--max-bytes", "0"});
  expect_outcome(error, "http_error", "transfer");
  auto good = check({"--proxy", local(squid().port()), "--target", origin(origin_->port()),
                     "--request", "GET /bytes/5000", "--max-bytes", "0"});
  expect_outcome(good, "ok", "");
  EXPECT_EQ(good.num("http_status"), 200);
}

TEST_F(CheckScenarioTest, OriginErrorStatusIsHttpError) {
  auto run = check({"--proxy", local(squid().port()), "--target", origin(origin_->port()),
                    "--request", "GET /status/500"});
  expect_outcome(run, "http_error", "transfer");
  EXPECT_EQ(run.num("http_status"), 500);
}

TEST_F(CheckScenarioTest, CertificateFromUntrustedCaIsVerifyFailedWithItsIssuer) {
  auto run = check_fake({.behavior = Behavior::kRelay, .upstream_port = rogue_origin_->port()});
  expect_outcome(run, "tls_verify_failed", "tls_handshake");
  EXPECT_EQ(run.result.at("tls").at("issuer").as_string(), "CN=inspecting proxy CA");
  EXPECT_FALSE(run.result.at("tls").at("verify_error").as_string().empty());
}

TEST_F(CheckScenarioTest, WrongNameOnCertificateIsVerifyFailed) {
  FakeProxy proxy({.behavior = Behavior::kRelay, .upstream_port = origin_->port()});
  auto run = check({"--proxy", local(proxy.port()), "--target", "other-name.test:443"});
  expect_outcome(run, "tls_verify_failed", "tls_handshake");
  EXPECT_NE(run.result.at("tls").at("verify_error").as_string().find("mismatch"),
            std::string::npos);
}

TEST_F(CheckScenarioTest, NothingListeningIsTcpRefused) {
  std::uint16_t port = 0;
  {
    FakeProxy gone({.behavior = Behavior::kNeverAnswer});
    port = gone.port();
  }
  auto run = check({"--proxy", local(port), "--target", origin(origin_->port())});
  expect_outcome(run, "tcp_refused", "tcp_connect");
  // A socket that never connected has no TCP evidence (not rtt 0, mss 524, rttvar 250 ms).
  EXPECT_TRUE(run.result.at("tcp").is_null()) << run.result;
  EXPECT_TRUE(run.result.at("tcp_after_connect").is_null()) << run.result;
}

}  // namespace
}  // namespace proxywatch
