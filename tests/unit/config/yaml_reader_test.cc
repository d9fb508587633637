// The typed reader under the YAML configuration: mappings whose keys are checked (scalar,
// known, once), converters that say what they expected and what they got, read_key's absent /
// null / bad / good cases, and errors carrying the key path with yaml-cpp's 0-based marks
// turned into 1-based lines and columns.
#include "config/yaml_reader.h"

#include <gtest/gtest.h>

#include <array>
#include <string>

namespace proxywatch::config {
namespace {

using namespace std::chrono_literals;

constexpr std::array<std::string_view, 2> kTimeoutKeys = {"dns", "tcp_connect"};
const std::string kYamlFile = "proxywatch.yaml";

Result<YamlMap> open(const std::string& text, std::string path = "timeouts") {
  return YamlMap::open(YAML::Load(text), kYamlFile, std::move(path), kTimeoutKeys);
}

TEST(YamlMapTest, KnownKeysAreFoundAbsentOnesAreNot) {
  auto map = open("dns: 5s\ntcp_connect: 2s\n");
  ASSERT_TRUE(map) << map.error().to_string();
  ASSERT_NE(map->find("dns"), nullptr);
  EXPECT_EQ(map->find("dns")->Scalar(), "5s");
  EXPECT_EQ(map->find("tcp_connect")->Scalar(), "2s");
  auto partial = open("dns: 5s\n");
  ASSERT_TRUE(partial);
  EXPECT_EQ(partial->find("tcp_connect"), nullptr);
}

TEST(YamlMapTest, PathOfAKeyFollowsTheMapsPath) {
  auto nested = open("dns: 5s\n", "targets[1].timeouts");
  ASSERT_TRUE(nested);
  EXPECT_EQ(nested->path_of("dns"), "targets[1].timeouts.dns");
  auto top = open("dns: 5s\n", "");
  ASSERT_TRUE(top);
  EXPECT_EQ(top->path_of("dns"), "dns");
  EXPECT_EQ(top->source(), kYamlFile);
}

TEST(YamlMapTest, NotAMappingIsAnErrorWhereItStarts) {
  auto map = open("- dns\n- tcp_connect\n");
  ASSERT_FALSE(map);
  EXPECT_EQ(map.error().to_string(),
            "proxywatch.yaml:1:1: timeouts: expected a mapping of key: value, got a list");
  auto top = open("just text\n", "");
  ASSERT_FALSE(top);
  EXPECT_EQ(top.error().where->key_path, "top level");
  EXPECT_EQ(top.error().message, "top level: expected a mapping of key: value, got \"just text\"");
}

TEST(YamlMapTest, UnknownKeyIsAnErrorAtTheKeyListingTheKnownOnes) {
  auto map = open("dns: 5s\n  \nbogus: 1\n");
  ASSERT_FALSE(map);
  const Error& error = map.error();
  EXPECT_EQ(error.kind, Error::Kind::kInvalid);
  EXPECT_EQ(error.where->line, 3);
  EXPECT_EQ(error.where->column, 1);
  EXPECT_EQ(error.where->key_path, "timeouts.bogus");
  EXPECT_EQ(error.message, "timeouts.bogus: unknown key (expected one of dns, tcp_connect)");
}

TEST(YamlMapTest, UnknownKeyThatIsNoPlainNameIsAShortToken) {
  auto map = open("\"dns\\u00e9 and more\": 1\n");
  ASSERT_FALSE(map);
  EXPECT_EQ(map.error().where->key_path, "timeouts.a word starting \"dns\"");
}

TEST(YamlMapTest, DuplicateKeyNamesTheFirstLine) {
  auto map = open("dns: 5s\ntcp_connect: 1s\ndns: 6s\n");
  ASSERT_FALSE(map);
  EXPECT_EQ(map.error().where->line, 3);
  EXPECT_EQ(map.error().where->key_path, "timeouts.dns");
  EXPECT_EQ(map.error().message, "timeouts.dns: duplicate key (first set at line 1)");
}

TEST(YamlMapTest, KeyThatIsAListOrMappingIsRefused) {
  auto map = open("? [dns, tcp_connect]\n: 5s\n");
  ASSERT_FALSE(map);
  EXPECT_EQ(map.error().message, "timeouts: keys must be plain names, not lists or mappings");
}

TEST(YamlMapTest, ErrorAboutAValueIsAtTheValueOrAtTheKeyWhenNull) {
  auto map = open("dns:    ten\ntcp_connect:\n");
  ASSERT_TRUE(map);
  Error at_value = map->error("dns", "bad");
  EXPECT_EQ(at_value.to_string(), "proxywatch.yaml:1:9: timeouts.dns: bad");
  // yaml-cpp places an empty value on the line after its key; the error points at the key.
  Error at_key = map->error("tcp_connect", "empty");
  EXPECT_EQ(at_key.where->line, 2);
  EXPECT_EQ(at_key.where->column, 1);
  EXPECT_EQ(map->error_here("whole").to_string(), "proxywatch.yaml:1:1: timeouts: whole");
}

TEST(YamlErrorTest, MarksBecomeOneBasedAndUnreadNodesConcernTheFile) {
  YAML::Node doc = YAML::Load("a: 1\nb:\n  c: x\n");
  Error error = yaml_error(doc["b"]["c"], kYamlFile, "b.c", "is wrong");
  EXPECT_EQ(error.where->line, 3);
  EXPECT_EQ(error.where->column, 6);
  EXPECT_EQ(error.message, "b.c: is wrong");
  Error built = yaml_error(YAML::Node("made in code"), kYamlFile, "", "no position");
  EXPECT_EQ(built.where->line, 0);
  EXPECT_EQ(built.where->column, 0);
  EXPECT_EQ(built.to_string(), "proxywatch.yaml: no position");
}

TEST(KeyForMessageTest, PlainNamesStayOthersBecomeShortTokens) {
  EXPECT_EQ(key_for_message("tcp_connect"), "tcp_connect");
  EXPECT_EQ(key_for_message("Max-2"), "Max-2");
  EXPECT_EQ(key_for_message(std::string(64, 'k')), std::string(64, 'k'));
  EXPECT_EQ(key_for_message(std::string(65, 'k')),
            "a word starting \"" + std::string(24, 'k') + "\"");
  EXPECT_EQ(key_for_message("a.b"), "\"a.b\"");
  EXPECT_EQ(key_for_message(""), "\"\"");
  EXPECT_EQ(key_for_message("\xff\xfe"), "a word of 2 bytes");
}

TEST(DescribeNodeTest, NamesTheKindOrQuotesAShortScalar) {
  EXPECT_EQ(describe_node(YAML::Load("[1, 2]")), "a list");
  EXPECT_EQ(describe_node(YAML::Load("{a: 1}")), "a mapping");
  EXPECT_EQ(describe_node(YAML::Load("~")), "nothing");
  EXPECT_EQ(describe_node(YAML::Load("say \"hi\"")), "\"say \\\"hi\\\"\"");
  EXPECT_EQ(describe_node(YAML::Node(std::string(50, 'x'))), "\"" + std::string(40, 'x') + "\"...");
}

TEST(ConvertTest, TextIsAnyScalar) {
  EXPECT_EQ(*to_text(YAML::Load("tools.cisco.com")), "tools.cisco.com");
  EXPECT_EQ(*to_text(YAML::Load("443")), "443");
  EXPECT_EQ(to_text(YAML::Load("[a]")).error().to_string(), "expected a string, got a list");
}

TEST(ConvertTest, DurationIsParsedOrNamedWithTheReason) {
  EXPECT_EQ(*to_duration(YAML::Load("10s")), Millis(10s));
  EXPECT_EQ(*to_duration(YAML::Load("1m30s")), Millis(90s));
  auto bad = to_duration(YAML::Load("ten"));
  ASSERT_FALSE(bad);
  EXPECT_TRUE(bad.error().to_string().starts_with("expected a duration like 10s, got \"ten\" ("))
      << bad.error();
  EXPECT_EQ(to_duration(YAML::Load("{a: 1}")).error().to_string(),
            "expected a duration like 10s, got a mapping");
}

TEST(ConvertTest, BoolIsTrueOrFalseOnly) {
  EXPECT_EQ(*to_bool(YAML::Load("true")), true);
  EXPECT_EQ(*to_bool(YAML::Load("false")), false);
  for (const char* yaml11 : {"yes", "no", "on", "True", "1"}) {
    auto b = to_bool(YAML::Load(yaml11));
    ASSERT_FALSE(b) << yaml11;
    EXPECT_EQ(b.error().to_string(), "expected true or false, got \"" + std::string(yaml11) + "\"");
  }
}

TEST(ConvertTest, IntegerMustBeDigitsWithinTheRange) {
  EXPECT_EQ(*to_integer(YAML::Load("1"), 1, 10), 1u);
  EXPECT_EQ(*to_integer(YAML::Load("10"), 1, 10), 10u);
  EXPECT_EQ(to_integer(YAML::Load("0"), 1, 10).error().to_string(), "0 is outside 1-10");
  EXPECT_EQ(to_integer(YAML::Load("11"), 1, 10).error().to_string(), "11 is outside 1-10");
  EXPECT_EQ(to_integer(YAML::Load("99999999999999999999999"), 1, 10).error().to_string(),
            "99999999999999999999999 is outside 1-10");
  for (const char* bad : {"-1", "+5", "1.5", "5s", "0x5", "''"}) {
    auto n = to_integer(YAML::Load(bad), 1, 10);
    ASSERT_FALSE(n) << bad;
    EXPECT_TRUE(n.error().to_string().starts_with("expected a whole number in 1-10, got "))
        << n.error();
  }
  EXPECT_EQ(to_integer(YAML::Load("[1]"), 1, 10).error().to_string(),
            "expected a whole number in 1-10, got a list");
}

TEST(ReadKeyTest, AbsentKeyKeepsTheDefault) {
  auto map = open("tcp_connect: 2s\n");
  ASSERT_TRUE(map);
  Millis dns = 5s;
  EXPECT_FALSE(read_key(*map, "dns", dns, to_duration));
  EXPECT_EQ(dns, Millis(5s));
}

TEST(ReadKeyTest, GoodValueIsRead) {
  auto map = open("dns: 250ms\n");
  ASSERT_TRUE(map);
  Millis dns = 5s;
  EXPECT_FALSE(read_key(*map, "dns", dns, to_duration));
  EXPECT_EQ(dns, Millis(250));
}

TEST(ReadKeyTest, NullValueIsAnErrorNotASilentDefault) {
  auto map = open("dns:\n");
  ASSERT_TRUE(map);
  Millis dns = 5s;
  auto error = read_key(*map, "dns", dns, to_duration);
  ASSERT_TRUE(error);
  EXPECT_EQ(error->to_string(),
            "proxywatch.yaml:1:1: timeouts.dns: has no value (remove the key to get the default)");
  EXPECT_EQ(dns, Millis(5s));
}

TEST(ReadKeyTest, BadValueIsAnErrorAtTheValueAndKeepsTheDefault) {
  auto map = open("dns: [5s]\n");
  ASSERT_TRUE(map);
  Millis dns = 5s;
  auto error = read_key(*map, "dns", dns, to_duration);
  ASSERT_TRUE(error);
  EXPECT_EQ(error->to_string(),
            "proxywatch.yaml:1:6: timeouts.dns: expected a duration like 10s, got a list");
  EXPECT_EQ(error->where->key_path, "timeouts.dns");
  EXPECT_EQ(dns, Millis(5s));
}

}  // namespace
}  // namespace proxywatch::config
