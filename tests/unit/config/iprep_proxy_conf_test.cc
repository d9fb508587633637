// Tests for config/iprep_proxy_conf.h, what is accepted: every layout FMC (or an operator with
// an editor) may produce, the Smart Licensing FQDN warning, that passwords never leak, and
// loading the file. Every error with its exact line and column is in
// iprep_proxy_conf_errors_test.cc.
#include "config/iprep_proxy_conf.h"

#include <chrono>
#include <filesystem>

#include <gtest/gtest.h>

#include "tests/support/temp_dir.h"
#include "tests/unit/config/iprep_proxy_conf_checks.h"

namespace proxywatch::config {
namespace {

using iprep_checks::expect_proxy_error;
using iprep_checks::kFile;
using iprep_checks::kSecret;
using iprep_checks::parse_proxy_error;
using iprep_checks::parse_proxy_ok;

// ---- accepted layouts ----

TEST(IprepProxyConfTest, FmcLayoutParses) {
  auto settings = parse_proxy_ok("iprep_proxy {\n  PROXY_HOST 10.10.10.1;\n  PROXY_PORT 80;\n}\n");
  EXPECT_EQ(settings.proxy, (HostPort{"10.10.10.1", 80}));
  EXPECT_FALSE(settings.user);
  EXPECT_FALSE(settings.password);
  EXPECT_TRUE(settings.warnings.empty());
  EXPECT_TRUE(settings.unknown.empty());
}

TEST(IprepProxyConfTest, AllOnOneLineParses) {
  auto settings = parse_proxy_ok("iprep_proxy { PROXY_HOST 10.10.10.1; PROXY_PORT 80; }");
  EXPECT_EQ(settings.proxy, (HostPort{"10.10.10.1", 80}));
}

TEST(IprepProxyConfTest, TabsAndCrlfParse) {
  auto settings =
      parse_proxy_ok("iprep_proxy\t{\r\n\tPROXY_HOST\t10.10.10.1;\r\n\tPROXY_PORT\t80;\r\n}\r\n");
  EXPECT_EQ(settings.proxy, (HostPort{"10.10.10.1", 80}));
}

TEST(IprepProxyConfTest, NoSpaceAroundPunctuationParses) {
  auto settings = parse_proxy_ok("iprep_proxy{PROXY_HOST proxy.example.com;PROXY_PORT 3128;}");
  EXPECT_EQ(settings.proxy, (HostPort{"proxy.example.com", 3128}));
}

TEST(IprepProxyConfTest, BlankLinesAndCommentsAreIgnored) {
  auto settings = parse_proxy_ok(
      "# written by FMC\n\n\niprep_proxy { # the block\n\n  PROXY_HOST 10.1.1.1; # proxy\n"
      "  # PROXY_PORT 1;\n\n  PROXY_PORT 8080;\n}\n# end\n");
  EXPECT_EQ(settings.proxy, (HostPort{"10.1.1.1", 8080}));
}

TEST(IprepProxyConfTest, NoTrailingNewlineParses) {
  EXPECT_EQ(parse_proxy_ok("iprep_proxy {\n PROXY_HOST h;\n PROXY_PORT 1;\n}").proxy,
            (HostPort{"h", 1}));
}

TEST(IprepProxyConfTest, Utf8ByteOrderMarkIsSkipped) {
  auto settings = parse_proxy_ok("\xEF\xBB\xBFiprep_proxy { PROXY_HOST 10.1.1.1; PROXY_PORT 80; }");
  EXPECT_EQ(settings.proxy.host, "10.1.1.1");
}

TEST(IprepProxyConfTest, QuotedValuesParse) {
  auto settings =
      parse_proxy_ok("iprep_proxy { PROXY_HOST \"proxy.example.com\"; PROXY_PORT \"80\"; }");
  EXPECT_EQ(settings.proxy, (HostPort{"proxy.example.com", 80}));
}

TEST(IprepProxyConfTest, QuotedValuesResolveEscapesAndKeepOtherBackslashes) {
  auto settings = parse_proxy_ok(
      "iprep_proxy {\n PROXY_HOST p;\n PROXY_PORT 80;\n PROXY_USER \"DOMAIN\\user\";\n"
      " PROXY_PASSWORD \"a\\\"b;c\\\\d #e{f}\";\n}\n");
  EXPECT_EQ(settings.user, "DOMAIN\\user");
  EXPECT_EQ(settings.password, "a\"b;c\\d #e{f}");
}

TEST(IprepProxyConfTest, HashInsideAWordIsNotAComment) {
  auto settings =
      parse_proxy_ok("iprep_proxy { PROXY_HOST p; PROXY_PORT 80; PROXY_PASSWORD ab#cd; }");
  EXPECT_EQ(settings.password, "ab#cd");
}

TEST(IprepProxyConfTest, Ipv6HostParsesBareAndBracketed) {
  EXPECT_EQ(parse_proxy_ok("iprep_proxy { PROXY_HOST 2001:db8::1; PROXY_PORT 80; }").proxy,
            (HostPort{"2001:db8::1", 80}));
  EXPECT_EQ(parse_proxy_ok("iprep_proxy { PROXY_HOST [2001:db8::1]; PROXY_PORT 80; }").proxy,
            (HostPort{"2001:db8::1", 80}));
  EXPECT_EQ(parse_proxy_ok("iprep_proxy { PROXY_HOST \"[::1]\"; PROXY_PORT 3128; }").proxy,
            (HostPort{"::1", 3128}));
}

TEST(IprepProxyConfTest, FqdnHostParses) {
  auto settings =
      parse_proxy_ok("iprep_proxy { PROXY_HOST proxy-1.corp_net.example.com.; PROXY_PORT 80; }");
  EXPECT_EQ(settings.proxy.host, "proxy-1.corp_net.example.com.");
}

TEST(IprepProxyConfTest, PortWithLeadingZerosAndExtremesParse) {
  EXPECT_EQ(parse_proxy_ok("iprep_proxy { PROXY_HOST h; PROXY_PORT 080; }").proxy.port, 80);
  EXPECT_EQ(parse_proxy_ok("iprep_proxy { PROXY_HOST h; PROXY_PORT 1; }").proxy.port, 1);
  EXPECT_EQ(parse_proxy_ok("iprep_proxy { PROXY_HOST h; PROXY_PORT 65535; }").proxy.port, 65535);
}

TEST(IprepProxyConfTest, UserAndPasswordAndTheirAliasesAreKept) {
  auto settings = parse_proxy_ok(
      "iprep_proxy { PROXY_HOST h; PROXY_PORT 80; PROXY_USER alice; PROXY_PASSWORD pw1; }");
  EXPECT_EQ(settings.user, "alice");
  EXPECT_EQ(settings.password, "pw1");
  settings = parse_proxy_ok(
      "iprep_proxy { PROXY_HOST h; PROXY_PORT 80; PROXY_USERNAME bob; PROXY_PASS pw2; }");
  EXPECT_EQ(settings.user, "bob");
  EXPECT_EQ(settings.password, "pw2");
  EXPECT_TRUE(settings.warnings.empty());
}

TEST(IprepProxyConfTest, EmptyUserAndPasswordCountAsUnset) {
  auto settings = parse_proxy_ok(
      "iprep_proxy { PROXY_HOST h; PROXY_PORT 80; PROXY_USER \"\"; PROXY_PASSWORD \"\"; }");
  EXPECT_FALSE(settings.user);
  EXPECT_FALSE(settings.password);
}

TEST(IprepProxyConfTest, UnknownKeysAreKeptWithAWarning) {
  auto settings = parse_proxy_ok(
      "iprep_proxy {\n  PROXY_HOST h;\n  PROXY_PORT 80;\n  PROXY_TYPE \"http\";\n}\n");
  ASSERT_EQ(settings.unknown.size(), 1u);
  EXPECT_EQ(settings.unknown[0].key, "PROXY_TYPE");
  EXPECT_EQ(settings.unknown[0].value, "http");
  EXPECT_EQ(settings.unknown[0].line, 4);
  EXPECT_EQ(settings.unknown[0].column, 3);
  ASSERT_EQ(settings.warnings.size(), 1u);
  EXPECT_EQ(settings.warnings[0].to_string(),
            "/etc/sf/iprep_proxy.conf:4:3: unknown key PROXY_TYPE in the iprep_proxy block is "
            "ignored");
}

// ---- the Smart Licensing FQDN limit ----

TEST(IprepProxyConfTest, FqdnLongerThan64CharactersWarnsAboutSmartLicensing) {
  std::string host = std::string(61, 'a') + ".com0";  // 66 characters
  auto settings =
      parse_proxy_ok("iprep_proxy {\n  PROXY_HOST " + host + ";\n  PROXY_PORT 80;\n}\n");
  EXPECT_EQ(settings.proxy.host, host);
  ASSERT_EQ(settings.warnings.size(), 1u);
  const ConfigWarning& warning = settings.warnings[0];
  EXPECT_EQ(warning.where.line, 2);
  EXPECT_EQ(warning.where.column, 14);
  EXPECT_EQ(warning.where.key_path, "PROXY_HOST");
  EXPECT_NE(warning.message.find("66 characters"), std::string::npos) << warning.message;
  EXPECT_NE(warning.message.find("Smart Licensing"), std::string::npos) << warning.message;
  EXPECT_NE(warning.message.find("at most 64"), std::string::npos) << warning.message;
}

TEST(IprepProxyConfTest, FqdnOfExactly64CharactersDoesNotWarn) {
  std::string host = std::string(60, 'a') + ".com";
  ASSERT_EQ(host.size(), 64u);
  auto settings = parse_proxy_ok("iprep_proxy { PROXY_HOST " + host + "; PROXY_PORT 80; }");
  EXPECT_TRUE(settings.warnings.empty());
}
// ---- passwords never leak ----

TEST(IprepProxyConfTest, PasswordNeverAppearsInErrorsOrWarnings) {
  std::string s(kSecret);
  const std::string kHead = "iprep_proxy {\n PROXY_HOST h;\n PROXY_PORT 80;\n";
  for (const std::string& text : {
           kHead + " PROXY_PASSWORD " + s + "\n}",                   // missing ';'
           kHead + " PROXY_PASSWORD \"" + s + "\n}",                 // unterminated quote
           kHead + " PROXY_PASSWORD Fmc;" + s + "\n}",               // cut: no final ';'
           kHead + " PROXY_PASSWORD Fmc;" + s + " 99\n}",            // cut, with a space
           kHead + " PROXY_PASWORD Fmc;" + s + "\n}",                // misspelt key, cut
           kHead + " PROXY_PASSWORD Fmc;" + s + "#x\n}",             // cut before a '#'
           kHead + " PROXY_PASSWORD=" + s + ";\n}",                  // '=' instead of space
           kHead + " PROXY_PASSWORD x;\n PROXY_PASS " + s + ";\n}",  // duplicate via alias
           kHead + " PROXY_PASSWORD " + s + ";\n PROXY_PASSWORD " + s + ";\n}",
           kHead + " PROXY_PASSWORD " + s + ";\n",  // unterminated block
           kHead + " PROXY_PASSWORD \"" + s + "\" \"" + s + "\";\n}",
           kHead + " \"" + s + "\";\n}",  // quoted where a key goes
       }) {
    Error error = parse_proxy_error(text);
    EXPECT_EQ(error.to_string().find(s), std::string::npos) << error.to_string();
    EXPECT_EQ(error.where->key_path.find(s), std::string::npos);
  }
  auto settings = parse_proxy_ok(kHead + " PROXY_PASSWD " + s + ";\n PROXY_PASSWORD " + s + ";\n}");
  EXPECT_EQ(settings.password, s);
  ASSERT_EQ(settings.warnings.size(), 1u);
  EXPECT_EQ(settings.warnings[0].to_string().find(s), std::string::npos);
}

TEST(IprepProxyConfTest, PasswordRunsToTheLastSemicolonOfItsLine) {
  const std::string kHead = "iprep_proxy {\n PROXY_HOST h;\n PROXY_PORT 80;\n";
  EXPECT_EQ(parse_proxy_ok(kHead + " PROXY_PASSWORD Fmc;Secret99;\n}\n").password, "Fmc;Secret99");
  EXPECT_EQ(parse_proxy_ok(kHead + " PROXY_PASSWORD Fmc;Secret 99;\n}\n").password,
            "Fmc;Secret 99");
  EXPECT_EQ(parse_proxy_ok(kHead + " PROXY_PASSWORD Fmc;Secret99;\r\n}\r\n").password,
            "Fmc;Secret99");
  EXPECT_EQ(parse_proxy_ok(kHead + " PROXY_PASS\tx;y ;  # note\n}").password, "x;y");
  EXPECT_EQ(
      parse_proxy_ok("iprep_proxy { PROXY_HOST h; PROXY_PORT 80; PROXY_PASSWORD a;b; }").password,
      "a;b");
}

TEST(IprepProxyConfTest, PasswordOfEveryCharacterTheGuiAcceptsParsesWhole) {
  // The guide: "A-Z, a-z und 0-9 sowie Sonderzeichen" -- every printable ASCII special.
  const std::string password = "Az09!\"#$%&'()*+,-./:;<=>?@[\\]^_`{|}~ x;";
  auto settings =
      parse_proxy_ok("iprep_proxy {\n PROXY_HOST h;\n PROXY_PORT 80;\n PROXY_PASSWORD " + password +
                     ";\n PROXY_USER u;\n}\n");
  EXPECT_EQ(settings.password, password);
  EXPECT_EQ(settings.user, "u");
}

TEST(IprepProxyConfTest, CutPasswordIsErrorNamingKeyAndLineOnly) {
  Error error = parse_proxy_error(
      "iprep_proxy {\n PROXY_HOST h;\n PROXY_PORT 80;\n PROXY_PASSWORD Fmc;Secret99\n}\n");
  EXPECT_EQ(error.where->line, 4);
  EXPECT_EQ(error.where->key_path, "PROXY_PASSWORD");
  EXPECT_NE(error.message.find("PROXY_PASSWORD"), std::string::npos) << error.message;
  EXPECT_EQ(error.to_string().find("Secret99"), std::string::npos) << error.to_string();
  EXPECT_EQ(error.to_string().find("Fmc"), std::string::npos) << error.to_string();
}
// ---- load_proxy_file ----

// A fresh directory: file(NAME) is the path of NAME in it, write(NAME, TEXT) writes it.
class ProxyFileDir {
 public:
  std::string file(std::string_view name) const { return (dir_.path() / name).string(); }
  std::string write(std::string_view name, std::string_view text) const {
    return dir_.write_file(name, text).string();
  }

