// `proxywatch history` run as shipped against a probe log written in a temp dir
// (ProbeStore::open + write, as the daemon writes it): the text answers "since when" and "how
// often", --json and --csv give the probes, --failures, --target and --service filter, --config
// finds the database in state_dir, and a missing or foreign --db file exits 1 with a sentence.
// Then /history.json over a real HttpServer on 127.0.0.1:0: the same document, 400 for bad
// parameters, an empty history before the daemon wrote one.
#include <gtest/gtest.h>

#include <boost/asio/executor_work_guard.hpp>
#include <boost/asio/io_context.hpp>
#include <boost/json.hpp>

#include <thread>

#include "common/output/store/probe_store.h"
#include "common/output/web/http_server.h"
#include "daemon/history_json_route.h"
#include "tests/support/json_doubles.h"
#include "tests/support/process.h"
#include "tests/support/scrape.h"
#include "tests/support/temp_dir.h"

namespace proxywatch {
namespace {

using namespace std::chrono_literals;
namespace json = boost::json;

const std::string kHistoryProxy = "127.0.0.1:3128";

ProbeRecord history_cli_probe(std::string target, Service service, WallTime at, bool ok) {
  ProbeRecord p{.at = std::chrono::floor<std::chrono::milliseconds>(at),
                .proxy = kHistoryProxy,
                .target = std::move(target),
                .service = service,
                .outcome = ok ? Outcome::kOk : Outcome::kProxyDenied};
  p.phase_us = {1'000, 2'000, 30'000, std::nullopt, std::nullopt, std::nullopt};
  if (!ok) {
    p.phase = Phase::kProxyConnect;
    p.connect_status = 403;
    p.diagnosis = "The proxy refused the tunnel to tools.cisco.com:443 with 403 Forbidden";
  }
  return p;
}

// tools (licensing): 3 passed, then 3 refused, failing for the last hour with acl_block;
// feed (security_intelligence): 2 passed, healthy.
StoreBatch history_cli_batch(WallTime now) {
  StoreBatch b;
  for (int i = 0; i < 3; ++i) {
    b.probes.push_back(history_cli_probe("tools", Service::kLicensing, now - 3h + i * 1min, true));
    b.probes.push_back(history_cli_probe("tools", Service::kLicensing, now - 1h + i * 1min, false));
  }
  for (int i = 0; i < 2; ++i) {
    b.probes.push_back(
        history_cli_probe("feed", Service::kSecurityIntelligence, now - 2h + i * 1min, true));
  }
  b.health = {{kHistoryProxy, "tools", HealthState::kHealthy, now - 5h},
              {kHistoryProxy, "feed", HealthState::kHealthy, now - 5h},
              {kHistoryProxy, "tools", HealthState::kFailing, now - 1h + 2min}};
  b.diagnoses = {{.proxy = kHistoryProxy,
                  .target = "tools",
                  .diagnosis = Diagnosis::kAclBlock,
                  .at = now - 1h + 2min,
                  .evidence = {.summary = "3 probes in a row refused with 403"}}};
  return b;
}

class HistoryCommandBinaryTest : public ::testing::Test {
 protected:
  void SetUp() override {
    auto opened = ProbeStore::open(db_, now_);
    ASSERT_TRUE(opened) << opened.error();
    auto written = opened->store->write(history_cli_batch(now_));
    ASSERT_TRUE(written) << written.error();
  }

  testing::ProcessResult history(std::vector<std::string> args, bool with_db = true) {
    args.insert(args.begin(), {PROXYWATCH_BINARY, "history"});
    if (with_db) args.insert(args.end(), {"--db", db_});
    return testing::run_process(args, {}, 10s);
  }

  json::object history_json(std::vector<std::string> args) {
    args.push_back("--json");
    auto run = history(args);
    EXPECT_EQ(run.exit_code, 0) << run.err;
    json::value doc = json::parse(run.out);
    std::vector<std::string> doubles;
    testing::find_doubles(doc, "", doubles);
    EXPECT_TRUE(doubles.empty()) << ::testing::PrintToString(doubles);
    return doc.as_object();
  }

  testing::TempDir dir_{"pw-history"};
  std::string db_ = (dir_.path() / "history.db").string();
  WallTime now_ = std::chrono::system_clock::now();
};

TEST_F(HistoryCommandBinaryTest, TextSaysSinceWhenAndHowOften) {
  auto run = history({"--since", "6h"});
  ASSERT_EQ(run.exit_code, 0) << run.err;
  EXPECT_NE(run.out.find("history of " + db_ + " from "), std::string::npos) << run.out;
  EXPECT_NE(run.out.find("\nproxy 127.0.0.1:3128  target tools  (licensing)\n"
                         "  probes     6, 3 failed (50.0 %)\n"
                         "  outcomes   ok=3 proxy_denied=3\n"
                         "  duration   median 33 ms, p95 33 ms (probes that passed)\n"
                         "  health     healthy "),
            std::string::npos)
      << run.out;
  EXPECT_NE(run.out.find("             failing since "), std::string::npos) << run.out;
  EXPECT_NE(run.out.find("(58 min), diagnosis acl_block\n"), std::string::npos) << run.out;
  EXPECT_NE(run.out.find("target feed  (security_intelligence)\n  probes     2, 0 failed"),
            std::string::npos)
      << run.out;
  EXPECT_EQ(run.out.find("failures\n"), std::string::npos) << run.out;
}

TEST_F(HistoryCommandBinaryTest, FailuresListEachRefusal) {
  auto run = history({"--failures", "--target", "tools"});
  ASSERT_EQ(run.exit_code, 0) << run.err;
  EXPECT_NE(run.out.find("  failures\n    "), std::string::npos) << run.out;
  std::size_t lines = 0;
  for (std::size_t at = 0; (at = run.out.find("  proxy_denied  proxy_connect  The proxy refused",
                                              at)) != std::string::npos;
       ++at) {
    ++lines;
  }
  EXPECT_EQ(lines, 3u) << run.out;
  EXPECT_EQ(run.out.find("target feed"), std::string::npos) << run.out;
}

TEST_F(HistoryCommandBinaryTest, JsonGivesTheProbesAndIntervalsFiltered) {
  json::object all = history_json({});
  EXPECT_EQ(all.at("format"), "proxywatch-history");
  EXPECT_EQ(all.at("probes").as_array().size(), 8u);
  EXPECT_EQ(all.at("health").as_array().size(), 3u);
  EXPECT_EQ(all.at("diagnoses").as_array().size(), 1u);
  json::object failed = history_json({"--failures"});
  EXPECT_EQ(failed.at("probes").as_array().size(), 3u);
  EXPECT_EQ(failed.at("failures_only"), true);
  json::object feed = history_json({"--service", "security_intelligence"});
  ASSERT_EQ(feed.at("probes").as_array().size(), 2u);
  EXPECT_EQ(feed.at("probes").as_array()[0].at("target"), "feed");
  EXPECT_EQ(feed.at("health").as_array().size(), 1u);
  EXPECT_TRUE(feed.at("diagnoses").as_array().empty());
  json::object none = history_json({"--from", "2020-01-01", "--to", "2020-01-02"});
  EXPECT_TRUE(none.at("probes").as_array().empty());
}

TEST_F(HistoryCommandBinaryTest, CsvHasOneRowPerProbe) {
  auto run = history({"--csv", "--target", "feed"});
  ASSERT_EQ(run.exit_code, 0) << run.err;
  EXPECT_TRUE(run.out.starts_with("at,at_unix_ms,proxy,target,service,outcome,")) << run.out;
  EXPECT_EQ(std::count(run.out.begin(), run.out.end(), '\n'), 3) << run.out;
  EXPECT_NE(run.out.find(",127.0.0.1:3128,feed,security_intelligence,ok,,33000,"),
            std::string::npos)
      << run.out;
}

TEST_F(HistoryCommandBinaryTest, TheConfigsStateDirHoldsTheDatabase) {
  auto yaml = dir_.write_file("proxywatch.yaml", "state_dir: " + dir_.path().string() + "\n");
  auto run = history({"--config", yaml.string(), "--target", "feed"}, false);
  ASSERT_EQ(run.exit_code, 0) << run.err;
  EXPECT_NE(run.out.find("history of " + db_), std::string::npos) << run.out;
  EXPECT_NE(run.out.find("target feed"), std::string::npos) << run.out;
}

TEST_F(HistoryCommandBinaryTest, AMissingOrForeignDatabaseExitsOne) {
  auto missing = history({"--db", (dir_.path() / "absent.db").string()}, false);
  EXPECT_EQ(missing.exit_code, 1);
  EXPECT_NE(missing.err.find("absent.db: no history database there"), std::string::npos)
      << missing.err;
  auto text = dir_.write_file("notes.txt", "these are not probes\n");
  auto foreign = history({"--db", text.string()}, false);
  EXPECT_EQ(foreign.exit_code, 1);
  EXPECT_NE(foreign.err.find("not a proxywatch history"), std::string::npos) << foreign.err;
  auto usage = history({"--since", "yesterday"});
  EXPECT_EQ(usage.exit_code, 2);
  EXPECT_NE(usage.err.find("write a duration as 90s"), std::string::npos) << usage.err;
}

// An HttpServer on 127.0.0.1:<free port> serving /history.json from `database`.
class HistoryRouteServer {
 public:
  explicit HistoryRouteServer(std::string database)
      : server_(io_, {boost::asio::ip::make_address("127.0.0.1"), 0},
                HttpServer::Handlers{{"/history.json", history_json_route(std::move(database))}}) {
    EXPECT_TRUE(server_.start());
    thread_ = std::thread([this] { io_.run(); });
  }
  ~HistoryRouteServer() {
    boost::asio::post(io_, [this] { server_.stop(); });
    work_.reset();
    thread_.join();
  }
  std::string get(const std::string& target) {
    return testing::http_get(server_.local_endpoint().port(), target);
  }

 private:
  boost::asio::io_context io_;
  boost::asio::executor_work_guard<boost::asio::io_context::executor_type> work_{
      io_.get_executor()};
  HttpServer server_;
  std::thread thread_;
};

TEST_F(HistoryCommandBinaryTest, HistoryJsonRouteServesTheSameDocument) {
  HistoryRouteServer server(db_);
  json::value doc = json::parse(server.get("/history.json?since=6h&target=tools&failures=1"));
  const json::object& o = doc.as_object();
  EXPECT_EQ(o.at("probes").as_array().size(), 3u);
  EXPECT_EQ(o.at("target"), "tools");
  EXPECT_EQ(o.at("probe_limit"), 10'000);
  EXPECT_EQ(o.at("truncated"), false);
  EXPECT_EQ(server.get("/history.json?service=licence"),
            "service: unknown service \"licence\": write one of licensing, "
            "security_intelligence, updates, amp, custom\n");
  EXPECT_NE(server.get("/history.json?since=6h&from=2026-01-01").find("since cannot be given"),
            std::string::npos);

  HistoryRouteServer empty((dir_.path() / "not-yet.db").string());
  json::value nothing = json::parse(empty.get("/history.json"));
  EXPECT_TRUE(nothing.at("probes").as_array().empty());
  EXPECT_TRUE(nothing.at("health").as_array().empty());
}

}  // namespace
}  // namespace proxywatch
