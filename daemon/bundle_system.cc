// The support bundle's parts about the machine: proxywatch's build, the OS and kernel, the
// interfaces and routes, the unit's journal; and the bounded runner of the commands they use.
#include <arpa/inet.h>
#include <fcntl.h>
#include <ifaddrs.h>
#include <net/if.h>
#include <netinet/in.h>
#include <poll.h>
#include <signal.h>
#include <spawn.h>
#include <sys/utsname.h>
#include <sys/wait.h>
#include <unistd.h>
#include <zlib.h>

#include <bit>
#include <cstdlib>
#include <filesystem>
#include <map>

#include <fmt/format.h>
#include <openssl/crypto.h>
#include <openssl/opensslv.h>
#include <boost/version.hpp>

#include "common/regular_file.h"
#include "daemon/bundle_collect.h"

extern char** environ;

namespace proxywatch {
namespace {

constexpr std::size_t kSystemFileBytes = 1 << 20;

// The file at `path` (bounded), or a line saying why it could not be read.
std::string file_or_why(const std::string& path) {
  auto text = read_regular_file(path, {.max_bytes = kSystemFileBytes});
  if (!text) return "(" + path + ": " + text.error().message + ")\n";
  return *text;
}

std::string version_text() {
  std::string exe;
  std::error_code ec;
  exe = std::filesystem::read_symlink("/proc/self/exe", ec).string();
  return fmt::format(
      "proxywatch {}\nbinary: {}\ncompiler: {}\nC++: {}\nBoost: {}\n"
      "OpenSSL: built with {}, running {}\nzlib: built with {}, running {}\n",
      PROXYWATCH_VERSION, exe.empty() ? "(unknown)" : exe,
#if defined(__clang__)
      "clang " __clang_version__,
#else
      "g++ " __VERSION__,
#endif
      __cplusplus, BOOST_LIB_VERSION, OPENSSL_VERSION_TEXT, OpenSSL_version(OPENSSL_VERSION),
      ZLIB_VERSION, zlibVersion());
}

std::string uname_text() {
  struct utsname u {};
  if (::uname(&u) != 0) return "(uname: " + errno_text(errno) + ")\n";
  return fmt::format("{} {} {} {} {}\n", u.sysname, u.nodename, u.release, u.version, u.machine);
}

// "10.0.0.5/24" of an address and its netmask.
std::string address_text(const sockaddr* address, const sockaddr* netmask) {
  char text[INET6_ADDRSTRLEN] = {};
  int prefix = 0;
  if (address->sa_family == AF_INET) {
    inet_ntop(AF_INET, &reinterpret_cast<const sockaddr_in*>(address)->sin_addr, text, sizeof text);
    if (netmask) {
      prefix = std::popcount(reinterpret_cast<const sockaddr_in*>(netmask)->sin_addr.s_addr);
    }
    return fmt::format("inet {}/{}", text, prefix);
  }
  inet_ntop(AF_INET6, &reinterpret_cast<const sockaddr_in6*>(address)->sin6_addr, text,
            sizeof text);
  if (netmask) {
    for (unsigned char byte : reinterpret_cast<const sockaddr_in6*>(netmask)->sin6_addr.s6_addr) {
      prefix += std::popcount(byte);
    }
  }
  return fmt::format("inet6 {}/{}", text, prefix);
}

struct NetInterface {
  unsigned flags = 0;
  std::vector<std::string> addresses;
};

std::string interface_line(const std::string& name, const NetInterface& i) {
  std::string mtu = file_or_why("/sys/class/net/" + name + "/mtu");
  while (!mtu.empty() && mtu.back() == '\n') mtu.pop_back();
  std::string out = fmt::format("{}: {}{}, mtu {}\n", name, (i.flags & IFF_UP) ? "up" : "down",
                                (i.flags & IFF_LOOPBACK) ? ", loopback" : "", mtu);
  for (const auto& a : i.addresses) out += "  " + a + "\n";
  return out;
}

Result<std::string> interfaces_text() {
  ifaddrs* list = nullptr;
  if (getifaddrs(&list) != 0) return error_text("getifaddrs: " + errno_text(errno));
  std::map<std::pair<unsigned, std::string>, NetInterface> by_index;
  for (ifaddrs* a = list; a; a = a->ifa_next) {
    NetInterface& i = by_index[{if_nametoindex(a->ifa_name), a->ifa_name}];
    i.flags = a->ifa_flags;
    if (a->ifa_addr && (a->ifa_addr->sa_family == AF_INET || a->ifa_addr->sa_family == AF_INET6)) {
      i.addresses.push_back(address_text(a->ifa_addr, a->ifa_netmask));
    }
  }
  freeifaddrs(list);
  std::string out;
  for (const auto& [key, i] : by_index) out += interface_line(key.second, i);
  return out;
}

// `argv`'s output for the bundle: the command line, its output, how it ended.
std::string command_text(const std::vector<std::string>& argv, std::size_t max_bytes) {
  std::string shown = "$";
  for (const auto& a : argv) shown += " " + a;
  auto run = run_bounded(argv, kBundleCommandTime, max_bytes);
  if (!run) return shown + "\n(" + run.error().message + ")\n";
  std::string out = shown + "\n" + run->out;
  if (!out.ends_with('\n')) out += '\n';
  if (run->timed_out) out += fmt::format("\n(stopped after {} s)\n", kBundleCommandTime.count());
  if (run->truncated) out += fmt::format("\n(stopped at {} bytes)\n", max_bytes);
  if (run->exit_status != 0) out += fmt::format("(exit status {})\n", run->exit_status);
  return out;
}

}  // namespace

std::optional<std::string> find_program(const std::string& program) {
  const char* path = std::getenv("PATH");
  std::string dirs = path ? path : "/usr/sbin:/usr/bin:/sbin:/bin";
  for (std::size_t start = 0; start <= dirs.size();) {
    std::size_t end = std::min(dirs.find(':', start), dirs.size());
    std::string candidate = dirs.substr(start, end - start) + "/" + program;
    if (end > start && ::access(candidate.c_str(), X_OK) == 0) return candidate;
    start = end + 1;
  }
  return std::nullopt;
}

Result<CommandOutput> run_bounded(const std::vector<std::string>& argv,
                                  std::chrono::milliseconds timeout, std::size_t max_bytes) {
  int fds[2];
  if (::pipe2(fds, O_CLOEXEC) != 0) return error_text("pipe: " + errno_text(errno));
  posix_spawn_file_actions_t actions;
  posix_spawn_file_actions_init(&actions);
  posix_spawn_file_actions_addopen(&actions, 0, "/dev/null", O_RDONLY, 0);
  posix_spawn_file_actions_adddup2(&actions, fds[1], 1);
  posix_spawn_file_actions_adddup2(&actions, fds[1], 2);
  std::vector<char*> args;
  for (const auto& a : argv) args.push_back(const_cast<char*>(a.c_str()));
  args.push_back(nullptr);
  pid_t pid = -1;
  int rc = posix_spawn(&pid, args[0], &actions, nullptr, args.data(), environ);
  posix_spawn_file_actions_destroy(&actions);
  ::close(fds[1]);
  if (rc != 0) {
    ::close(fds[0]);
    return error_text("cannot run " + argv[0] + ": " + errno_text(rc));
  }
  CommandOutput output;
  auto deadline = std::chrono::steady_clock::now() + timeout;
  char buffer[65536];
  for (;;) {
    auto left = std::chrono::duration_cast<std::chrono::milliseconds>(
        deadline - std::chrono::steady_clock::now());
    if (left.count() <= 0) {
      output.timed_out = true;
      break;
    }
    pollfd p{.fd = fds[0], .events = POLLIN, .revents = 0};
    if (::poll(&p, 1, static_cast<int>(left.count())) < 0 && errno != EINTR) break;
    ssize_t n = ::read(fds[0], buffer, sizeof buffer);
    if (n < 0 && (errno == EINTR || errno == EAGAIN)) continue;
    if (n <= 0) break;
    output.out.append(buffer, static_cast<std::size_t>(n));
    if (output.out.size() >= max_bytes) {
      output.out.resize(max_bytes);
      output.truncated = true;
      break;
    }
  }
  ::close(fds[0]);
  if (output.timed_out || output.truncated) ::kill(pid, SIGKILL);
  int status = 0;
  while (::waitpid(pid, &status, 0) < 0 && errno == EINTR) {
  }
  output.exit_status = WIFEXITED(status) ? WEXITSTATUS(status) : 128 + WTERMSIG(status);
  return output;
}

void collect_version_and_system(BundleContents& bundle) {
  bundle.add("version.txt", version_text(),
             "proxywatch's version, the binary, the compiler and the libraries it was built with");
  bundle.add("system.txt",
             "== /etc/os-release ==\n" + file_or_why("/etc/os-release") + "\n== uname -a ==\n" +
                 uname_text(),
             "the OS (/etc/os-release) and the kernel (uname)");
}

void collect_network(BundleContents& bundle) {
  if (auto text = interfaces_text()) {
    bundle.add("network/interfaces.txt", *text,
               "every interface: up or down, its MTU (/sys/class/net/*/mtu), its addresses");
  } else {
    bundle.gap("network/interfaces.txt", text.error().message);
  }
  if (auto ip = find_program("ip")) {
    bundle.add("network/routes.txt",
               command_text({*ip, "-4", "route", "show", "table", "all"}, kBundleCommandBytes) +
                   "\n" +
                   command_text({*ip, "-6", "route", "show", "table", "all"}, kBundleCommandBytes),
               "the routes of every table, from `ip route show table all` (IPv4 and IPv6)");
    return;
  }
  bundle.add("network/routes.txt",
             "== /proc/net/route ==\n" + file_or_why("/proc/net/route") +
                 "\n== /proc/net/ipv6_route ==\n" + file_or_why("/proc/net/ipv6_route"),
             "the routes as the kernel lists them in /proc/net/route and /proc/net/ipv6_route "
             "(hexadecimal; `ip` is not installed)");
}

void collect_journal(BundleContents& bundle) {
  auto journalctl = find_program("journalctl");
  if (!journalctl) {
    bundle.gap("journal.txt", "journalctl is not installed (no journald)");
    return;
  }
  // --lines keeps the newest entries should the day's exceed the bound.
  bundle.add("journal.txt",
             command_text({*journalctl, "-u", "proxywatch", "--since", "-24h", "-o",
                           "short-iso-precise", "--no-pager", "--lines", "100000"},
                          kBundleJournalBytes),
             fmt::format("the journal of the unit proxywatch.service over the last 24 h "
                         "(journalctl, the newest 100000 lines, at most {} MiB, {} s)",
                         kBundleJournalBytes >> 20, kBundleCommandTime.count()));
}

}  // namespace proxywatch
