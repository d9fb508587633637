// The credentials file and the systemd credential: the format (user on line 1, password on
// line 2, every byte kept), malformed files named without the password, and the privacy check.
#include "config/credentials.h"

#include <sys/stat.h>
#include <unistd.h>

#include <atomic>
#include <chrono>
#include <thread>

#include <gtest/gtest.h>

#include "tests/support/temp_dir.h"

namespace proxywatch {
namespace {

TEST(CredentialsFileTest, UserThenPasswordWithEveryCharacterKept) {
  auto parsed = config::parse_credentials("alice\r\n p:@#;\"\\ x \n", "f");
  ASSERT_TRUE(parsed) << parsed.error().to_string();
  EXPECT_EQ(parsed->user, "alice");
  EXPECT_EQ(parsed->password, " p:@#;\"\\ x ");
  EXPECT_TRUE(config::parse_credentials("bob\n\n", "f")) << "an empty line 2: empty password";
  EXPECT_FALSE(config::parse_credentials("bob\n", "f")) << "a forgotten password is an error";
}

TEST(CredentialsFileTest, MalformedFilesNameTheProblemNotThePassword) {
  auto one_line = config::parse_credentials("alice", "f");
  ASSERT_FALSE(one_line);
  EXPECT_NE(one_line.error().message.find("two lines"), std::string::npos);
  auto colon = config::parse_credentials("a:b\nsecret-pw\n", "f");
  ASSERT_FALSE(colon);
  EXPECT_EQ(colon.error().to_string(),
            "f:1:1: the user name (line 1) holds ':', which HTTP "
            "authentication forbids");
  auto control = config::parse_credentials("al\x1bice\nsecret-pw\n", "f");
  ASSERT_FALSE(control);
  EXPECT_EQ(control.error().to_string(), "f:1:1: the user name (line 1) holds a control character");
  auto extra = config::parse_credentials("a\nsecret-pw\nmore\n", "f");
  ASSERT_FALSE(extra);
  EXPECT_EQ(extra.error().where->line, 3);
  EXPECT_EQ(extra.error().to_string().find("secret-pw"), std::string::npos);
}

TEST(CredentialsFileTest, GroupOrWorldReadableFileIsRefused) {
  testing::TempDir dir("pw-cred");
  auto file = dir.write_file("credentials", "alice\nsecret-pw\n");
  ::chmod(file.c_str(), 0640);
  auto loaded = config::load_credentials(file.string(), std::nullopt);
  ASSERT_FALSE(loaded);
  EXPECT_NE(loaded.error().message.find("mode 0640"), std::string::npos) << loaded.error().message;
  ::chmod(file.c_str(), 0600);
  loaded = config::load_credentials(file.string(), std::nullopt);
  ASSERT_TRUE(loaded);
  ASSERT_TRUE(*loaded);
  EXPECT_EQ((*loaded)->credentials.user, "alice");
  EXPECT_EQ((*loaded)->source, "credentials file " + file.string());
}

TEST(CredentialsFileTest, PasswordFileIsOneLineAndPrivate) {
  testing::TempDir dir("pw-cred");
  auto file = dir.write_file("password", " p:@#;\"\\ x \r\n");
  ::chmod(file.c_str(), 0600);
  EXPECT_EQ(config::load_password_file(file.string()).value(), " p:@#;\"\\ x ");
  dir.write_file("password", "secret-pw\nsecond line\n");
  ::chmod(file.c_str(), 0600);
  auto two_lines = config::load_password_file(file.string());
  ASSERT_FALSE(two_lines);
  EXPECT_NE(two_lines.error().message.find("one line"), std::string::npos);
  EXPECT_EQ(two_lines.error().to_string().find("secret-pw"), std::string::npos);
  ::chmod(file.c_str(), 0604);
  auto open = config::load_password_file(file.string());
  ASSERT_FALSE(open);
  EXPECT_NE(open.error().message.find("mode 0604"), std::string::npos);
}

TEST(CredentialsFileTest, PrivacyIsJudgedOnTheDescriptorThatIsRead) {
  // A swapper renames a private and a shared file over the path while the loader runs: a
  // check by path and a second open could pass the private file and read the shared one.
  testing::TempDir dir("pw-cred");
  auto private_file = dir.write_file("private", "private-user\npw\n");
  auto shared_file = dir.write_file("shared", "shared-user\npw\n");
  ::chmod(private_file.c_str(), 0600);
  ::chmod(shared_file.c_str(), 0644);
  auto path = dir.path() / "credentials";
  auto tmp = (dir.path() / "tmp").string();
  std::atomic<bool> stop{false};
  std::thread swapper([&] {
    for (int i = 0; i < 2'000'000 && !stop; ++i) {
      const auto& from = i % 2 ? shared_file : private_file;
      if (::link(from.c_str(), tmp.c_str()) == 0) ::rename(tmp.c_str(), path.c_str());
    }
  });
  int shared_loaded = 0, loads = 0;
  auto deadline = std::chrono::steady_clock::now() + std::chrono::seconds(2);
  while (std::chrono::steady_clock::now() < deadline && loads < 200'000) {
    auto loaded = config::load_credentials(path.string(), std::nullopt);
    ++loads;
    if (loaded && *loaded && (*loaded)->credentials.user == "shared-user") ++shared_loaded;
  }
  stop = true;
  swapper.join();
  EXPECT_EQ(shared_loaded, 0) << "of " << loads << " loads";
}

TEST(CredentialsFileTest, SystemdCredentialIsUsedWhenNoFileIsNamed) {
  testing::TempDir dir("pw-cred");
  EXPECT_FALSE(config::load_credentials(std::nullopt, dir.path().string()).value());
  dir.write_file("proxy-credentials", "bob\npw\n");
  auto loaded = config::load_credentials(std::nullopt, dir.path().string());
  ASSERT_TRUE(loaded && *loaded);
  EXPECT_EQ((*loaded)->credentials.user, "bob");
  EXPECT_EQ((*loaded)->source, "systemd credential proxy-credentials");
  EXPECT_FALSE(config::load_credentials(std::nullopt, std::nullopt).value());
}

}  // namespace
}  // namespace proxywatch
