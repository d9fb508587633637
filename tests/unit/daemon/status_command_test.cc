// `proxywatch status` against an HttpServer on loopback that serves a fixed /status.json:
// exit 0 when every target is healthy, 1 when one is not, 2 when nothing answers (with a
// sentence naming the address and where it came from) or the answer is not a status document.
#include "daemon/status_command.h"

#include <gtest/gtest.h>

#include <thread>

#include <boost/asio/executor_work_guard.hpp>
#include <boost/asio/io_context.hpp>

#include "common/output/print/result_json.h"
#include "common/output/status/status_json.h"
#include "common/output/web/http_server.h"
#include "tests/support/command_run.h"
#include "tests/support/temp_dir.h"

namespace proxywatch {
namespace {

namespace asio = boost::asio;

StatusSnapshot snapshot(HealthState second) {
  StatusSnapshot s{.version = "1.0",
                   .generated = std::chrono::system_clock::now(),
                   .proxy = "127.0.0.1:3128",
                   .proxy_file = "/etc/sf/iprep_proxy.conf"};
  s.targets.push_back(TargetStatus{
      .name = "tools", .destination = "tools.cisco.com:443", .health = HealthState::kHealthy});
  s.targets.push_back(TargetStatus{
      .name = "smart", .destination = "smartreceiver.cisco.com:443", .health = second});
  return s;
}

// An HttpServer on 127.0.0.1:<free port> answering /status.json with `body`, on its own thread.
class StatusServer {
 public:
  explicit StatusServer(std::string body, unsigned status = 200)
      : server_(io_, {asio::ip::make_address("127.0.0.1"), 0},
                HttpServer::Handlers{{"/status.json", [body, status](const HttpQuery&) {
                                        return HttpResponse{status, "application/json", body};
                                      }}}) {
    EXPECT_TRUE(server_.start());
    thread_ = std::thread([this] { io_.run(); });
  }
  ~StatusServer() {
    asio::post(io_, [this] { server_.stop(); });
    work_.reset();
    thread_.join();
  }
  std::string address() const {
    return "127.0.0.1:" + std::to_string(server_.local_endpoint().port());
  }

 private:
  asio::io_context io_;
  asio::executor_work_guard<asio::io_context::executor_type> work_{io_.get_executor()};
  HttpServer server_;
  std::thread thread_;
};

using testing::CommandRun;

CommandRun status(const std::vector<std::string>& args) {
  return testing::run_command(run_status_command, args);
}

TEST(StatusCommandTest, AllHealthyExitsZeroAndPrintsABlockPerTarget) {
  StatusServer server(proxywatch::serialize(to_json(snapshot(HealthState::kHealthy))));
  CommandRun run = status({"--listen", server.address()});
  EXPECT_EQ(run.status, kExitStatusHealthy) << run.err;
  EXPECT_NE(run.out.find("proxywatch 1.0 at " + server.address() + ": proxy 127.0.0.1:3128"),
            std::string::npos)
      << run.out;
  EXPECT_NE(run.out.find("\ntools (tools.cisco.com:443; custom targets): healthy\n"),
            std::string::npos);
  EXPECT_NE(run.out.find("\nsmart (smartreceiver.cisco.com:443; custom targets): healthy\n"),
            std::string::npos);
}

TEST(StatusCommandTest, OneTargetNotHealthyExitsOne) {
  StatusServer server(proxywatch::serialize(to_json(snapshot(HealthState::kFailing))));
  CommandRun run = status({"--listen", server.address()});
  EXPECT_EQ(run.status, kExitStatusNotHealthy) << run.err;
  EXPECT_NE(run.out.find("smart (smartreceiver.cisco.com:443; custom targets): failing"),
            std::string::npos);
}

TEST(StatusCommandTest, JsonPrintsTheDocumentAsSent) {
  std::string body = proxywatch::serialize(to_json(snapshot(HealthState::kHealthy)));
  StatusServer server(body);
  CommandRun run = status({"--listen", server.address(), "--json"});
  EXPECT_EQ(run.status, kExitStatusHealthy);
  EXPECT_EQ(run.out, body);
}

TEST(StatusCommandTest, NothingListeningExitsTwoNamingTheAddress) {
  std::string address;
  {
    StatusServer gone("{}");
    address = gone.address();
  }
  CommandRun run = status({"--listen", address});
  EXPECT_EQ(run.status, kExitStatusUnreachable);
  EXPECT_EQ(run.out, "");
  EXPECT_NE(
      run.err.find("cannot reach the daemon at http://" + address + "/status.json (--listen)"),
      std::string::npos)
      << run.err;
}

TEST(StatusCommandTest, TheYamlsMetricsListenIsTheDefault) {
  StatusServer server(proxywatch::serialize(to_json(snapshot(HealthState::kHealthy))));
  testing::TempDir dir("pw-status");
  auto yaml = dir.write_file("proxywatch.yaml", "metrics_listen: " + server.address() + "\n");
  CommandRun run = status({"--config", yaml.string()});
  EXPECT_EQ(run.status, kExitStatusHealthy) << run.err;
  CommandRun missing = status({"--config", (dir.path() / "absent.yaml").string()});
  EXPECT_EQ(missing.status, kExitStatusUnreachable);
  EXPECT_NE(missing.err.find("absent.yaml"), std::string::npos) << missing.err;
}

TEST(StatusCommandTest, AnAnswerThatIsNotAStatusDocumentExitsTwo) {
  StatusServer server("{\"hello\": 1}");
  CommandRun run = status({"--listen", server.address()});
  EXPECT_EQ(run.status, kExitStatusUnreachable);
  EXPECT_NE(run.err.find("is not proxywatch's status"), std::string::npos) << run.err;
  StatusServer not_found("nope", 404);
  CommandRun run404 = status({"--listen", not_found.address()});
  EXPECT_EQ(run404.status, kExitStatusUnreachable);
  EXPECT_NE(run404.err.find("it answered 404"), std::string::npos) << run404.err;
  StatusServer with_auth("unauthorized", 401);
  CommandRun run401 = status({"--listen", with_auth.address()});
  EXPECT_EQ(run401.status, kExitStatusUnreachable);
  EXPECT_NE(run401.err.find("requires basic authentication"), std::string::npos) << run401.err;
}

}  // namespace
}  // namespace proxywatch
