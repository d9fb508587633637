// scripts/bench.sh must not rot: its --quick run (a few probes of every prober, proxywatch at 1
// and 100 targets) finishes and prints every row of the table. The figures themselves are not
// judged here (a loaded CI machine would make that a coin toss); docs/benchmarks.md has them.
#include "tests/support/process.h"

#include <gtest/gtest.h>

#include <filesystem>
#include <string>

namespace proxywatch::testing {
namespace {

TEST(BenchScriptTest, QuickRunPrintsEveryRow) {
  // The build directory holds daemon/proxywatch and tests/bench_scenario, store_bench.
  const std::filesystem::path build = std::filesystem::path(PROXYWATCH_BINARY).parent_path().parent_path();
  ProcessResult run = run_process({"bash", PROXYWATCH_SOURCE_DIR "/scripts/bench.sh", "--quick",
                                   "--build", build.string()},
                                  {}, std::chrono::seconds(110));
  ASSERT_FALSE(run.timed_out) << run.out << run.err;
  ASSERT_EQ(run.exit_code, 0) << run.out << run.err;
  for (const char* row : {"| proxywatch daemon, 10 targets at 1 s (round 1) |",
                          "| blackbox_exporter 0.23.0, /probe one after another (round 1) |",
                          "| `curl -x`, a process per probe (round 1) |",
                          "| `proxywatch check`, a process per probe (round 1) |",
                          "| `openssl s_time -new` to the origin, no proxy (round 1) |",
                          "| proxywatch daemon, 2 targets (the default shape), idle |",
                          "| proxywatch daemon, 2 targets, system trust store, idle |",
                          "| proxywatch daemon, 1 target(s) |", "| proxywatch daemon, 100 target(s) |",
                          "proxywatch / blackbox_exporter = ", "Load average"}) {
    EXPECT_NE(run.out.find(row), std::string::npos) << "missing: " << row << "\n" << run.out;
  }
}

}  // namespace
}  // namespace proxywatch::testing
