// The listener cannot bend what the probes measure (issue 23, findings 1 and 2): 64 clients
// sending wrong passwords (4 source addresses, 16 connections each) and 32 scrapers with the
// right one, all at once against a daemon probing 10 targets every 300 ms through a local relay,
// leave the probes' phase times within a few milliseconds of the unloaded run; an authenticated
// scrape every 100 ms from a client at normal priority (a Prometheus) is answered within 1 s; the
// watchdog keeps its cadence; the wrong passwords are throttled (429) and counted. The load runs on
// one thread at nice 19 (tests/support/listener_load.h): a real appliance's attackers are other
// machines, so the load must not take the CPU the daemon and the test's own proxy and origin
// need. The history database gives each probe's phases.
#include <sys/resource.h>
#include <unistd.h>

#include <algorithm>
#include <atomic>
#include <chrono>
#include <map>
#include <mutex>
#include <optional>
#include <thread>
#include <vector>

#include <gtest/gtest.h>
#include <boost/asio/io_context.hpp>
#include <boost/asio/ip/tcp.hpp>
#include <boost/beast/core.hpp>
#include <boost/beast/http.hpp>

#include "common/output/store/probe_store.h"
#include "common/output/web/basic_auth.h"
#include "tests/support/fake_proxy.h"
#include "tests/support/listener_load.h"
#include "tests/support/local_port.h"
#include "tests/support/notify_socket.h"
#include "tests/support/process.h"
#include "tests/support/temp_dir.h"
#include "tests/support/test_pki.h"
#include "tests/support/tls_origin.h"
#include "tests/support/wait.h"

