// The fleet, end to end, ten times faster than production: ten appliances (`proxywatch daemon`
// processes), five behind one real squid (proxy A, each appliance reaching it through a path
// of its own) and five behind a proxy that fails 10 % of requests at random (proxy B), scraped
// by a real Prometheus through file_sd and the relabelling of docs/fleet.md, evaluating the
// shipped rules (packaging/prometheus/proxywatch-alerts.yml) and sending to a real Alertmanager
// routed by the shipped example (packaging/alertmanager/alertmanager.yml), whose webhooks reach
// a receiver in the test (tests/support/webhook_receiver.h).
//
// Every duration is divided by kScale = 10: the probe interval (60 s → 6 s), its default jitter
// (5 s → 0.5 s) and confirmation delays (5, 10, 20 s → 0.5, 1, 2 s), the scrape and evaluation
// intervals (15 s → 1.5 s), every `for:` and rule-group interval of the rules and every
// Alertmanager timer (scale_durations). The test shows, in that time:
//   1. proxy A denies → one notification (ProxywatchSharedProxyFailing) within 2 minutes
//      scaled; the five appliances' own alerts fire and are held back by the inhibition;
//   2. one appliance's own path to proxy A is cut → one notification, for that appliance;
//   3. proxy B, failing 10 % of probes at random throughout, pages never.
// Names are resolved from hosts files only (squid's, and each daemon's /etc/hosts bind-mounted
// in a mount namespace of its own: needs root); everything listens on loopback.
#include <gtest/gtest.h>
#include <unistd.h>

#include <boost/json/serialize.hpp>

#include <chrono>
#include <cstdio>
#include <memory>
#include <regex>

#include "tests/support/appliance.h"
#include "tests/support/fake_proxy.h"
#include "tests/support/local_port.h"
#include "tests/support/prometheus.h"
#include "tests/support/read_file.h"
#include "tests/support/scrape.h"
#include "tests/support/tcp_forwarder.h"
#include "tests/support/temp_dir.h"
#include "tests/support/test_pki.h"
#include "tests/support/tls_origin.h"
#include "tests/support/wait.h"
#include "tests/support/webhook_receiver.h"

