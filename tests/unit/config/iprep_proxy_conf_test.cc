// Tests for config/iprep_proxy_conf.h: every layout FMC (or an operator with an editor) may
// produce, every error with its exact line and column, and that passwords never leak.
#include "config/iprep_proxy_conf.h"

#include <chrono>
#include <filesystem>
#include <fstream>

#include <gtest/gtest.h>
#include <stdlib.h>

namespace proxywatch::config {
namespace {

constexpr std::string_view kFile = "/etc/sf/iprep_proxy.conf";
constexpr std::string_view kSecret = "S3cr3t!pw";

ProxyFileSettings parse_ok(std::string_view text) {
  auto result = parse_iprep_proxy_conf(text, kFile);
  EXPECT_TRUE(result) << (result ? "" : result.error().to_string());
  return result ? *result : ProxyFileSettings{};
}

ConfigError parse_error(std::string_view text) {
  auto result = parse_iprep_proxy_conf(text, kFile);
  EXPECT_FALSE(result) << "parsed: " << (result ? result->proxy.to_string() : "");
  return result ? ConfigError{} : result.error();
}

// Asserts line, column and a message substring of the error `text` produces.
void expect_error(std::string_view text, int line, int column, std::string_view message) {
  ConfigError error = parse_error(text);
  EXPECT_EQ(error.line, line) << error.to_string();
  EXPECT_EQ(error.column, column) << error.to_string();
  EXPECT_NE(error.message.find(message), std::string::npos) << error.to_string();
  EXPECT_EQ(error.kind, ConfigError::Kind::kInvalid);
  EXPECT_EQ(error.file, kFile);
}

// ---- accepted layouts ----

TEST(IprepProxyConfTest, FmcLayoutParses) {
  auto settings = parse_ok("iprep_proxy {\n  PROXY_HOST 10.10.10.1;\n  PROXY_PORT 80;\n}\n");
  EXPECT_EQ(settings.proxy, (HostPort{"10.10.10.1", 80}));
  EXPECT_FALSE(settings.user);
  EXPECT_FALSE(settings.password);
  EXPECT_TRUE(settings.warnings.empty());
  EXPECT_TRUE(settings.unknown.empty());
}

TEST(IprepProxyConfTest, AllOnOneLineParses) {
  auto settings = parse_ok("iprep_proxy { PROXY_HOST 10.10.10.1; PROXY_PORT 80; }");
  EXPECT_EQ(settings.proxy, (HostPort{"10.10.10.1", 80}));
}

TEST(IprepProxyConfTest, TabsAndCrlfParse) {
  auto settings =
      parse_ok("iprep_proxy\t{\r\n\tPROXY_HOST\t10.10.10.1;\r\n\tPROXY_PORT\t80;\r\n}\r\n");
  EXPECT_EQ(settings.proxy, (HostPort{"10.10.10.1", 80}));
}

TEST(IprepProxyConfTest, NoSpaceAroundPunctuationParses) {
  auto settings = parse_ok("iprep_proxy{PROXY_HOST proxy.example.com;PROXY_PORT 3128;}");
  EXPECT_EQ(settings.proxy, (HostPort{"proxy.example.com", 3128}));
}

TEST(IprepProxyConfTest, BlankLinesAndCommentsAreIgnored) {
  auto settings = parse_ok(
      "# written by FMC\n\n\niprep_proxy { # the block\n\n  PROXY_HOST 10.1.1.1; # proxy\n"
      "  # PROXY_PORT 1;\n\n  PROXY_PORT 8080;\n}\n# end\n");
  EXPECT_EQ(settings.proxy, (HostPort{"10.1.1.1", 8080}));
}

TEST(IprepProxyConfTest, NoTrailingNewlineParses) {
  EXPECT_EQ(parse_ok("iprep_proxy {\n PROXY_HOST h;\n PROXY_PORT 1;\n}").proxy, (HostPort{"h", 1}));
}

TEST(IprepProxyConfTest, Utf8ByteOrderMarkIsSkipped) {
  auto settings = parse_ok("\xEF\xBB\xBFiprep_proxy { PROXY_HOST 10.1.1.1; PROXY_PORT 80; }");
  EXPECT_EQ(settings.proxy.host, "10.1.1.1");
}

TEST(IprepProxyConfTest, QuotedValuesParse) {
  auto settings = parse_ok("iprep_proxy { PROXY_HOST \"proxy.example.com\"; PROXY_PORT \"80\"; }");
  EXPECT_EQ(settings.proxy, (HostPort{"proxy.example.com", 80}));
}

TEST(IprepProxyConfTest, QuotedValuesResolveEscapesAndKeepOtherBackslashes) {
  auto settings = parse_ok(
      "iprep_proxy {\n PROXY_HOST p;\n PROXY_PORT 80;\n PROXY_USER \"DOMAIN\\user\";\n"
      " PROXY_PASSWORD \"a\\\"b;c\\\\d #e{f}\";\n}\n");
  EXPECT_EQ(settings.user, "DOMAIN\\user");
  EXPECT_EQ(settings.password, "a\"b;c\\d #e{f}");
}

TEST(IprepProxyConfTest, HashInsideAWordIsNotAComment) {
  auto settings = parse_ok("iprep_proxy { PROXY_HOST p; PROXY_PORT 80; PROXY_PASSWORD ab#cd; }");
  EXPECT_EQ(settings.password, "ab#cd");
}

TEST(IprepProxyConfTest, Ipv6HostParsesBareAndBracketed) {
  EXPECT_EQ(parse_ok("iprep_proxy { PROXY_HOST 2001:db8::1; PROXY_PORT 80; }").proxy,
            (HostPort{"2001:db8::1", 80}));
  EXPECT_EQ(parse_ok("iprep_proxy { PROXY_HOST [2001:db8::1]; PROXY_PORT 80; }").proxy,
            (HostPort{"2001:db8::1", 80}));
  EXPECT_EQ(parse_ok("iprep_proxy { PROXY_HOST \"[::1]\"; PROXY_PORT 3128; }").proxy,
            (HostPort{"::1", 3128}));
}

TEST(IprepProxyConfTest, FqdnHostParses) {
  auto settings =
      parse_ok("iprep_proxy { PROXY_HOST proxy-1.corp_net.example.com.; PROXY_PORT 80; }");
  EXPECT_EQ(settings.proxy.host, "proxy-1.corp_net.example.com.");
}

TEST(IprepProxyConfTest, PortWithLeadingZerosAndExtremesParse) {
  EXPECT_EQ(parse_ok("iprep_proxy { PROXY_HOST h; PROXY_PORT 080; }").proxy.port, 80);
  EXPECT_EQ(parse_ok("iprep_proxy { PROXY_HOST h; PROXY_PORT 1; }").proxy.port, 1);
  EXPECT_EQ(parse_ok("iprep_proxy { PROXY_HOST h; PROXY_PORT 65535; }").proxy.port, 65535);
}

TEST(IprepProxyConfTest, UserAndPasswordAndTheirAliasesAreKept) {
  auto settings = parse_ok(
      "iprep_proxy { PROXY_HOST h; PROXY_PORT 80; PROXY_USER alice; PROXY_PASSWORD pw1; }");
  EXPECT_EQ(settings.user, "alice");
  EXPECT_EQ(settings.password, "pw1");
  settings =
      parse_ok("iprep_proxy { PROXY_HOST h; PROXY_PORT 80; PROXY_USERNAME bob; PROXY_PASS pw2; }");
  EXPECT_EQ(settings.user, "bob");
  EXPECT_EQ(settings.password, "pw2");
  EXPECT_TRUE(settings.warnings.empty());
}

TEST(IprepProxyConfTest, EmptyUserAndPasswordCountAsUnset) {
  auto settings = parse_ok(
      "iprep_proxy { PROXY_HOST h; PROXY_PORT 80; PROXY_USER \"\"; PROXY_PASSWORD \"\"; }");
  EXPECT_FALSE(settings.user);
  EXPECT_FALSE(settings.password);
}

TEST(IprepProxyConfTest, UnknownKeysAreKeptWithAWarning) {
  auto settings =
      parse_ok("iprep_proxy {\n  PROXY_HOST h;\n  PROXY_PORT 80;\n  PROXY_TYPE \"http\";\n}\n");
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
  auto settings = parse_ok("iprep_proxy {\n  PROXY_HOST " + host + ";\n  PROXY_PORT 80;\n}\n");
  EXPECT_EQ(settings.proxy.host, host);
  ASSERT_EQ(settings.warnings.size(), 1u);
  const ConfigWarning& warning = settings.warnings[0];
  EXPECT_EQ(warning.line, 2);
  EXPECT_EQ(warning.column, 14);
  EXPECT_EQ(warning.key_path, "PROXY_HOST");
  EXPECT_NE(warning.message.find("66 characters"), std::string::npos) << warning.message;
  EXPECT_NE(warning.message.find("Smart Licensing"), std::string::npos) << warning.message;
  EXPECT_NE(warning.message.find("at most 64"), std::string::npos) << warning.message;
}

TEST(IprepProxyConfTest, FqdnOfExactly64CharactersDoesNotWarn) {
  std::string host = std::string(60, 'a') + ".com";
  ASSERT_EQ(host.size(), 64u);
  auto settings = parse_ok("iprep_proxy { PROXY_HOST " + host + "; PROXY_PORT 80; }");
  EXPECT_TRUE(settings.warnings.empty());
}

// ---- errors, with line and column ----

TEST(IprepProxyConfTest, EmptyFileIsError) {
  expect_error("", 0, 0, "file is empty");
  expect_error("\n\n   \r\n", 0, 0, "file is empty");
  expect_error("# PROXY_HOST 1.2.3.4\n# nothing else\n", 0, 0, "only comments");
}

TEST(IprepProxyConfTest, MissingBlockIsError) {
  expect_error("PROXY_HOST 10.1.1.1;\nPROXY_PORT 80;\n", 1, 1,
               "missing the 'iprep_proxy {' block: expected iprep_proxy, found \"PROXY_HOST\"");
  expect_error("# comment\n  proxy {\n", 2, 3, "missing the 'iprep_proxy {' block");
  expect_error("{ PROXY_HOST h; }", 1, 1, "found '{'");
}

TEST(IprepProxyConfTest, MissingOpeningBraceIsError) {
  expect_error("iprep_proxy\n  PROXY_HOST 10.1.1.1;\n", 2, 3,
               "expected '{' after iprep_proxy, found \"PROXY_HOST\"");
  expect_error("iprep_proxy", 1, 12, "found the end of the file");
}

TEST(IprepProxyConfTest, UnterminatedBlockIsErrorAtTheOpeningBrace) {
  expect_error("iprep_proxy {\n  PROXY_HOST 10.1.1.1;\n  PROXY_PORT 80;\n", 1, 13,
               "unterminated iprep_proxy block");
}

TEST(IprepProxyConfTest, UnterminatedQuoteIsErrorAtTheOpeningQuote) {
  expect_error("iprep_proxy {\n  PROXY_HOST \"10.1.1.1;\n  PROXY_PORT 80;\n}\n", 2, 14,
               "unterminated quoted string");
  expect_error("iprep_proxy { PROXY_HOST \"h", 1, 26, "unterminated quoted string");
  // CRLF files: the CR before LF ends the line just as well.
  expect_error("iprep_proxy {\r\n PROXY_HOST \"h\r\n", 2, 13, "unterminated quoted string");
}

TEST(IprepProxyConfTest, MissingSemicolonIsErrorRightAfterTheValue) {
  expect_error("iprep_proxy {\n  PROXY_HOST 10.10.10.1\n  PROXY_PORT 80;\n}\n", 2, 24,
               "missing ';' after the value of PROXY_HOST");
  expect_error("iprep_proxy { PROXY_HOST h; PROXY_PORT 80 }", 1, 42,
               "missing ';' after the value of PROXY_PORT");
  expect_error("iprep_proxy { PROXY_HOST \"h\" x; }", 1, 29, "missing ';'");
}

TEST(IprepProxyConfTest, MissingValueIsError) {
  expect_error("iprep_proxy {\n  PROXY_HOST ;\n}", 2, 14, "PROXY_HOST has no value before ';'");
  expect_error("iprep_proxy { PROXY_PORT }", 1, 26, "PROXY_PORT has no value before '}'");
}

TEST(IprepProxyConfTest, MisplacedTokensAreErrors) {
  expect_error("iprep_proxy { ; }", 1, 15, "expected a key such as PROXY_HOST, found ';'");
  expect_error("iprep_proxy { \"PROXY_HOST\" h; }", 1, 15, "found a quoted string");
  expect_error("iprep_proxy { PROXY_HOST h; PROXY_PORT 1; } extra", 1, 45,
               "unexpected \"extra\" after the iprep_proxy block");
  expect_error("iprep_proxy { PROXY-HOST h; }", 1, 15, "invalid key");
  expect_error("iprep_proxy { PROXY_HOST=h; }", 1, 15, "separated by white space, not '='");
}

TEST(IprepProxyConfTest, DuplicateKeyIsErrorAtTheSecondOccurrence) {
  expect_error("iprep_proxy {\n  PROXY_HOST a;\n  PROXY_HOST b;\n  PROXY_PORT 80;\n}", 3, 3,
               "duplicate key PROXY_HOST already set at line 2");
  expect_error("iprep_proxy {\n PROXY_HOST a;\n PROXY_PORT 80;\n PROXY_PORT 80;\n}", 4, 2,
               "duplicate key PROXY_PORT");
}

TEST(IprepProxyConfTest, AliasOfAKeyAlreadySetIsDuplicateError) {
  expect_error(
      "iprep_proxy {\n PROXY_HOST a;\n PROXY_PORT 80;\n PROXY_USER u;\n PROXY_USERNAME v;\n}", 5, 2,
      "duplicate key PROXY_USERNAME: PROXY_USER already set at line 4");
}

TEST(IprepProxyConfTest, MissingHostIsErrorAtTheClosingBrace) {
  expect_error("iprep_proxy {\n  PROXY_PORT 80;\n}\n", 3, 1,
               "the iprep_proxy block has no PROXY_HOST");
}

TEST(IprepProxyConfTest, MissingPortIsErrorAtTheClosingBrace) {
  expect_error("iprep_proxy {\n  PROXY_HOST 10.1.1.1;\n  }\n", 3, 3,
               "the iprep_proxy block has no PROXY_PORT");
}

TEST(IprepProxyConfTest, PortNotANumberIsError) {
  expect_error("iprep_proxy {\n  PROXY_HOST h;\n  PROXY_PORT http;\n}", 3, 14,
               "PROXY_PORT \"http\" is not a number");
  expect_error("iprep_proxy { PROXY_HOST h; PROXY_PORT -1; }", 1, 40, "is not a number");
  expect_error("iprep_proxy { PROXY_HOST h; PROXY_PORT \"\"; }", 1, 40, "is not a number");
}

TEST(IprepProxyConfTest, PortOutsideRangeIsErrorWithLineAndColumn) {
  ConfigError error =
      parse_error("iprep_proxy {\n  PROXY_HOST 10.10.10.1;\n  PROXY_PORT 70000;\n}\n");
  EXPECT_EQ(error.to_string(),
            "/etc/sf/iprep_proxy.conf:3:14: PROXY_PORT 70000 is outside 1-65535");
  EXPECT_EQ(error.key_path, "PROXY_PORT");
  expect_error("iprep_proxy { PROXY_HOST h; PROXY_PORT 0; }", 1, 40, "PROXY_PORT 0 is outside");
  expect_error("iprep_proxy { PROXY_HOST h; PROXY_PORT 99999999999999999999999; }", 1, 40,
               "is outside 1-65535");
}

TEST(IprepProxyConfTest, HostWithInvalidCharactersIsError) {
  expect_error("iprep_proxy {\n  PROXY_HOST proxy!.example.com;\n  PROXY_PORT 80;\n}", 2, 14,
               "PROXY_HOST \"proxy!.example.com\" contains invalid character '!'");
  expect_error("iprep_proxy { PROXY_HOST \"my proxy\"; PROXY_PORT 80; }", 1, 26,
               "contains invalid character ' ' (space)");
  expect_error("iprep_proxy { PROXY_HOST http://proxy; PROXY_PORT 80; }", 1, 26, "is a URL");
  expect_error("iprep_proxy { PROXY_HOST proxy:8080; PROXY_PORT 80; }", 1, 26, "contains a port");
  expect_error("iprep_proxy { PROXY_HOST \"\"; PROXY_PORT 80; }", 1, 26, "is empty");
}

TEST(IprepProxyConfTest, MalformedAddressesAreErrors) {
  expect_error("iprep_proxy { PROXY_HOST 10.10.10.300; PROXY_PORT 80; }", 1, 26,
               "is not a valid IPv4 address");
  expect_error("iprep_proxy { PROXY_HOST 2001:db8:::1; PROXY_PORT 80; }", 1, 26,
               "is not a valid IPv6 address");
  expect_error("iprep_proxy { PROXY_HOST [2001:db8::1; PROXY_PORT 80; }", 1, 26,
               "without a closing ']'");
  expect_error("iprep_proxy { PROXY_HOST [10.1.1.1]; PROXY_PORT 80; }", 1, 26,
               "is not a valid IPv6 address");
  expect_error("iprep_proxy { PROXY_HOST a..b; PROXY_PORT 80; }", 1, 26, "empty label");
  expect_error("iprep_proxy { PROXY_HOST -a.b; PROXY_PORT 80; }", 1, 26, "starts or ends with '-'");
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
    ConfigError error = parse_error(text);
    EXPECT_EQ(error.to_string().find(s), std::string::npos) << error.to_string();
    EXPECT_EQ(error.key_path.find(s), std::string::npos);
  }
  auto settings = parse_ok(kHead + " PROXY_PASSWD " + s + ";\n PROXY_PASSWORD " + s + ";\n}");
  EXPECT_EQ(settings.password, s);
  ASSERT_EQ(settings.warnings.size(), 1u);
  EXPECT_EQ(settings.warnings[0].to_string().find(s), std::string::npos);
}

TEST(IprepProxyConfTest, PasswordRunsToTheLastSemicolonOfItsLine) {
  const std::string kHead = "iprep_proxy {\n PROXY_HOST h;\n PROXY_PORT 80;\n";
  EXPECT_EQ(parse_ok(kHead + " PROXY_PASSWORD Fmc;Secret99;\n}\n").password, "Fmc;Secret99");
  EXPECT_EQ(parse_ok(kHead + " PROXY_PASSWORD Fmc;Secret 99;\n}\n").password, "Fmc;Secret 99");
  EXPECT_EQ(parse_ok(kHead + " PROXY_PASSWORD Fmc;Secret99;\r\n}\r\n").password, "Fmc;Secret99");
  EXPECT_EQ(parse_ok(kHead + " PROXY_PASS\tx;y ;  # note\n}").password, "x;y");
  EXPECT_EQ(parse_ok("iprep_proxy { PROXY_HOST h; PROXY_PORT 80; PROXY_PASSWORD a;b; }").password,
            "a;b");
}

TEST(IprepProxyConfTest, PasswordOfEveryCharacterTheGuiAcceptsParsesWhole) {
  // The guide: "A-Z, a-z und 0-9 sowie Sonderzeichen" -- every printable ASCII special.
  const std::string password = "Az09!\"#$%&'()*+,-./:;<=>?@[\\]^_`{|}~ x;";
  auto settings = parse_ok("iprep_proxy {\n PROXY_HOST h;\n PROXY_PORT 80;\n PROXY_PASSWORD " +
                           password + ";\n PROXY_USER u;\n}\n");
  EXPECT_EQ(settings.password, password);
  EXPECT_EQ(settings.user, "u");
}

TEST(IprepProxyConfTest, CutPasswordIsErrorNamingKeyAndLineOnly) {
  ConfigError error = parse_error(
      "iprep_proxy {\n PROXY_HOST h;\n PROXY_PORT 80;\n PROXY_PASSWORD Fmc;Secret99\n}\n");
  EXPECT_EQ(error.line, 4);
  EXPECT_EQ(error.key_path, "PROXY_PASSWORD");
  EXPECT_NE(error.message.find("PROXY_PASSWORD"), std::string::npos) << error.message;
  EXPECT_EQ(error.to_string().find("Secret99"), std::string::npos) << error.to_string();
  EXPECT_EQ(error.to_string().find("Fmc"), std::string::npos) << error.to_string();
}

// ---- foreign files ----

TEST(IprepProxyConfTest, ForeignFileIsQuotedAsAShortTokenOnly) {
  ConfigError error = parse_error(
      "root:$y$j9T$Q2x3c4v5b6n7m8$abcdefghijklmnopqrstuvwxyz0123456789ABCDEF:19000:0:99999:7:::\n"
      "daemon:*:19000:0:99999:7:::\n");
  EXPECT_EQ(error.to_string(),
            "/etc/sf/iprep_proxy.conf:1:1: missing the 'iprep_proxy {' block: expected "
            "iprep_proxy, found a word starting \"root\"");
  EXPECT_EQ(parse_error("iprep_proxy { $6$salt$hash; }").message.find("salt"), std::string::npos);
}

TEST(IprepProxyConfTest, NonAsciiBytesAreEscapedInMessages) {
  ConfigError error = parse_error("iprep_proxy { PROXY_HOST pr\xC3\xB6xy; PROXY_PORT 80; }");
  EXPECT_NE(error.message.find("\"pr\\xc3\\xb6xy\""), std::string::npos) << error.message;
  for (unsigned char c : error.to_string()) EXPECT_LT(c, 0x80) << error.to_string();
  ConfigError key = parse_error("caf\xC3\xA9 {");
  for (unsigned char c : key.to_string()) EXPECT_LT(c, 0x80) << key.to_string();
  // Found by tests/fuzz/iprep_proxy_conf_fuzz: a "key" with a non-ASCII byte and PASS in it.
  ConfigError fuzzed = parse_error("iprep_proxy { PROXY_USER \"DOMAI\"; PR\xFFOXY_PASS}\n");
  for (unsigned char c : fuzzed.to_string()) EXPECT_LT(c, 0x80) << fuzzed.to_string();
  ConfigError long_key = parse_error("iprep_proxy { " + std::string(1000, 'K') + " v; }");
  EXPECT_LT(long_key.to_string().size(), 200u);
}

TEST(IprepProxyConfTest, LongValuesAreCutInMessages) {
  std::string host(5000, 'a');
  ConfigError error = parse_error("iprep_proxy { PROXY_HOST " + host + "!; PROXY_PORT 80; }");
  EXPECT_LT(error.to_string().size(), 300u) << error.to_string();
}

// ---- big files ----

TEST(IprepProxyConfTest, HundredThousandUnknownKeysParseInLinearTimeWithFewWarnings) {
  std::string text = "iprep_proxy {\n PROXY_HOST h;\n PROXY_PORT 80;\n";
  for (int i = 0; i < 100000; ++i) text += " K" + std::to_string(i) + " v;\n";
  text += "}\n";
  auto started = std::chrono::steady_clock::now();
  auto settings = parse_ok(text);
  auto took = std::chrono::steady_clock::now() - started;
  // Quadratic duplicate checks took 18 s here; linear parsing is well under a second even
  // under the sanitizers.
  EXPECT_LT(took, std::chrono::seconds(3));
  EXPECT_EQ(settings.warnings.size(), kMaxUnknownKeys + 1);
  EXPECT_EQ(settings.unknown.size(), kMaxUnknownKeys);
  EXPECT_EQ(settings.unknown_left_out, 100000 - kMaxUnknownKeys);
  EXPECT_NE(settings.warnings.back().message.find("99990 more unknown keys"), std::string::npos)
      << settings.warnings.back().message;
}

TEST(IprepProxyConfTest, DuplicateAmongManyUnknownKeysIsStillFound) {
  std::string text = "iprep_proxy {\n PROXY_HOST h;\n PROXY_PORT 80;\n";
  for (int i = 0; i < 50; ++i) text += " K" + std::to_string(i) + " v;\n";
  text += " K42 w;\n}\n";
  expect_error(text, 54, 2, "duplicate key K42 already set at line 46");
}

// ---- load_proxy_file ----

class TempDir {
 public:
  TempDir() {
    std::string pattern =
        (std::filesystem::temp_directory_path() / "proxywatch-test-XXXXXX").string();
    path_ = ::mkdtemp(pattern.data());
  }
  ~TempDir() { std::filesystem::remove_all(path_); }
  std::string file(std::string_view name) const { return (path_ / name).string(); }
  std::string write(std::string_view name, std::string_view text) const {
    std::ofstream(file(name), std::ios::binary) << text;
    return file(name);
  }

