// The operator's three views of one status snapshot: the HTML page (escaped, one bar per recent
// probe, the chart, the advice of docs/diagnoses.md, its size with 100 targets), /status.json
// (integers only, read back into the same snapshot) and the text of `proxywatch status`.
#include <gtest/gtest.h>

#include <boost/json.hpp>
#include <regex>

#include "common/output/json/json_fields.h"
#include "common/output/status/diagnosis_advice.h"
#include "common/output/status/status_json.h"
#include "common/output/status/status_page.h"
#include "common/output/status/status_text.h"

namespace proxywatch {
namespace {

using namespace std::chrono_literals;

// Whole milliseconds, so that times survive the JSON round trip exactly.
const WallTime kNow = WallTime{} + std::chrono::milliseconds(1'717'000'000'000);

Sample sample(WallTime at, Outcome outcome, double connect_s = 0.001, double tls_s = 0.004) {
  Sample s;
  s.at = at;
  s.outcome = outcome;
  s.phase_seconds[static_cast<std::size_t>(Phase::kTcpConnect)] = 0.0002;
  s.phase_seconds[static_cast<std::size_t>(Phase::kProxyConnect)] = connect_s;
  if (outcome == Outcome::kOk) {
    s.phase_seconds[static_cast<std::size_t>(Phase::kTlsHandshake)] = tls_s;
  } else {
    s.phase = Phase::kProxyConnect;
  }
  return s;
}

TargetStatus healthy_target(std::string name, std::size_t probes) {
  TargetStatus t{.name = std::move(name),
                 .destination = "origin.demo:443",
                 .health = HealthState::kHealthy,
                 .health_since = kNow - 5min};
  std::deque<Sample> window;
  for (std::size_t i = 0; i < probes; ++i) {
    window.push_back(sample(kNow - std::chrono::seconds(60 * (probes - i)), Outcome::kOk, 0.001,
                            0.004 + 0.0005 * static_cast<double>(i % 4)));
  }
  t.probes.assign(window.begin(), window.end());
  t.smoke = smoke_points(window);
  t.last_diagnosis =
      "The proxy opened a tunnel to origin.demo:443 and the TLS handshake succeeded.";
  return t;
}

TargetStatus failing_target(std::string name, std::size_t probes) {
  TargetStatus t{.name = std::move(name),
                 .destination = "blocked.demo:443",
                 .health = HealthState::kFailing,
                 .health_since = kNow - 3min,
                 .consecutive_failures = static_cast<std::uint32_t>(probes)};
  std::deque<Sample> window;
  for (std::size_t i = 0; i < probes; ++i) {
    window.push_back(sample(kNow - std::chrono::seconds(60 * (probes - i)), Outcome::kProxyDenied));
  }
  t.probes.assign(window.begin(), window.end());
  t.smoke = smoke_points(window);
  t.diagnoses.push_back(
      TargetDiagnosis{Diagnosis::kAclBlock, kNow - 3min,
                      Evidence{.summary = "3 probes in a row were refused with 403",
                               .window_probes = static_cast<std::uint32_t>(probes),
                               .matching_probes = static_cast<std::uint32_t>(probes),
                               .outcomes = "proxy_denied=" + std::to_string(probes),
                               .phases = "proxy_connect=" + std::to_string(probes)}});
  t.last_diagnosis = "The proxy refused the tunnel to blocked.demo:443 with 403 Forbidden.";
  return t;
}

StatusSnapshot snapshot() {
  StatusSnapshot s{.version = "1.2.3",
                   .generated = kNow,
                   .proxy = "127.0.0.1:3128",
                   .proxy_file = "/etc/sf/iprep_proxy.conf",
                   .proxy_file_changed = kNow - 1h};
  s.targets.push_back(healthy_target("origin", 12));
  s.targets.push_back(failing_target("blocked", 4));
  return s;
}

std::size_t occurrences(const std::string& text, std::string_view what) {
  std::size_t n = 0;
  for (auto at = text.find(what); at != std::string::npos; at = text.find(what, at + 1)) ++n;
  return n;
}

TEST(StatusPageTest, ShowsHealthDiagnosisAdviceBarsAndChart) {
  std::string page = render_status_page(snapshot());
  EXPECT_NE(page.find("<!doctype html>"), std::string::npos);
  EXPECT_NE(page.find("<span class='badge healthy'>healthy</span> origin"), std::string::npos);
  EXPECT_NE(page.find("healthy for 5 min"), std::string::npos);
  EXPECT_NE(page.find("failing for 3 min · 4 failed in a row · last probe: proxy_denied in "
                      "proxy_connect"),
            std::string::npos)
      << page;
  EXPECT_NE(page.find("data-diagnosis=acl_block"), std::string::npos);
  EXPECT_NE(page.find(inline_markup(diagnosis_advice(Diagnosis::kAclBlock).check_next)),
            std::string::npos);
  EXPECT_NE(page.find("<dt>outcomes</dt><dd>proxy_denied=4</dd>"), std::string::npos);
  // kTimelineProbes bars of the healthy target (it has 12 probes), 4 of the failing one.
  EXPECT_EQ(occurrences(page, "<g class='bar'"), kTimelineProbes);
  EXPECT_EQ(occurrences(page, "<g class='bar fail' data-outcome=proxy_denied>"), 4u);
  EXPECT_EQ(occurrences(page, "class=chart"), 2u);
  EXPECT_EQ(occurrences(page, "<path class=smoke"), 1u);  // the failing target has no latency
  EXPECT_NE(page.find("<polyline class='med f0'"), std::string::npos);
  EXPECT_NE(page.find("Proxy <b>127.0.0.1:3128</b> from <code>/etc/sf/iprep_proxy.conf</code> "
                      "(valid, last changed"),
            std::string::npos);
}

// Markup in any value from the proxy, the origin or a file renders as text: the only script on
// the page is the page's own.
TEST(StatusPageTest, EscapesEveryUntrustedValue) {
  StatusSnapshot s = snapshot();
  const std::string evil = "<script>alert('x')</script>";
  s.proxy_file = "/tmp/" + evil;
  s.targets[0].name = evil;
  s.targets[0].destination = "a\"b'c<d>";
  s.targets[1].last_diagnosis =
      "The proxy demands authentication (407 " + evil + "; offers " + evil + ")";
  s.targets[1].diagnoses[0].evidence.summary = evil;
  s.targets[1].diagnoses[0].evidence.cert_issuer = "CN=" + evil;
  std::string page = render_status_page(s);
  EXPECT_EQ(occurrences(page, "<script"), 1u) << page;
  EXPECT_EQ(page.find("alert('x')"), std::string::npos);
  EXPECT_GE(occurrences(page, "&lt;script&gt;alert(&#39;x&#39;)&lt;/script&gt;"), 6u);
  EXPECT_NE(page.find("a&quot;b&#39;c&lt;d&gt;"), std::string::npos);
}

TEST(StatusPageTest, SaysWhenTheProxyIsDisabledOrTheFileInvalid) {
  StatusSnapshot s = snapshot();
  s.proxy_file_valid = false;
  EXPECT_NE(render_status_page(s).find("<b>invalid</b>"), std::string::npos);
  s.proxy.clear();
  s.targets.clear();
  EXPECT_NE(render_status_page(s).find("is absent, so the proxy is disabled"), std::string::npos);
  EXPECT_FALSE(s.all_healthy());
}

TEST(StatusPageTest, LocalErrorsAreShownApartAndReadBackFromJson) {
  StatusSnapshot s = snapshot();
  EXPECT_EQ(render_status_page(s).find("could not open a socket"), std::string::npos);
  s.local_errors[static_cast<std::size_t>(LocalReason::kEmfile)] = 7;
  std::string page = render_status_page(s);
  EXPECT_NE(page.find("<b>7 probes could not open a socket</b>"), std::string::npos);
  EXPECT_NE(page.find("emfile 7"), std::string::npos);
  auto back = status_from_json(proxywatch::serialize(to_json(s)));
  ASSERT_TRUE(back) << back.error();
  EXPECT_EQ(back->local_errors, s.local_errors);
}

// docs/status.md states this size; the bound keeps it true.
TEST(StatusPageTest, PageWithHundredTargetsStaysSmall) {
  StatusSnapshot s = snapshot();
  s.targets.clear();
  for (int i = 0; i < 100; ++i) {
    std::string name = "target-" + std::to_string(i);
    s.targets.push_back(i % 2 ? failing_target(name, 20) : healthy_target(name, 20));
  }
  std::string page = render_status_page(s);
  std::string json = proxywatch::serialize(to_json(s));
  std::cout << "status page with 100 targets (20 probes each, 50 failing with acl_block): "
            << page.size() << " bytes; /status.json: " << json.size() << " bytes\n";
  EXPECT_LT(page.size(), 600'000u);
  EXPECT_LT(json.size(), 1'200'000u);
}

TEST(StatusJsonTest, RoundTripGivesTheSameSnapshot) {
  StatusSnapshot s = snapshot();
  s.targets[1].last_mtu = MtuVerdict::kNone;
  std::string text = proxywatch::serialize(to_json(s));
  auto back = status_from_json(text);
  ASSERT_TRUE(back) << back.error();
  // Everything written is read back (durations rounded to microseconds on the way).
  EXPECT_EQ(proxywatch::serialize(to_json(*back)), text);
  EXPECT_EQ(back->targets[1].diagnoses, s.targets[1].diagnoses);
  EXPECT_EQ(back->targets[1].last_mtu, MtuVerdict::kNone);
  EXPECT_EQ(back->targets[0].health_since, s.targets[0].health_since);
  EXPECT_EQ(back->proxy_file_changed, s.proxy_file_changed);
}

TEST(StatusJsonTest, TheNewestCaptureIsLinkedOnThePageAndReadBackFromJson) {
  StatusSnapshot s = snapshot();
  s.targets[1].capture = CaptureLink{.file = "20240529T162640.000Z-blocked-proxy_denied.pcap",
                                     .at = kNow,
                                     .outcome = "proxy_denied",
                                     .reading = "the proxy answered 403 <Forbidden> and closed.",
                                     .timeline = "  0.000 > S\n  the proxy answered 403.\n"};
  std::string page = render_status_page(s);
  EXPECT_NE(page.find("<a href='/captures/20240529T162640.000Z-blocked-proxy_denied.pcap'>"),
            std::string::npos);
  EXPECT_NE(page.find("403 &lt;Forbidden&gt;"), std::string::npos);
  EXPECT_EQ(page.find("<Forbidden>"), std::string::npos);
  std::string text = proxywatch::serialize(to_json(s));
  EXPECT_NE(text.find("\"url\":\"/captures/20240529T162640.000Z-blocked-proxy_denied.pcap\""),
            std::string::npos);
  EXPECT_NE(text.find("\"capture\":null"), std::string::npos) << "the other target has none";
  auto back = status_from_json(text);
  ASSERT_TRUE(back) << back.error();
  EXPECT_EQ(back->targets[1].capture, s.targets[1].capture);
  EXPECT_FALSE(back->targets[0].capture);
}

TEST(StatusJsonTest, NumbersArePlainIntegersWithTheUnitInTheKey) {
  std::string text = proxywatch::serialize(to_json(snapshot()));
  std::string numbers_only = std::regex_replace(text, std::regex(R"("(\\.|[^"\\])*")"), "\"\"");
  EXPECT_FALSE(std::regex_search(numbers_only, std::regex("[0-9][eE][+-]?[0-9]"))) << text;
  EXPECT_FALSE(std::regex_search(numbers_only, std::regex("[0-9]\\.[0-9]"))) << text;
  boost::json::value v = boost::json::parse(text);
  const auto& probe = v.at("targets").at(0).at("probes").at(0);
  EXPECT_EQ(probe.at("phases_us").at("tls_handshake").as_int64(), 4000);
  EXPECT_EQ(probe.at("total_us").as_int64(), 5200);
  EXPECT_EQ(v.at("generated_unix_ms").as_int64(), 1'717'000'000'000);
  EXPECT_EQ(v.at("all_healthy").as_bool(), false);
  EXPECT_EQ(v.at("targets").at(1).at("diagnoses").at(0).at("check_next").as_string(),
            diagnosis_advice(Diagnosis::kAclBlock).check_next);
}

TEST(StatusJsonTest, RejectsWhatIsNotAStatusDocument) {
  EXPECT_FALSE(status_from_json("not json"));
  EXPECT_FALSE(status_from_json("{\"format\":\"proxywatch-state\"}"));
  std::string good = proxywatch::serialize(to_json(snapshot()));
  auto cut = status_from_json(
      std::regex_replace(good, std::regex("\"health\":\"failing\""), "\"health\":\"on fire\""));
  ASSERT_FALSE(cut);
  EXPECT_NE(cut.error().to_string().find("on fire"), std::string::npos);
}

TEST(StatusTextTest, OneBlockPerTargetWithDiagnosisAndPhaseTable) {
  std::string text = format_status_text(snapshot(), "127.0.0.1:9555");
  EXPECT_NE(text.find("proxywatch 1.2.3 at 127.0.0.1:9555: proxy 127.0.0.1:3128 from "
                      "/etc/sf/iprep_proxy.conf (valid, changed"),
            std::string::npos)
      << text;
  EXPECT_NE(text.find("\norigin (origin.demo:443; custom targets): healthy for 5 min\n"),
            std::string::npos)
      << text;
  EXPECT_NE(
      text.find(
          "\nblocked (blocked.demo:443; custom targets): failing for 3 min, 4 failed in a row\n"),
      std::string::npos);
  EXPECT_NE(text.find("  diagnosis acl_block for 3 min: 3 probes in a row were refused with 403\n"
                      "    evidence: outcomes: proxy_denied=4; phases: proxy_connect=4\n"
                      "    check next: the proxy's ACL"),
            std::string::npos)
      << text;
  // One table row per recent probe: kTimelineProbes of 12, then 4.
  EXPECT_EQ(occurrences(text, " ok     "), kTimelineProbes);
  EXPECT_EQ(occurrences(text, "  proxy_denied  "), 4u);
  EXPECT_NE(text.find("     0.2      1.0      4.0        -        -      5.2\n"), std::string::npos)
      << text;
}

TEST(StatusTextTest, ControlBytesFromThePeerCannotReachTheTerminal) {
  StatusSnapshot s = snapshot();
  s.targets[1].last_diagnosis = "407 \x1b]0;pwned\x07";
  std::string text = format_status_text(s, "x");
  EXPECT_EQ(text.find('\x1b'), std::string::npos);
  EXPECT_NE(text.find("407 \\x1b]0;pwned\\x07"), std::string::npos);
}

TEST(SmokePointsTest, MedianAndPercentilesOfTheLastFiveProbes) {
  std::deque<Sample> window;
  for (int i = 0; i < 7; ++i) {
    window.push_back(sample(kNow + std::chrono::seconds(i),
                            i == 5 ? Outcome::kProxyStalled : Outcome::kOk, 0.001 * (i + 1), 0));
  }
  auto points = smoke_points(window);
  ASSERT_EQ(points.size(), 7u);
  EXPECT_EQ(points[0].probes, 1u);
  EXPECT_EQ(points[6].probes, kSmokeGroup);
  EXPECT_EQ(points[6].failed, 1u);
  // The group of probes 2..6 (0-based), 5 failed: totals 3.2, 4.2, 5.2 and 7.2 ms.
  EXPECT_NEAR(*points[6].low, 0.0032, 1e-9);
  EXPECT_NEAR(*points[6].median, 0.0042, 1e-9);
  EXPECT_NEAR(*points[6].high, 0.0072, 1e-9);
  std::deque<Sample> failed = {sample(kNow, Outcome::kProxyDenied)};
  EXPECT_FALSE(smoke_points(failed)[0].median);
}

// The FMC's features at risk: one line per service with targets, the worst health first found.
TEST(ServiceStatusTest, EachServiceSaysWhichFeatureIsAtRisk) {
  StatusSnapshot s = snapshot();
  s.targets[0].service = Service::kLicensing;
  s.targets[1].service = Service::kSecurityIntelligence;
  s.targets[1].destination = "http://feeds.demo/si.txt";
  s.targets.push_back(healthy_target("tools", 3));
  s.targets.back().service = Service::kLicensing;
  std::vector<ServiceStatus> services = service_statuses(s);
  ASSERT_EQ(services.size(), 2u);
  EXPECT_EQ(service_line(services[0]), "Smart Licensing: healthy");
  EXPECT_EQ(service_line(services[1]),
            "Security Intelligence feed downloads: failing — proxy_denied on "
            "http://feeds.demo/si.txt");
  // A degraded licensing target makes the feature degraded, naming it.
  s.targets[2].health = HealthState::kDegraded;
  EXPECT_EQ(service_line(service_statuses(s)[0]).rfind("Smart Licensing: degraded — ok on ", 0),
            0u);

  std::string text = format_status_text(s, "127.0.0.1:9555");
  EXPECT_NE(text.find("\n  Security Intelligence feed downloads: failing — proxy_denied on "
                      "http://feeds.demo/si.txt\n"),
            std::string::npos)
      << text;
  // Targets are grouped by service: both licensing targets come before the feed.
  EXPECT_LT(text.find("\ntools ("), text.find("\nblocked ("));
  std::string page = render_status_page(s);
  EXPECT_NE(page.find("<li class=failing>Security Intelligence feed downloads: failing"),
            std::string::npos);
  EXPECT_NE(page.find("data-service=security_intelligence"), std::string::npos);
  EXPECT_LT(page.find("data-target='tools'"), page.find("data-target='blocked'"));
  // The service survives /status.json, which `proxywatch status` reads.
  auto back = status_from_json(proxywatch::serialize(to_json(s)));
  ASSERT_TRUE(back) << back.error();
  EXPECT_EQ(back->targets[1].service, Service::kSecurityIntelligence);
}

}  // namespace
}  // namespace proxywatch
