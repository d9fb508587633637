// Scenarios that need a network of their own: a proxy name that does not resolve (and a DNS
// server that never answers), and a proxy whose SYNs are dropped. Each test makes a network
// namespace whose resolv.conf points at loopback (`ip netns exec` reads
// /etc/netns/NAME/resolv.conf), so the machine's own resolver is never asked anything.
#include <fcntl.h>
#include <gtest/gtest.h>
#include <netinet/in.h>
#include <sched.h>
#include <sys/socket.h>
#include <unistd.h>
#include <boost/json.hpp>

#include <filesystem>
#include <fstream>
#include <thread>

#include "tests/support/process.h"

namespace proxywatch {
namespace {

namespace json = boost::json;

// A network namespace with only loopback, up, and a resolv.conf naming 127.0.0.1.
class NetNamespace {
 public:
  NetNamespace() : name_("pwtest-" + std::to_string(getpid()) + "-" + std::to_string(++count_)) {
    ip({"netns", "add", name_});
    ip({"-n", name_, "link", "set", "lo", "up"});
    std::filesystem::create_directories(etc_dir());
    std::ofstream(etc_dir() / "resolv.conf")
        << "nameserver 127.0.0.1\noptions timeout:5 attempts:1\n";
  }
  ~NetNamespace() {
    testing::run_process({"ip", "netns", "del", name_});
    std::error_code ignored;
    std::filesystem::remove_all(etc_dir(), ignored);
  }
  NetNamespace(const NetNamespace&) = delete;
  NetNamespace& operator=(const NetNamespace&) = delete;

  // A UDP socket bound to 127.0.0.1:port inside the namespace that reads nothing: a DNS
  // server that never answers. The socket stays in the namespace after the helper thread
  // that created it (setns(2) changes only that thread) is gone. Closed by the caller.
  int silent_udp(std::uint16_t port) const {
    int fd = -1;
    std::thread([&] {
      int ns = open(("/var/run/netns/" + name_).c_str(), O_RDONLY | O_CLOEXEC);
      if (ns < 0 || setns(ns, CLONE_NEWNET) != 0) return;
      close(ns);
      fd = socket(AF_INET, SOCK_DGRAM | SOCK_CLOEXEC, 0);
      sockaddr_in addr{};
      addr.sin_family = AF_INET;
      addr.sin_port = htons(port);
      addr.sin_addr.s_addr = htonl(INADDR_LOOPBACK);
      if (bind(fd, reinterpret_cast<sockaddr*>(&addr), sizeof addr) != 0) {
        close(fd);
        fd = -1;
      }
    }).join();
    return fd;
  }

  // Runs argv inside the namespace.
  testing::ProcessResult exec(std::vector<std::string> argv) const {
    argv.insert(argv.begin(), {"ip", "netns", "exec", name_});
    return testing::run_process(argv, {}, std::chrono::seconds(60));
  }

 private:
  std::filesystem::path etc_dir() const { return "/etc/netns/" + name_; }
  static void ip(std::vector<std::string> args) {
    args.insert(args.begin(), "ip");
    auto r = testing::run_process(args);
    ASSERT_EQ(r.exit_code, 0) << r.err;
  }

  static inline int count_ = 0;
  std::string name_;
};

json::object check_json(const NetNamespace& ns, std::vector<std::string> args, int* exit_code) {
  args.insert(args.begin(), {PROXYWATCH_BINARY, "check", "--json"});
  auto run = ns.exec(args);
  *exit_code = run.exit_code.value_or(-1);
  boost::system::error_code ec;
  auto value = json::parse(run.out, ec);
  EXPECT_FALSE(ec) << run.out << run.err;
  return ec ? json::object() : value.as_object();
}

TEST(CheckNetnsTest, ProxyNameThatDoesNotResolveIsDnsFailed) {
  NetNamespace ns;
  int exit_code = -1;
  auto r = check_json(ns,
                      {"--proxy", "proxy.does-not-exist.test:3128", "--target", "tools.cisco.com",
                       "--timeout", "3"},
                      &exit_code);
  EXPECT_EQ(r["outcome"].as_string(), "dns_failed");
  EXPECT_EQ(r["phase"].as_string(), "dns");
  EXPECT_EQ(exit_code, 1);
  EXPECT_NE(r["diagnosis"].as_string().find("proxy.does-not-exist.test"), std::string::npos);
}

TEST(CheckNetnsTest, SilentDnsServerIsDnsFailedAtTheDeadline) {
  NetNamespace ns;
  int dns = ns.silent_udp(53);
  ASSERT_GE(dns, 0);
  int exit_code = -1;
  auto start = std::chrono::steady_clock::now();
  auto r = check_json(
      ns, {"--proxy", "proxy.example.test:3128", "--target", "tools.cisco.com", "--timeout", "1"},
      &exit_code);
  auto took = std::chrono::steady_clock::now() - start;
  EXPECT_EQ(r["outcome"].as_string(), "dns_failed");
  EXPECT_EQ(r["phase"].as_string(), "dns");
  EXPECT_GE(r["phases_us"].as_object()["dns"].to_number<double>(), 0.9e6);
  // The abandoned lookup (resolver timeout 5 s) does not hold the command.
  EXPECT_LT(took, std::chrono::milliseconds(4500));
  close(dns);
}

TEST(CheckNetnsTest, DroppedSynIsTcpTimeout) {
  NetNamespace ns;
  auto drop =
      ns.exec({"iptables", "-A", "INPUT", "-p", "tcp", "--syn", "--dport", "3128", "-j", "DROP"});
  ASSERT_EQ(drop.exit_code, 0) << drop.err;
  int exit_code = -1;
  auto r =
      check_json(ns, {"--proxy", "127.0.0.1:3128", "--target", "tools.cisco.com", "--timeout", "1"},
                 &exit_code);
  EXPECT_EQ(r["outcome"].as_string(), "tcp_timeout");
  EXPECT_EQ(r["phase"].as_string(), "tcp_connect");
  EXPECT_GE(r["phases_us"].as_object()["tcp_connect"].to_number<double>(), 0.9e6);
  EXPECT_EQ(exit_code, 1);
}

}  // namespace
}  // namespace proxywatch
