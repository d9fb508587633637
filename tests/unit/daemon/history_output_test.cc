// What `proxywatch history` prints, from reports built in memory: the summary per pair (counts,
// outcomes, median and p95, "failing since …" with its diagnosis), the failures list, the JSON
// of /history.json (integers only) and the CSV (RFC 4180 quoting).
#include <gtest/gtest.h>

#include <boost/json.hpp>

#include "common/output/json/json_fields.h"
#include "daemon/history_export.h"
#include "daemon/history_text.h"
#include "tests/support/json_doubles.h"

namespace proxywatch {
namespace {

using namespace std::chrono_literals;
namespace json = boost::json;

// 2026-12-04T00:00:00Z.
const WallTime kOutputDay =
    WallTime(std::chrono::sys_days(std::chrono::year(2026) / std::chrono::December / 4));
const std::string kOutputProxy = "10.0.0.1:3128";

ProbeRecord output_probe(std::string target, WallTime at, Outcome outcome, double ms) {
  ProbeRecord p{.at = at,
                .proxy = kOutputProxy,
                .target = std::move(target),
                .service = Service::kLicensing,
                .outcome = outcome};
  p.phase_us[static_cast<std::size_t>(Phase::kTcpConnect)] = static_cast<std::int64_t>(ms * 1000);
  if (outcome != Outcome::kOk) {
    p.phase = Phase::kProxyConnect;
    p.connect_status = 403;
    p.diagnosis = "The proxy refused the tunnel, said \"no\" (403)";
  }
  return p;
}

// tools: 2 passed, 2 denied, failing since 02:03 with acl_block; smart: 1 passed, healthy.
HistoryReport output_report() {
  HistoryReport r;
  r.query.from = kOutputDay;
  r.query.to = kOutputDay + 24h;
  r.pairs = {{kOutputProxy, "smart", Service::kLicensing},
             {kOutputProxy, "tools", Service::kLicensing},
             {kOutputProxy, "quiet", Service::kAmp}};
  r.probes = {output_probe("tools", kOutputDay + 1h, Outcome::kOk, 100),
              output_probe("smart", kOutputDay + 1h, Outcome::kOk, 50),
              output_probe("tools", kOutputDay + 2h, Outcome::kOk, 300),
              output_probe("tools", kOutputDay + 2h + 3min, Outcome::kProxyDenied, 20),
              output_probe("tools", kOutputDay + 2h + 4min, Outcome::kProxyDenied, 20)};
  r.health = {
      {kOutputProxy, "tools", HealthState::kHealthy, kOutputDay - 2h, kOutputDay + 2h + 3min},
      {kOutputProxy, "tools", HealthState::kFailing, kOutputDay + 2h + 3min, {}},
      {kOutputProxy, "smart", HealthState::kHealthy, kOutputDay + 1h, {}}};
  r.diagnoses = {{.proxy = kOutputProxy,
                  .target = "tools",
                  .diagnosis = Diagnosis::kAclBlock,
                  .from = kOutputDay + 2h + 3min,
                  .evidence = {.summary = "3 of 3 probes refused with 403"}}};
  return r;
}

bool output_has(const std::string& text, std::string_view part) {
  return text.find(part) != std::string::npos;
}

TEST(HistoryOutputTest, SummaryCountsEachPairWithData) {
  auto pairs = summarize_history(output_report());
  ASSERT_EQ(pairs.size(), 2u);  // quiet has neither probes nor intervals
  EXPECT_EQ(pairs[0].target, "smart");
  const PairSummary& tools = pairs[1];
  EXPECT_EQ(tools.probes, 4u);
  EXPECT_EQ(tools.failures, 2u);
  ASSERT_EQ(tools.outcomes.size(), 2u);
  EXPECT_EQ(tools.outcomes[0], std::pair(Outcome::kOk, std::size_t{2}));
  EXPECT_EQ(tools.outcomes[1], std::pair(Outcome::kProxyDenied, std::size_t{2}));
  // Of the passed probes only: 100 and 300 ms.
  EXPECT_DOUBLE_EQ(*tools.median_seconds, 0.1);
  EXPECT_DOUBLE_EQ(*tools.p95_seconds, 0.3);
  EXPECT_EQ(tools.health.size(), 2u);
  EXPECT_EQ(tools.diagnoses.size(), 1u);
}

TEST(HistoryOutputTest, TextSaysSinceWhenAndHowOften) {
  std::string text = format_history_text(output_report(), "/var/lib/proxywatch/history.db",
                                         kOutputDay + 5h + 15min, false);
  EXPECT_TRUE(
      text.starts_with("history of /var/lib/proxywatch/history.db from 2026-12-04 00:00 "
                       "to 2026-12-05 00:00 UTC (24 h 0 min)\n"))
      << text;
  EXPECT_TRUE(
      output_has(text,
                 "\nproxy 10.0.0.1:3128  target tools  (licensing)\n"
                 "  probes     4, 2 failed (50.0 %)\n"
                 "  outcomes   ok=2 proxy_denied=2\n"
                 "  duration   median 100 ms, p95 300 ms (probes that passed)\n"
                 "  health     healthy 2026-12-03 22:00 – 2026-12-04 02:03 UTC (4 h 3 min)\n"
                 "             failing since 2026-12-04 02:03 UTC (3 h 12 min), diagnosis "
                 "acl_block\n"
                 "  diagnoses  acl_block since 2026-12-04 02:03 UTC (3 h 12 min), "
                 "active: 3 of 3 probes refused with 403\n"))
      << text;
  EXPECT_TRUE(output_has(text, "  health     healthy since 2026-12-04 01:00 UTC (4 h 15 min)\n"))
      << text;
  EXPECT_FALSE(output_has(text, "failures")) << text;
  EXPECT_FALSE(output_has(text, "quiet")) << text;
}

TEST(HistoryOutputTest, FailuresListEachFailedProbeWithItsSentence) {
  std::string text = format_history_text(output_report(), "db", kOutputDay + 6h, true);
  EXPECT_TRUE(output_has(text,
                         "  failures\n"
                         "    2026-12-04 02:03:00 UTC  proxy_denied  proxy_connect  The proxy "
                         "refused the tunnel, said \"no\" (403)\n"
                         "    2026-12-04 02:04:00 UTC  proxy_denied  proxy_connect"))
      << text;
}

TEST(HistoryOutputTest, AnEmptyRangeSaysSo) {
  HistoryReport empty;
  empty.query.from = kOutputDay;
  empty.query.to = kOutputDay + 1h;
  empty.query.target = "tools";
  std::string text = format_history_text(empty, "db", kOutputDay + 1h, false);
  EXPECT_TRUE(
      output_has(text, "\nno probes and no health changes in this range for these filters\n"))
      << text;
}

TEST(HistoryOutputTest, JsonHasTheProbesAndIntervalsInIntegers) {
  HistoryReport report = output_report();
  report.truncated = true;
  report.query.target = "tools";
  json::value doc = json::parse(serialize(history_json(report, 10'000)));
  std::vector<std::string> doubles;
  testing::find_doubles(doc, "", doubles);
  EXPECT_TRUE(doubles.empty()) << ::testing::PrintToString(doubles);
  const json::object& o = doc.as_object();
  EXPECT_EQ(o.at("format"), "proxywatch-history");
  EXPECT_EQ(o.at("version"), 1);
  EXPECT_EQ(o.at("from_unix_ms"), json_unix_ms(kOutputDay));
  EXPECT_EQ(o.at("target"), "tools");
  EXPECT_TRUE(o.at("service").is_null());
  EXPECT_EQ(o.at("truncated"), true);
  EXPECT_EQ(o.at("probe_limit"), 10'000);
  ASSERT_EQ(o.at("probes").as_array().size(), 5u);
  const json::object& denied = o.at("probes").as_array()[3].as_object();
  EXPECT_EQ(denied.at("outcome"), "proxy_denied");
  EXPECT_EQ(denied.at("ok"), false);
  EXPECT_EQ(denied.at("phase"), "proxy_connect");
  EXPECT_EQ(denied.at("phases_us").at("tcp_connect"), 20'000);
  EXPECT_EQ(denied.at("total_us"), 20'000);
  EXPECT_EQ(denied.at("connect_status"), 403);
  EXPECT_TRUE(denied.at("http_status").is_null());
  const json::object& failing = o.at("health").as_array()[1].as_object();
  EXPECT_EQ(failing.at("state"), "failing");
  EXPECT_TRUE(failing.at("to_unix_ms").is_null());
  const json::object& acl = o.at("diagnoses").as_array()[0].as_object();
  EXPECT_EQ(acl.at("diagnosis"), "acl_block");
  EXPECT_EQ(acl.at("evidence").at("summary"), "3 of 3 probes refused with 403");
  EXPECT_TRUE(acl.at("cleared_why").is_null());
}

TEST(HistoryOutputTest, CsvHasAHeaderAndOneQuotedRowPerProbe) {
  std::string csv = history_csv(output_report());
  EXPECT_TRUE(csv.starts_with(
      "at,at_unix_ms,proxy,target,service,outcome,phase,total_us,dns_us,tcp_connect_us,"
      "proxy_connect_us,tls_handshake_us,http_first_byte_us,transfer_us,connect_status,"
      "http_status,bytes,peer_close,reset,tls_version,tls_issuer,rtt_us,retransmits,pmtu,"
      "diagnosis,confirmation\r\n"))
      << csv;
  EXPECT_EQ(std::count(csv.begin(), csv.end(), '\n'), 6);
  EXPECT_TRUE(output_has(
      csv, "\r\n2026-12-04T02:03:00.000Z," + std::to_string(json_unix_ms(kOutputDay + 2h + 3min)) +
               ",10.0.0.1:3128,tools,licensing,proxy_denied,proxy_connect,20000,,"
               "20000,,,,,403,,0,not_seen,0,,,,,,\"The proxy refused the tunnel, "
               "said \"\"no\"\" (403)\",0\r\n"))
      << csv;
}

}  // namespace
}  // namespace proxywatch
