// The benchmark's scenario, for scripts/bench.sh: a real squid on loopback that resolves
// origin.test from its hosts_file only (never the machine's resolver), and a TLS origin on
// 127.0.0.1 with a certificate for origin.test and 127.0.0.1 signed by a CA made now. Every
// prober (proxywatch, blackbox_exporter, curl, openssl s_time) is pointed at the same two.
//   bench_scenario ENV_FILE
// Writes ENV_FILE (shell assignments: SQUID_PORT, ORIGIN_PORT, CA_FILE, SQUID_LOG, SERVED_FILE)
// once both listen, then runs until SIGTERM or SIGINT and removes everything it made. Every
// 20 ms it replaces SERVED_FILE with the number of HTTP requests the origin has answered: the
// script counts a prober's probes there, without scraping (and so loading) the prober. The
// origin runs on a thread of this process, squid in its own: neither is counted as a prober's
// CPU.
#include <signal.h>

#include <cstdio>
#include <ctime>
#include <exception>
#include <filesystem>
#include <fstream>
#include <string>

#include "tests/support/squid.h"
#include "tests/support/temp_dir.h"
#include "tests/support/test_pki.h"
#include "tests/support/tls_origin.h"

namespace {

using namespace proxywatch::testing;

// Blocks SIGTERM and SIGINT in every thread started after it, so sigwait() receives them.
sigset_t block_stop_signals() {
  sigset_t set;
  sigemptyset(&set);
  sigaddset(&set, SIGTERM);
  sigaddset(&set, SIGINT);
  pthread_sigmask(SIG_BLOCK, &set, nullptr);
  return set;
}

// Replaces `path` with the count, through a rename so a reader never sees half a number.
void write_count(const std::filesystem::path& path, std::size_t count) {
  std::filesystem::path next = path;
  next += ".next";
  std::ofstream(next, std::ios::trunc) << count << "\n";
  std::filesystem::rename(next, path);
}

int run(const std::string& env_file) {
  sigset_t stop = block_stop_signals();
  TempDir dir("proxywatch-bench");
  const CertificateAuthority& ca = shared_pki().ca;
  TlsOrigin origin;
  Squid squid(Squid::Options{.hosts = {{"origin.test", "127.0.0.1"}}});
  write_count(dir.path() / "served", 0);
  {
    std::ofstream env(env_file, std::ios::trunc);
    env << "SQUID_PORT=" << squid.port() << "\nORIGIN_PORT=" << origin.port()
        << "\nCA_FILE=" << ca.cert_file.string() << "\nSQUID_LOG=" << squid.dir().string()
        << "/cache.log\nSERVED_FILE=" << (dir.path() / "served").string() << "\n";
    if (!env) throw std::runtime_error("cannot write " + env_file);
  }
  const timespec tick{0, 20'000'000};
  while (sigtimedwait(&stop, nullptr, &tick) < 0) {
    write_count(dir.path() / "served", origin.requests_served());
  }
  return 0;
}

}  // namespace

int main(int argc, char** argv) {
  if (argc != 2) {
    std::fprintf(stderr, "usage: bench_scenario ENV_FILE\n");
    return 2;
  }
  try {
    return run(argv[1]);
  } catch (const std::exception& e) {
    std::fprintf(stderr, "bench_scenario: %s\n", e.what());
    return 1;
  }
}