namespace proxywatch::testing {
namespace {

// The sanitizers run this test for races and memory errors under load (the listener's thread,
// the bcrypt workers and the probing thread at once); their timing is not the product's, so the
// timing goals are asserted only in the normal build.
#if defined(__has_feature)
#if __has_feature(thread_sanitizer) || __has_feature(address_sanitizer)
constexpr bool kLoadTimingAsserted = false;
#else
constexpr bool kLoadTimingAsserted = true;
#endif
#else
constexpr bool kLoadTimingAsserted = true;
#endif

using namespace std::chrono_literals;
namespace http = boost::beast::http;
using Steady = std::chrono::steady_clock;

// base64("prometheus:right-one") and base64("prometheus:wrong-one").
constexpr const char* kLoadRight = "Basic cHJvbWV0aGV1czpyaWdodC1vbmU=";
constexpr const char* kLoadWrong = "Basic cHJvbWV0aGV1czp3cm9uZy1vbmU=";

// The Prometheus of the test, at normal priority beside the load: scrapes /metrics with the
// right password every 100 ms on a keep-alive connection until `stop`; each scrape's time runs
// from its start until a 200 is read, reconnecting when the listener closed the connection to
// make room (it is over its 64 connections). Returns the slowest, in seconds.
double watch_scrapes(std::uint16_t port, const std::atomic<bool>& stop, std::size_t& scrapes) {
  namespace asio = boost::asio;
  asio::io_context io;
  const asio::ip::tcp::endpoint server(asio::ip::make_address("127.0.0.1"), port);
  std::optional<boost::beast::tcp_stream> stream;
  boost::beast::flat_buffer buffer;
  double slowest = 0;
  while (!stop) {
    const Steady::time_point start = Steady::now();
    for (int attempt = 0; attempt < 20 && !stop; ++attempt) {
      boost::system::error_code ec;
      if (!stream) {
        stream.emplace(io);
        buffer.clear();
        stream->socket().connect(server, ec);
      }
      http::request<http::empty_body> request(http::verb::get, "/metrics", 11);
      request.set(http::field::host, "127.0.0.1");
      request.set(http::field::authorization, kLoadRight);
      if (!ec) http::write(stream->socket(), request, ec);
      http::response<http::string_body> response;
      if (!ec) http::read(stream->socket(), buffer, response, ec);
      if (!ec && response.result_int() == 200) {
        ++scrapes;
        break;
      }
      stream.reset();
    }
    slowest = std::max(slowest, std::chrono::duration<double>(Steady::now() - start).count());
    std::this_thread::sleep_until(start + 100ms);
  }
  return slowest;
}

// The median of the probes' connect-to-handshake time (tcp_connect, proxy_connect,
// tls_handshake) of ok probes that ended in [from, to), and the failures among all of them.
struct WindowTimes {
  double median_ms = 0;
  std::size_t probes = 0;
  std::size_t failures = 0;
};

WindowTimes probes_between(const std::vector<ProbeRecord>& records, WallTime from, WallTime to) {
  WindowTimes w;
  std::vector<double> times;
  for (const ProbeRecord& r : records) {
    if (r.at < from || r.at >= to) continue;
    ++w.probes;
    if (!r.ok()) {
      ++w.failures;
      continue;
    }
    std::int64_t us = 0;
    for (Phase p : {Phase::kTcpConnect, Phase::kProxyConnect, Phase::kTlsHandshake}) {
      us += r.phase_us[static_cast<std::size_t>(p)].value_or(0);
    }
    times.push_back(static_cast<double>(us) / 1000);
  }
  if (times.empty()) return w;
  std::nth_element(times.begin(), times.begin() + times.size() / 2, times.end());
  w.median_ms = times[times.size() / 2];
  return w;
}

TEST(ListenerLoadTest, ProbeTimingsHoldUnderScrapeAndPasswordFloods) {
  TempDir dir("pw-load");
  TlsOrigin origin;
  FakeProxy proxy({.upstream_port = origin.port()});
  dir.write_file("iprep_proxy.conf", "iprep_proxy {\n  PROXY_HOST 127.0.0.1;\n  PROXY_PORT " +
                                         std::to_string(proxy.port()) + ";\n}\n");
  // Cost 10 (about 15 ms a check here): the load's bcrypts stay a small part of CI's time.
  dir.write_file("web.yml",
                 "basic_auth_users:\n  prometheus: " + bcrypt_hash("right-one", 10) + "\n");
  const std::uint16_t port = pick_free_port();
  std::string targets;
  for (int i = 0; i < 10; ++i) {
    targets += "  - {name: origin" + std::to_string(i) +
               ", host: origin.test, port: " + std::to_string(origin.port()) +
               ", ca_file: " + shared_pki().ca.cert_file.string() + "}\n";
  }
  const auto yaml = dir.write_file(
      "proxywatch.yaml", "proxy_file: " + (dir.path() / "iprep_proxy.conf").string() +
                             "\nmetrics_listen: 127.0.0.1:" + std::to_string(port) +
                             "\ninterval: 300ms\njitter: 0s\nstate_dir: " + dir.path().string() +
                             "\nweb_config_file: " + (dir.path() / "web.yml").string() +
                             "\ntargets:\n" + targets);
  NotifySocket notify(dir.path() / "notify.sock");
  ChildProcess daemon(
      {PROXYWATCH_BINARY, "daemon", "--config", yaml.string(), "--log-target", "stderr"},
      dir.path() / "daemon.log",
      {{"NOTIFY_SOCKET", notify.path().string()}, {"WATCHDOG_USEC", "1000000"}});
  ASSERT_TRUE(notify.wait_for("READY=1", 10s)) << daemon.log();

  // The scrapers' password was accepted before the load starts, as a Prometheus scraping all
  // along has it: known without a bcrypt from then on.
  {
    ListenerLoad first(port);
    first.add(1, "127.0.1.1", kLoadRight);
    ASSERT_TRUE(wait_until([&] { return first.seen().statuses[200] > 0; }, 10s));
  }

  // Unloaded: 4 s of probes.
  const WallTime quiet_from = std::chrono::system_clock::now() + 500ms;
  notify.read_for(4500ms);
  const WallTime loaded_from = std::chrono::system_clock::now();
  notify.clear();

  // Loaded: 4 s of both floods at once.
  ListenerLoad load(port);
  for (int source = 0; source < 4; ++source) {
    load.add(16, "127.0.0." + std::to_string(2 + source), kLoadWrong);
  }
  load.add(32, "127.0.1.1", kLoadRight);
  std::atomic<bool> stop{false};
  std::size_t watched = 0;
  double slowest_watched = 0;
  std::thread watcher([&] { slowest_watched = watch_scrapes(port, stop, watched); });
  notify.read_for(4000ms);
  const WallTime loaded_to = std::chrono::system_clock::now();
  stop = true;
  load.stop();
  watcher.join();
  ListenerLoad::Seen seen = load.seen();
  const std::size_t watchdog_pings =
      std::count(notify.messages().begin(), notify.messages().end(), "WATCHDOG=1");
  daemon.terminate();

  auto store = ProbeStore::open_read_only((dir.path() / "history.db").string());
  ASSERT_TRUE(store) << store.error().to_string();
  auto records = (*store)->probes(HistoryQuery{});
  ASSERT_TRUE(records) << records.error().to_string();
  const WindowTimes quiet = probes_between(*records, quiet_from, loaded_from);
  const WindowTimes loaded = probes_between(*records, loaded_from, loaded_to);
  std::printf(
      "quiet: %zu probes, median %.2f ms; loaded: %zu probes, median %.2f ms; slowest "
      "authenticated scrape %.3f s of %zu (flood: %.3f s); 200: %zu, 401: "
      "%zu, 429: %zu, 503: %zu; "
      "watchdog pings %zu\n",
      quiet.probes, quiet.median_ms, loaded.probes, loaded.median_ms, slowest_watched, watched,
      seen.slowest_ok, seen.statuses[200], seen.statuses[401], seen.statuses[429],
      seen.statuses[503], watchdog_pings);
  // Under the sanitizers the flood's own scrapers may all be pushed out (they hold the most
  // connections, and the listener is slow there); the Prometheus is answered in every build.
  EXPECT_GT(watched, 0u);
  EXPECT_GT(seen.statuses[429], 0u) << "wrong passwords were not throttled";
  EXPECT_GT(seen.statuses[401], 0u);
  if (!kLoadTimingAsserted) return;
  // The flood's own scrapers hold the most connections, so eviction pushes them out first, and
  // they run at nice 19 beside CI's background build: how often they are answered depends on
  // the CPU they get. That they are answered at all is the point.
  EXPECT_GT(seen.statuses[200], 0u) << "the flood's scrapers were never answered";
  EXPECT_GE(quiet.probes, 60u);
  EXPECT_GE(loaded.probes, 90u) << "probing kept its schedule under load";
  EXPECT_EQ(quiet.failures + loaded.failures, 0u);
  EXPECT_LE(loaded.median_ms, quiet.median_ms + 5) << "probe timings bent by the listener's load";
  EXPECT_GE(watched, 30u);
  EXPECT_LE(slowest_watched, 1.0) << "an authenticated scrape waited more than 1 s";
  // WATCHDOG_USEC=1 s: the daemon pings every 0.5 s, 8 times in the loaded 4 s.
  EXPECT_GE(watchdog_pings, 7u) << daemon.log();
}

}  // namespace
}  // namespace proxywatch::testing
