// The daemon with `capture:` enabled against a proxy that denies the tunnel (403 and FIN):
// it writes a capture of the failing probe that tcpdump reads, /status.json links it with its
// reading, and the listener (with basic auth users) serves the same bytes. Needs CAP_NET_RAW
// (CI runs as root); skipped without it.
#include <boost/asio/io_context.hpp>

#include "common/capture/packet_capture.h"
#include "tests/integration/tracker_daemon_fixture.h"

namespace proxywatch::testing {
namespace {

class CaptureDaemonTest : public TrackerDaemonFixture {
 protected:
  // curl -u against the daemon's plain-HTTP listener: the body, then the status code.
  ProcessResult curl(const std::string& path, bool with_user) {
    std::vector<std::string> argv = {"curl", "-sS",         "--max-time", "5",
                                     "-o",   "/dev/stdout", "-w",         "\n%{http_code}"};
    if (with_user) argv.insert(argv.end(), {"-u", "tac:capture-test"});
    argv.push_back("http://127.0.0.1:" + std::to_string(metrics_port_) + path);
    return run_process(argv, {}, 10s);
  }
};

TEST_F(CaptureDaemonTest, ADeniedProbesCaptureIsWrittenLinkedAndServedToUsersOnly) {
  {
    boost::asio::io_context io;
    auto capture = PacketCapture::open(io.get_executor());
    if (!capture) GTEST_SKIP() << capture.error();
  }
  const auto htpasswd = run_process({"htpasswd", "-nbB", "-C", "4", "tac", "capture-test"});
  ASSERT_EQ(htpasswd.exit_code, 0) << htpasswd.err;
  std::string hash = htpasswd.out.substr(htpasswd.out.find(':') + 1);
  hash = hash.substr(0, hash.find_first_of("\r\n"));
  dir_.write_file("web.yml", "basic_auth_users:\n  tac: " + hash + "\n");
  start_proxy_with(FakeProxy::Options{.behavior = TrackerBehavior::kStatus,
                                      .status_line = "HTTP/1.1 403 Forbidden"});
  write_yaml();
  std::string yaml = dir_.read_file("proxywatch.yaml");
  yaml_ = dir_.write_file("proxywatch.yaml",
                          yaml + "capture: {enabled: true, max_files: 3}\nweb_config_file: " +
                              (dir_.path() / "web.yml").string() + "\n");
  daemon_ = std::make_unique<ChildProcess>(
      std::vector<std::string>{PROXYWATCH_BINARY, "daemon", "--config", yaml_.string(),
                               "--log-target", "stderr"},
      dir_.path() / "daemon.log");

  std::string status;
  ASSERT_TRUE(wait_until(
      [&] {
        status = curl("/status.json", true).out;
        return status.find("\"capture\":{") != std::string::npos;
      },
      10s))
      << status << daemon_->log();
  auto at = status.find("\"file\":\"") + 8;
  const std::string name = status.substr(at, status.find('"', at) - at);
  EXPECT_NE(name.find("-origin-proxy_denied.pcap"), std::string::npos) << name;
  EXPECT_NE(status.find("\"url\":\"/captures/" + name + "\""), std::string::npos) << status;
  EXPECT_NE(status.find("\"reading\":\""), std::string::npos) << status;

  const std::string file = (dir_.path() / "captures" / name).string();
  ProcessResult read = run_process({"tcpdump", "-r", file, "-nn"}, {}, 10s);
  EXPECT_EQ(read.exit_code, 0) << read.err;
  EXPECT_NE(read.out.find("Flags [S]"), std::string::npos) << read.out;

  // The failure's probe_outcome_changed event names the file (stderr: KEY=value).
  EXPECT_TRUE(wait_until(
      [&] {
        return daemon_->log().find("CAPTURE_FILE=" + (dir_.path() / "captures").string()) !=
               std::string::npos;
      },
      2s))
      << daemon_->log();

  ProcessResult served = curl("/captures/" + name, true);
  ASSERT_TRUE(served.out.ends_with("\n200")) << served.out;
  EXPECT_EQ(served.out.substr(0, served.out.size() - 4), dir_.read_file("captures/" + name));
  EXPECT_TRUE(curl("/captures/%2e%2e/proxywatch.yaml", true).out.ends_with("404"));
  ProcessResult anonymous = curl("/captures/" + name, false);
  EXPECT_TRUE(anonymous.out.ends_with("401")) << anonymous.out;
}

}  // namespace
}  // namespace proxywatch::testing
