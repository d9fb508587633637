// `proxywatch check --json` (docs/json.md): every documented key present, numbers integers
// only with the unit in the key (durations in µs, times in ms since the epoch), null for what
// is not known, nested objects for TLS, TCP_INFO and authentication, and never a password.
#include "common/output/print/result_json.h"

#include <gtest/gtest.h>

#include <boost/json/serialize.hpp>

#include <string>

namespace proxywatch {
namespace {

namespace json = boost::json;
using namespace std::chrono_literals;

ProbeSpec spec() {
  ProbeSpec s;
  s.proxy = {"10.10.10.1", 80};
  s.target = {"tools.cisco.com", 443};
  s.credentials = ProxyCredentials{"fmc-user", "Pw 99;secret"};
  return s;
}

// A passed probe that authenticated with Digest and downloaded 1500 of 2000 announced bytes.
ProbeResult passed() {
  ProbeResult r;
  r.phases[static_cast<std::size_t>(Phase::kTcpConnect)] = Seconds(0.0021234);
  r.phases[static_cast<std::size_t>(Phase::kProxyConnect)] = Seconds(0.0305);
  r.close_duration = Seconds(0.0004);
  r.total = Seconds(1.5);
  r.started = std::chrono::system_clock::time_point(1'700'000'000'123ms);
  r.proxy_address = "10.10.10.1:80";
  r.connect_status = 200;
  r.connect_reason = "Connection established";
  r.auth_schemes = {"Digest", "Basic"};
  r.auth_scheme = "Digest SHA-256";
  r.auth_attempts = 2;
  r.auth_reconnects = 1;
  r.tls.version = "TLSv1.3";
  r.tls.subject = "CN=tools.cisco.com";
  r.tls.not_after = 1767225600;
  r.http_status = 200;
  r.bytes = 1500;
  r.content_length = 2000;
  r.throughput_bytes_per_s = 12345.6;
  r.tcp_after_connect = TcpInfo{.rtt_us = 800, .snd_mss = 1448, .pmtu = 1500};
  r.tcp_at_end = TcpInfo{.rtt_us = 900, .retransmits = 2};
  r.peer_close = PeerClose::kFin;
  r.diagnosis = "The tunnel works.";
  return r;
}

// Whether `value` holds a double anywhere (the integers-only rule).
bool has_double(const json::value& value) {
  if (value.is_double()) return true;
  if (value.is_array()) {
    for (const auto& item : value.as_array()) {
      if (has_double(item)) return true;
    }
  }
  if (value.is_object()) {
    for (const auto& [key, item] : value.as_object()) {
      if (has_double(item)) return true;
    }
  }
  return false;
}

TEST(ResultJsonTest, EveryDocumentedKeyIsPresent) {
  const json::object o = to_json(passed(), spec()).as_object();
  for (const char* key : {"proxy",
                          "proxy_address",
                          "target",
                          "expect",
                          "outcome",
                          "phase",
                          "ok",
                          "phases_us",
                          "close_us",
                          "total_us",
                          "started_unix_ms",
                          "connect_status",
                          "connect_reason",
                          "error_source",
                          "auth_schemes",
                          "auth",
                          "tls",
                          "http_status",
                          "bytes",
                          "content_length",
                          "throughput_bytes_per_second",
                          "tcp",
                          "tcp_after_connect",
                          "peer_close",
                          "error",
                          "diagnosis"}) {
    EXPECT_TRUE(o.contains(key)) << key;
  }
}

TEST(ResultJsonTest, PassedProbeValuesWithTheirUnits) {
  const json::value v = to_json(passed(), spec());
  EXPECT_EQ(v.at("proxy").as_string(), "10.10.10.1:80");
  EXPECT_EQ(v.at("target").as_string(), "tools.cisco.com:443");
  EXPECT_EQ(v.at("expect").as_string(), "ok");
  EXPECT_EQ(v.at("outcome").as_string(), "ok");
  EXPECT_TRUE(v.at("phase").is_null());
  EXPECT_TRUE(v.at("ok").as_bool());
  EXPECT_EQ(v.at("phases_us").at("tcp_connect").as_int64(), 2123);
  EXPECT_EQ(v.at("phases_us").at("proxy_connect").as_int64(), 30500);
  EXPECT_FALSE(v.at("phases_us").as_object().contains("dns")) << "a phase that did not run";
  EXPECT_EQ(v.at("close_us").as_int64(), 400);
  EXPECT_EQ(v.at("total_us").as_int64(), 1'500'000);
  EXPECT_EQ(v.at("started_unix_ms").as_int64(), 1'700'000'000'123);
  EXPECT_EQ(v.at("connect_status").to_number<int>(), 200);
  EXPECT_EQ(v.at("http_status").to_number<int>(), 200);
  EXPECT_EQ(v.at("bytes").to_number<int>(), 1500);
  EXPECT_EQ(v.at("content_length").to_number<int>(), 2000);
  EXPECT_EQ(v.at("throughput_bytes_per_second").as_int64(), 12346);
  EXPECT_EQ(v.at("peer_close").as_string(), "fin");
  EXPECT_EQ(v.at("diagnosis").as_string(), "The tunnel works.");
  EXPECT_FALSE(has_double(v)) << json::serialize(v);
}

TEST(ResultJsonTest, AuthenticationIsAnObjectWithoutThePassword) {
  const json::value v = to_json(passed(), spec());
  EXPECT_EQ(json::serialize(v.at("auth_schemes")), R"(["Digest","Basic"])");
  const json::value& auth = v.at("auth");
  EXPECT_EQ(auth.at("scheme").as_string(), "Digest SHA-256");
  EXPECT_EQ(auth.at("attempts").to_number<int>(), 2);
  EXPECT_FALSE(auth.at("stale_retry").as_bool());
  EXPECT_EQ(auth.at("reconnects").to_number<int>(), 1);
  const std::string text = json::serialize(v);
  EXPECT_EQ(text.find("Pw 99"), std::string::npos) << text;
  EXPECT_EQ(text.find("secret"), std::string::npos) << text;
}

TEST(ResultJsonTest, TlsAndTcpObjectsHoldNullForWhatIsUnknown) {
  const json::value v = to_json(passed(), spec());
  const json::value& tls = v.at("tls");
  EXPECT_EQ(tls.at("version").as_string(), "TLSv1.3");
  EXPECT_TRUE(tls.at("cipher").is_null());
  EXPECT_TRUE(tls.at("issuer").is_null());
  EXPECT_TRUE(tls.at("verify_error").is_null());
  EXPECT_EQ(tls.at("not_after").as_int64(), 1767225600);
  // "tcp" is the last snapshot; "tcp_after_connect" the first.
  EXPECT_EQ(v.at("tcp").at("rtt_us").to_number<int>(), 900);
  EXPECT_EQ(v.at("tcp").at("retransmits").to_number<int>(), 2);
  EXPECT_EQ(v.at("tcp_after_connect").at("snd_mss").to_number<int>(), 1448);
  EXPECT_EQ(v.at("tcp_after_connect").at("pmtu").to_number<int>(), 1500);
  for (const char* key : {"rtt_us", "rttvar_us", "retransmits", "snd_mss", "rcv_mss", "pmtu"}) {
    EXPECT_TRUE(v.at("tcp").as_object().contains(key)) << key;
  }
}

TEST(ResultJsonTest, FailedProbeHasItsPhaseAndNullsForWhatNeverHappened) {
  ProbeResult r;
  r.outcome = Outcome::kTcpRefused;
  r.phase = Phase::kTcpConnect;
  r.phases[static_cast<std::size_t>(Phase::kTcpConnect)] = Seconds(0.0001);
  r.error = "Connection refused";
  ProbeSpec s = spec();
  s.expect_denied = true;
  const json::value v = to_json(r, s);
  EXPECT_EQ(v.at("outcome").as_string(), "tcp_refused");
  EXPECT_EQ(v.at("phase").as_string(), "tcp_connect");
  EXPECT_FALSE(v.at("ok").as_bool());
  EXPECT_EQ(v.at("expect").as_string(), "denied");
  EXPECT_EQ(v.at("error").as_string(), "Connection refused");
  for (const char* key : {"proxy_address", "connect_status", "connect_reason", "error_source",
                          "auth", "http_status", "content_length", "tcp", "tcp_after_connect"}) {
    EXPECT_TRUE(v.at(key).is_null()) << key;
  }
  EXPECT_TRUE(v.at("auth_schemes").as_array().empty());
  EXPECT_TRUE(v.at("tls").at("not_after").is_null());
  EXPECT_EQ(v.at("bytes").to_number<int>(), 0);
  EXPECT_EQ(v.at("peer_close").as_string(), "not_seen");
  EXPECT_FALSE(has_double(v)) << json::serialize(v);
}

TEST(ResultJsonTest, ProxyErrorAnswerNamesWhoProducedIt) {
  ProbeResult r;
  r.outcome = Outcome::kProxyDenied;
  r.phase = Phase::kProxyConnect;
  r.connect_status = 403;
  r.connect_reason = "Forbidden";
  r.error_source = "squid/5.7";
  const json::value v = to_json(r, spec());
  EXPECT_EQ(v.at("connect_status").to_number<int>(), 403);
  EXPECT_EQ(v.at("connect_reason").as_string(), "Forbidden");
  EXPECT_EQ(v.at("error_source").as_string(), "squid/5.7");
}

TEST(ResultJsonTest, NamedAnswersCarryTheirEvidence) {
  ProbeResult r;
  r.outcome = Outcome::kProxyError;
  r.phase = Phase::kTlsHandshake;
  r.tunnel_answer = TunnelAnswer{.status = 302, .reason = "Found", .location = "http://p/"};
  r.tls.not_before = 1767225600;
  r.tls.date_fault = CertDateFault::kExpired;
  const json::value v = to_json(r, spec());
  EXPECT_EQ(v.at("tunnel_answer").at("status").to_number<int>(), 302);
  EXPECT_EQ(v.at("tunnel_answer").at("location").as_string(), "http://p/");
  EXPECT_TRUE(v.at("tunnel_answer").at("server").is_null());
  EXPECT_FALSE(v.at("proxy_speaks_tls").as_bool());
  EXPECT_EQ(v.at("tls").at("not_before").as_int64(), 1767225600);
  EXPECT_EQ(v.at("tls").at("date_fault").as_string(), "expired");
  EXPECT_TRUE(to_json(passed(), spec()).at("tunnel_answer").is_null());
  EXPECT_EQ(to_json(passed(), spec()).at("tls").at("date_fault").as_string(), "none");
}

}  // namespace
}  // namespace proxywatch