 private:
  std::filesystem::path path_;
};

TEST(IprepProxyConfTest, LoadAbsentFileMeansProxyDisabled) {
  TempDir dir;
  auto result = load_proxy_file(dir.file("iprep_proxy.conf"));
  ASSERT_TRUE(result) << result.error().to_string();
  EXPECT_FALSE(*result);
}

TEST(IprepProxyConfTest, LoadDanglingSymlinkMeansProxyDisabled) {
  TempDir dir;
  std::filesystem::create_symlink(dir.file("gone"), dir.file("iprep_proxy.conf"));
  auto result = load_proxy_file(dir.file("iprep_proxy.conf"));
  ASSERT_TRUE(result) << result.error().to_string();
  EXPECT_FALSE(*result);
}

TEST(IprepProxyConfTest, LoadUnreadableFileIsUnreadableError) {
  TempDir dir;
  std::filesystem::create_directory(dir.file("iprep_proxy.conf"));
  auto result = load_proxy_file(dir.file("iprep_proxy.conf"));
  ASSERT_FALSE(result);
  EXPECT_EQ(result.error().kind, ConfigError::Kind::kUnreadable);
  EXPECT_EQ(result.error().line, 0);
  EXPECT_EQ(result.error().to_string(),
            dir.file("iprep_proxy.conf") + ": cannot read: Is a directory");
}

TEST(IprepProxyConfTest, LoadFileThatDoesNotParseIsInvalidErrorNamingThePath) {
  TempDir dir;
  std::string path = dir.write("iprep_proxy.conf", "iprep_proxy {\n  PROXY_HOST h;\n}\n");
  auto result = load_proxy_file(path);
  ASSERT_FALSE(result);
  EXPECT_EQ(result.error().kind, ConfigError::Kind::kInvalid);
  EXPECT_EQ(result.error().to_string(), path + ":3:1: the iprep_proxy block has no PROXY_PORT");
}

TEST(IprepProxyConfTest, LoadGoodFileGivesSettings) {
  TempDir dir;
  std::string path =
      dir.write("iprep_proxy.conf", "iprep_proxy { PROXY_HOST 10.1.1.1; PROXY_PORT 80; }");
  auto result = load_proxy_file(path);
  ASSERT_TRUE(result) << result.error().to_string();
  ASSERT_TRUE(*result);
  EXPECT_EQ((*result)->proxy, (HostPort{"10.1.1.1", 80}));
}

}  // namespace
}  // namespace proxywatch::config