 private:
  testing::TempDir dir_{"proxywatch-test"};
};

TEST(IprepProxyConfTest, LoadAbsentFileMeansProxyDisabled) {
  ProxyFileDir dir;
  auto result = load_proxy_file(dir.file("iprep_proxy.conf"));
  ASSERT_TRUE(result) << result.error().to_string();
  EXPECT_FALSE(*result);
}

TEST(IprepProxyConfTest, LoadDanglingSymlinkMeansProxyDisabled) {
  ProxyFileDir dir;
  std::filesystem::create_symlink(dir.file("gone"), dir.file("iprep_proxy.conf"));
  auto result = load_proxy_file(dir.file("iprep_proxy.conf"));
  ASSERT_TRUE(result) << result.error().to_string();
  EXPECT_FALSE(*result);
}

TEST(IprepProxyConfTest, LoadUnreadableFileIsUnreadableError) {
  ProxyFileDir dir;
  std::filesystem::create_directory(dir.file("iprep_proxy.conf"));
  auto result = load_proxy_file(dir.file("iprep_proxy.conf"));
  ASSERT_FALSE(result);
  EXPECT_EQ(result.error().kind, Error::Kind::kUnreadable);
  EXPECT_EQ(result.error().where->line, 0);
  EXPECT_EQ(result.error().to_string(),
            dir.file("iprep_proxy.conf") + ": cannot read: Is a directory");
}

TEST(IprepProxyConfTest, LoadFileThatDoesNotParseIsInvalidErrorNamingThePath) {
  ProxyFileDir dir;
  std::string path = dir.write("iprep_proxy.conf", "iprep_proxy {\n  PROXY_HOST h;\n}\n");
  auto result = load_proxy_file(path);
  ASSERT_FALSE(result);
  EXPECT_EQ(result.error().kind, Error::Kind::kInvalid);
  EXPECT_EQ(result.error().to_string(), path + ":3:1: the iprep_proxy block has no PROXY_PORT");
}

TEST(IprepProxyConfTest, LoadGoodFileGivesSettings) {
  ProxyFileDir dir;
  std::string path =
      dir.write("iprep_proxy.conf", "iprep_proxy { PROXY_HOST 10.1.1.1; PROXY_PORT 80; }");
  auto result = load_proxy_file(path);
  ASSERT_TRUE(result) << result.error().to_string();
  ASSERT_TRUE(*result);
  EXPECT_EQ((*result)->proxy, (HostPort{"10.1.1.1", 80}));
}

}  // namespace
}  // namespace proxywatch::config
