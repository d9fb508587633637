// StatusService hands status snapshots from the probing thread to the listener's: while the
// probing thread is busy (a reload of thousands of targets), a page request is answered with the
// last snapshot after a short wait instead of being held for the whole block, and once that
// thread is free the snapshot asked for is shown. The probing thread is an io_context run here,
// blocked on cue.
#include <chrono>
#include <future>
#include <string>
#include <thread>

#include <gtest/gtest.h>
#include <boost/asio/executor_work_guard.hpp>
#include <boost/asio/io_context.hpp>
#include <boost/asio/post.hpp>

#include "common/history/pair_registry.h"
#include "common/output/metrics/metrics.h"
#include "config/plan.h"
#include "daemon/config_state.h"
#include "daemon/status_service.h"
#include "tests/support/local_port.h"
#include "tests/support/scrape.h"
#include "tests/support/temp_dir.h"
#include "tests/support/wait.h"

namespace proxywatch {
namespace {

using namespace std::chrono_literals;

TEST(StatusHandoffTest, ABusyProbingThreadLetsTheLastSnapshotStandIn) {
  boost::asio::io_context probing;
  Metrics metrics;
  PairRegistry registry;
  config::Plan plan;
  testing::TempDir dir("pw-handoff");
  ConfigState config(metrics, (dir.path() / "absent.yaml").string(), false, probing.get_executor());
  ASSERT_TRUE(config.load());  // the built-in defaults
  StatusService status(probing, metrics, registry, plan, config);
  const std::uint16_t port = testing::pick_free_port();
  ASSERT_TRUE(status.listen(HostPort{"127.0.0.1", port}, HttpSecurity{}));
  auto work = boost::asio::make_work_guard(probing);
  std::thread probing_thread([&] { probing.run(); });

  const std::string first = testing::http_get(port, "/status.json");
  ASSERT_NE(first.find("\"generated_unix_ms\""), std::string::npos) << first;
  // Past the 0.1 s for which a snapshot is reused whatever changed.
  std::this_thread::sleep_for(200ms);

  // The probing thread is busy until released; the status changed meanwhile.
  std::promise<void> release;
  std::shared_future<void> released = release.get_future().share();
  boost::asio::post(probing, [released] { released.wait(); });
  status.changed();
  const auto asked = std::chrono::steady_clock::now();
  const std::string stand_in = testing::http_get(port, "/status.json");
  const double took =
      std::chrono::duration<double>(std::chrono::steady_clock::now() - asked).count();
  release.set_value();
  EXPECT_EQ(stand_in, first) << "the last snapshot stands in";
  EXPECT_LT(took, 2.0) << "the request was held for the probing thread's block";

  // Free again: the snapshot asked for is built and shown (its time differs).
  EXPECT_TRUE(testing::wait_until(
      [&] {
        const std::string now = testing::http_get(port, "/status.json");
        return !now.empty() && now != first;
      },
      5s));

  status.stop();
  work.reset();
  probing.stop();
  probing_thread.join();
}

}  // namespace
}  // namespace proxywatch
