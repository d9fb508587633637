// The start-up check of the descriptor limit: what the probes need and when it warns. The
// limit itself is raised in a forked child, so the test process keeps its own.
#include "daemon/descriptor_limit.h"

#include <gtest/gtest.h>
#include <sys/resource.h>
#include <sys/wait.h>
#include <unistd.h>

namespace proxywatch {
namespace {

TEST(DescriptorLimitTest, NeedsTwoPerConcurrentProbePlusTheDaemonsOwn) {
  EXPECT_EQ(descriptors_needed(200, 64), 64 * kDescriptorsPerProbe + kDaemonOwnDescriptors);
  EXPECT_EQ(descriptors_needed(10, 64), 10 * kDescriptorsPerProbe + kDaemonOwnDescriptors);
  EXPECT_FALSE(descriptor_warning(65'536, descriptors_needed(10'000, 10'000)));
  auto warning = descriptor_warning(64, descriptors_needed(200, 64));
  ASSERT_TRUE(warning);
  EXPECT_NE(warning->find("file descriptor limit (64)"), std::string::npos) << *warning;
  EXPECT_NE(warning->find("local_error"), std::string::npos) << *warning;
}

TEST(DescriptorLimitTest, SoftLimitIsRaisedToTheHardOne) {
  pid_t child = fork();
  ASSERT_GE(child, 0);
  if (child == 0) {
    rlimit low{.rlim_cur = 64, .rlim_max = 256};
    if (setrlimit(RLIMIT_NOFILE, &low) != 0) _exit(2);
    raise_descriptor_limit(1, 1);
    rlimit now{};
    getrlimit(RLIMIT_NOFILE, &now);
    _exit(now.rlim_cur == 256 ? 0 : 1);
  }
  int status = 0;
  ASSERT_EQ(waitpid(child, &status, 0), child);
  ASSERT_TRUE(WIFEXITED(status));
  EXPECT_EQ(WEXITSTATUS(status), 0);
}

}  // namespace
}  // namespace proxywatch