namespace proxywatch {
namespace {

using namespace std::chrono_literals;
using Clock = std::chrono::steady_clock;
using testing::Notification;

constexpr int kScale = 10;
// Production: at most 2 minutes from the proxy's first refusal to the page.
constexpr auto kPageBound = 120s / kScale;
constexpr int kPerProxy = 5;
const std::string kProxyA = "proxy-a.fleet.test";
const std::string kProxyB = "proxy-b.fleet.test";

double seconds_between(Clock::time_point from, Clock::time_point to) {
  return std::chrono::duration<double>(to - from).count();
}

bool names(const std::map<std::string, std::string>& labels, const std::string& key,
           const std::string& value) {
  auto it = labels.find(key);
  return it != labels.end() && it->second == value;
}

class FleetTest : public ::testing::Test {
 protected:
  void SetUp() override {
    if (::geteuid() != 0) GTEST_SKIP() << "needs root for the appliances' own /etc/hosts";
    origin_ = std::make_unique<testing::TlsOrigin>();
    squid_ = std::make_unique<testing::DenyingSquid>(
        std::map<std::string, std::string>{{"origin.test", "127.0.0.1"}});
    flaky_ = std::make_unique<testing::FakeProxy>(
        testing::FakeProxy::Options{.upstream_port = origin_->port(), .random_share = 0.1});
    port_a_ = testing::pick_free_port();
    proxy_a_label_ = kProxyA + ":" + std::to_string(port_a_);
    proxy_b_label_ = kProxyB + ":" + std::to_string(flaky_->port());
    const std::string target =
        "  - {name: origin, host: origin.test, port: " + std::to_string(origin_->port()) +
        ", ca_file: " + testing::shared_pki().ca.cert_file.string() + "}\n";
    std::vector<testing::ScrapeTarget> scrape_targets;
    for (int i = 0; i < 2 * kPerProxy; ++i) {
      const bool behind_a = i < kPerProxy;
      const std::string name = (behind_a ? "fmc-a" : "fmc-b") + std::to_string(i % kPerProxy + 1);
      // Behind A, appliance N reaches the proxy's name at 127.0.0.(11 + N): a path of its own.
      const std::string own_address = "127.0.0." + std::to_string(11 + i);
      if (behind_a) {
        forwarders_.push_back(
            std::make_unique<testing::TcpForwarder>(own_address, port_a_, squid_->port()));
      }
      appliances_.push_back(std::make_unique<testing::Appliance>(testing::Appliance::Options{
          .name = name,
          .binary = PROXYWATCH_BINARY,
          .targets_yaml = target,
          .extra_yaml = "confirm: {delays: [500ms, 1s, 2s]}\n",
          .proxy_host = behind_a ? kProxyA : kProxyB,
          .proxy_port = behind_a ? port_a_ : flaky_->port(),
          .etc_hosts = {{behind_a ? kProxyA : kProxyB, behind_a ? own_address : "127.0.0.1"}},
          .interval = "6s",
          .jitter = "500ms"}));
      ASSERT_TRUE(appliances_.back()->start_daemon()) << appliances_.back()->daemon_log();
      scrape_targets.push_back(
          {name,
           appliances_.back()->metrics_port(),
           {{"site", i % kPerProxy < 3 ? "berlin" : "paris"}, {"proxy_expected", "true"}}});
    }
    const std::string shipped = std::string(PROXYWATCH_SOURCE_DIR) + "/packaging/";
    const auto rules = dir_.write_file(
        "proxywatch-alerts.yml",
        testing::scale_durations(testing::read_file(shipped + "prometheus/proxywatch-alerts.yml"),
                                 kScale));
    std::string routing = testing::scale_durations(
        testing::read_file(shipped + "alertmanager/alertmanager.yml"), kScale);
    routing = std::regex_replace(routing, std::regex("http://pager\\.example\\.net/[^\\s]*"),
                                 receiver_.url("/pager"));
    routing = std::regex_replace(routing, std::regex("http://tickets\\.example\\.net/[^\\s]*"),
                                 receiver_.url("/tickets"));
    alertmanager_ = std::make_unique<testing::Alertmanager>(routing);
    prometheus_ = std::make_unique<testing::Prometheus>(
        testing::Prometheus::Options{.rule_files = {rules},
                                     .alertmanager_port = alertmanager_->port(),
                                     .interval = 15'000ms / kScale});
    prometheus_->set_targets(scrape_targets);
    ASSERT_TRUE(testing::wait_until(
        [&] {
          return prometheus_->query(R"(proxywatch_health_state{state="healthy"} == 1)")
                     .result.size() == 2 * kPerProxy;
        },
        60s, 200ms))
        << context();
  }

  // The pager's notifications that are firing and name `key` = `value` in an alert.
  std::vector<Notification> pages(const std::string& key, const std::string& value) const {
    std::vector<Notification> out;
    for (const Notification& n : receiver_.notifications()) {
      if (n.path != "/pager" || n.status != "firing") continue;
      for (const auto& labels : n.alerts) {
        if (names(labels, key, value)) {
          out.push_back(n);
          break;
        }
      }
    }
    return out;
  }

  // Alertmanager's alerts named `alertname` through `proxy`, by state (active, suppressed).
  std::map<std::string, int> held(const std::string& alertname, const std::string& proxy) const {
    std::map<std::string, int> states;
    const auto alerts = alertmanager_->alerts();
    if (!alerts) return {{"<no answer>", 1}};
    for (const auto& a : *alerts) {
      if (names(a.labels, "alertname", alertname) && names(a.labels, "proxy", proxy))
        ++states[a.state];
    }
    return states;
  }

  std::string context() const {
    std::string text = "prometheus alerts: " + boost::json::serialize(prometheus_->alerts());
    for (const Notification& n : receiver_.notifications())
      text += "\n--- " + n.path + ": " + n.body;
    text += "\n--- " + appliances_.front()->name() + ":\n" + appliances_.front()->daemon_log();
    return text + "\n--- alertmanager:\n" + alertmanager_->log();
  }

  testing::TempDir dir_{"pw-fleet-rules"};
  testing::WebhookReceiver receiver_;
  std::unique_ptr<testing::TlsOrigin> origin_;
  std::unique_ptr<testing::DenyingSquid> squid_;
  std::unique_ptr<testing::FakeProxy> flaky_;
  std::uint16_t port_a_ = 0;
  std::string proxy_a_label_, proxy_b_label_;
  std::vector<std::unique_ptr<testing::TcpForwarder>> forwarders_;
  std::vector<std::unique_ptr<testing::Appliance>> appliances_;
  std::unique_ptr<testing::Alertmanager> alertmanager_;
  std::unique_ptr<testing::Prometheus> prometheus_;
};

TEST_F(FleetTest, OnePageForASharedProxyOnePerApplianceForItsOwnPathNoneForAFlakyProxy) {
  // 1. Proxy A denies the destination for all five appliances behind it.
  const auto denied = Clock::now();
  ASSERT_EQ(squid_->deny({"origin.test"}), "");
  ASSERT_TRUE(
      testing::wait_until([&] { return !pages("proxy", proxy_a_label_).empty(); }, 40s, 50ms))
      << context();
  const auto first = pages("proxy", proxy_a_label_).front();
  const double to_page = seconds_between(denied, first.at);
  ASSERT_EQ(first.alerts.size(), 1u) << first.body;
  EXPECT_TRUE(names(first.alerts[0], "alertname", "ProxywatchSharedProxyFailing")) << first.body;
  EXPECT_LE(to_page, std::chrono::duration<double>(kPageBound).count())
      << "2 minutes scaled by " << kScale;
  // The page's runbook link opens: an appliance's daemon serves that alert's runbook.
  ASSERT_EQ(first.runbook_urls.size(), 1u);
  const std::smatch link = [&] {
    std::smatch m;
    std::regex_match(
        first.runbook_urls[0], m,
        std::regex(R"(http://127\.0\.0\.1:(\d+)(/runbook/ProxywatchSharedProxyFailing))"));
    return m;
  }();
  ASSERT_EQ(link.size(), 3u) << first.runbook_urls[0];
  EXPECT_NE(testing::http_get(static_cast<std::uint16_t>(std::stoi(link[1].str())), link[2].str())
                .find("ProxywatchSharedProxyFailing"),
            std::string::npos)
      << first.runbook_urls[0];
  // The five appliances' own alerts fire too (after their `for:`), and are held back.
  ASSERT_TRUE(testing::wait_until(
      [&] {
        return held("ProxywatchAclBlock", proxy_a_label_) ==
               std::map<std::string, int>{{"suppressed", kPerProxy}};
      },
      40s, 100ms))
      << context();
  // Longer than the group_wait a notification of theirs would take: none comes.
  EXPECT_FALSE(
      testing::wait_until([&] { return pages("proxy", proxy_a_label_).size() > 1; }, 2s, 100ms))
      << context();
  EXPECT_EQ(pages("proxy", proxy_a_label_).size(), 1u) << context();

  // The proxy is fixed: everything through A resolves.
  ASSERT_EQ(squid_->deny({}), "");
  ASSERT_TRUE(testing::wait_until(
      [&] {
        return held("ProxywatchSharedProxyFailing", proxy_a_label_).empty() &&
               held("ProxywatchAclBlock", proxy_a_label_).empty();
      },
      40s, 100ms))
      << context();

  // 2. fmc-a3's own path to the proxy is cut: its own alert, one notification, for it alone.
  const std::size_t pages_before = pages("proxy", proxy_a_label_).size();
  const auto cut = Clock::now();
  forwarders_[2]->cut();
  ASSERT_TRUE(testing::wait_until(
      [&] { return pages("proxy", proxy_a_label_).size() > pages_before; }, 60s, 50ms))
      << context();
  const auto own = pages("proxy", proxy_a_label_).back();
  const double to_own_page = seconds_between(cut, own.at);
  ASSERT_EQ(own.alerts.size(), 1u) << own.body;
  EXPECT_TRUE(names(own.alerts[0], "instance", "fmc-a3")) << own.body;
  EXPECT_TRUE(names(own.alerts[0], "alertname", "ProxywatchProxyUnreachable")) << own.body;
  EXPECT_FALSE(testing::wait_until(
      [&] { return pages("proxy", proxy_a_label_).size() > pages_before + 1; }, 2s, 100ms))
      << context();

  // 3. Proxy B failed 10 % of probes at random all along, and paged never.
  const auto failures = prometheus_->query("sum(proxywatch_probes_total{proxy=\"" + proxy_b_label_ +
                                           "\", outcome!=\"ok\"})");
  const auto confirmations = prometheus_->query(
      "sum(proxywatch_confirmation_probes_total{proxy=\"" + proxy_b_label_ + "\"})");
  const auto all =
      prometheus_->query("sum(proxywatch_probes_total{proxy=\"" + proxy_b_label_ + "\"})");
  auto value = [](const testing::QueryAnswer& a) {
    return a.result.empty() ? -1.0
                            : std::stod(std::string(
                                  a.result[0].as_object().at("value").as_array()[1].as_string()));
  };
  EXPECT_GT(value(failures), 0) << "the flaky proxy failed no probe: nothing was shown";
  EXPECT_TRUE(pages("proxy", proxy_b_label_).empty()) << context();
  const double minutes = seconds_between(denied, Clock::now()) * kScale / 60;
  std::printf(
      "fleet (time x%d = production): proxy A denies -> one page (shared proxy) %.1f s = %.0f s "
      "in production (bound %.0f s); fmc-a3's own path cut -> its page %.1f s = %.0f s; proxy B "
      "failing at random: %.0f of %.0f probes failed (%.0f confirmations) over %.0f production "
      "minutes, 0 pages\n",
      kScale, to_page, to_page * kScale, std::chrono::duration<double>(kPageBound).count() * kScale,
      to_own_page, to_own_page * kScale, value(failures), value(all), value(confirmations),
      minutes);
  RecordProperty("deny_to_page_s", std::to_string(to_page * kScale));
  RecordProperty("own_path_to_page_s", std::to_string(to_own_page * kScale));
}

}  // namespace
}  // namespace proxywatch
