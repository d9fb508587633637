// The manual pages' sources (packaging/man/*.scd) against the code they describe:
// - proxywatch.yaml(5) names every key config/yaml_*.cc know (the kTopKeys, kTimeoutKeys,
//   kTargetKeys, kMtuKeys, kHealthKeys lists) and no other, and a YAML file that sets every
//   key to the page's "Default:" parses to exactly default_config();
// - proxywatch(8) documents every option the binary's --help texts list, per command, and no
//   option the binary does not have;
// - proxywatch-bundle(8) documents every option of `bundle --help`;
// - scdoc turns every source into roff without complaint.
#include <filesystem>
#include <fstream>
#include <map>
#include <regex>
#include <set>
#include <sstream>
#include <string>

#include <gtest/gtest.h>

#include "config/yaml_config.h"
#include "tests/support/process.h"
#include "tests/support/read_file.h"

namespace proxywatch::testing {
namespace {

namespace fs = std::filesystem;

const fs::path kRepo = PROXYWATCH_SOURCE_DIR;

std::set<std::string> all_matches(const std::string& text, const std::regex& pattern) {
  std::set<std::string> out;
  for (std::sregex_iterator it(text.begin(), text.end(), pattern), end; it != end; ++it) {
    out.insert((*it)[1].str());
  }
  return out;
}

// The text of section "# NAME" of an scd page, up to the next "# " heading.
std::string section(const std::string& page, const std::string& name) {
  std::size_t at = page.find("\n# " + name + "\n");
  if (at == std::string::npos) return "";
  std::size_t end = page.find("\n# ", at + 3);
  return page.substr(at, end == std::string::npos ? std::string::npos : end - at);
}

// The keys a section documents: lines starting "*key:*".
std::map<std::string, std::string> documented_keys(const std::string& text) {
  static const std::regex entry(R"(\n\*([a-z_]+):\*[^\n]*\n((?:\t[^\n]*\n)+))");
  std::map<std::string, std::string> out;
  for (std::sregex_iterator it(text.begin(), text.end(), entry), end; it != end; ++it) {
    out[(*it)[1].str()] = (*it)[2].str();
  }
  return out;
}

// The strings of the std::array `name` in config/yaml_config.cc, yaml_values.cc or
// yaml_targets.cc (the schema, its typed values and its targets list).
std::set<std::string> code_keys(const std::string& name) {
  std::string code;
  for (const char* file : {"yaml_config.cc", "yaml_values.cc", "yaml_targets.cc"}) {
    code += read_file(kRepo / "config" / file);
  }
  std::smatch m;
  std::regex array(name + R"( = \{([^;]*)\};)");
  if (!std::regex_search(code, m, array)) throw std::runtime_error(name + " not found");
  return all_matches(m[1].str(), std::regex(R"x("([a-z_]+)")x"));
}

std::set<std::string> names(const std::map<std::string, std::string>& keys) {
  std::set<std::string> out;
  for (const auto& [key, text] : keys) out.insert(key);
  return out;
}

// The value after "Default: " in an entry's text, written *value* or _value_; "" if none.
std::string default_of(const std::string& text) {
  std::string flat = std::regex_replace(text, std::regex(R"(\n\t)"), " ");
  std::smatch m;
  if (!std::regex_search(flat, m, std::regex(R"(Default:\s+[*_]([^*_ ][^*]*?)[*_](\.|,|;|$))")))
    return "";
  return m[1].str();
}

const std::string kYamlPage = read_file(kRepo / "packaging/man/proxywatch.yaml.5.scd");
const std::string kCliPage = read_file(kRepo / "packaging/man/proxywatch.8.scd");

TEST(ManPagesTest, YamlPageNamesExactlyTheKeysTheCodeReads) {
  EXPECT_EQ(names(documented_keys(section(kYamlPage, "GLOBAL KEYS"))), code_keys("kTopKeys"));
  EXPECT_EQ(names(documented_keys(section(kYamlPage, "TIMEOUTS"))), code_keys("kTimeoutKeys"));
  EXPECT_EQ(names(documented_keys(section(kYamlPage, "TARGETS"))), code_keys("kTargetKeys"));
  EXPECT_EQ(names(documented_keys(section(kYamlPage, "MTU_PROBE"))), code_keys("kMtuKeys"));
  EXPECT_EQ(names(documented_keys(section(kYamlPage, "HEALTH"))), code_keys("kHealthKeys"));
}

// Every "Default:" of the global, timeout, mtu_probe and health keys, written into one file,
// is the built-in configuration.
TEST(ManPagesTest, YamlPageDefaultsAreTheBuiltInDefaults) {
  std::string yaml;
  const std::set<std::string> structured = {"targets", "timeouts", "mtu_probe", "health"};
  for (const auto& [key, text] : documented_keys(section(kYamlPage, "GLOBAL KEYS"))) {
    if (structured.contains(key)) continue;  // lists and mappings: their own sections
    std::string value = default_of(text);
    if (!value.empty()) yaml += key + ": " + value + "\n";
  }
  for (const auto& [map_key, heading] : std::map<std::string, std::string>{
           {"timeouts", "TIMEOUTS"}, {"mtu_probe", "MTU_PROBE"}, {"health", "HEALTH"}}) {
    yaml += map_key + ":\n";
    for (const auto& [key, text] : documented_keys(section(kYamlPage, heading))) {
      std::string value = default_of(text);
      EXPECT_FALSE(value.empty()) << map_key << "." << key << " has no Default:";
      yaml += "  " + key + ": " + value + "\n";
    }
  }
  auto parsed = config::parse_yaml_config(yaml, "man page defaults");
  ASSERT_TRUE(parsed) << parsed.error().to_string() << "\n" << yaml;
  config::DaemonConfig expected = config::default_config();
  expected.source = parsed->source;
  EXPECT_TRUE(*parsed == expected) << yaml;
  // The keys without a Default: line are the ones that have none or are lists and mappings.
  EXPECT_NE(
      yaml.find("metrics_listen: 127.0.0.1:" + std::to_string(config::kDefaultMetricsPort) + "\n"),
      std::string::npos)
      << yaml;
  EXPECT_NE(yaml.find("max_concurrent_probes: 64\n"), std::string::npos) << yaml;
}

// The options `proxywatch COMMAND --help` lists.
std::set<std::string> help_options(const std::vector<std::string>& args) {
  std::vector<std::string> argv{PROXYWATCH_BINARY};
  argv.insert(argv.end(), args.begin(), args.end());
  ProcessResult r = run_process(argv);
  EXPECT_EQ(r.exit_code, 0) << r.err;
  return all_matches(r.out, std::regex(R"((--[a-z][a-z-]*(?:\.[a-z][a-z-]*)*))"));
}

// The options a "## COMMAND" part of proxywatch(8) documents: lines starting "*--option*".
std::set<std::string> page_options(const std::string& command) {
  std::string commands = section(kCliPage, "COMMANDS") + "\n## ";
  std::size_t at = commands.find("\n## " + command + "\n");
  if (at == std::string::npos) return {};
  std::string part = commands.substr(at, commands.find("\n## ", at + 4) - at);
  return all_matches(part, std::regex(R"(\n\*(--[a-z][a-z-]*(?:\.[a-z][a-z-]*)*)\*)"));
}

TEST(ManPagesTest, CommandPageDocumentsEveryOptionOfHelp) {
  for (const std::string command : {"check", "config-check", "daemon", "status", "history"}) {
    std::set<std::string> help = help_options({command, "--help"});
    std::set<std::string> page = page_options(command);
    for (const auto& option : help) EXPECT_TRUE(page.contains(option)) << command << " " << option;
    for (const auto& option : page) {
      if (option != "--help") {
        EXPECT_TRUE(help.contains(option)) << command << " " << option;
      }
    }
  }
  std::set<std::string> global = help_options({"--help"});
  std::set<std::string> page = all_matches(
      section(kCliPage, "OPTIONS"), std::regex(R"(\n\*(--[a-z][a-z-]*(?:\.[a-z][a-z-]*)*)\*)"));
  EXPECT_EQ(global, page);
}

// proxywatch-bundle(8) documents exactly the options `proxywatch bundle --help` lists (-o too).
TEST(ManPagesTest, BundlePageDocumentsEveryOptionOfHelp) {
  ProcessResult r = run_process({PROXYWATCH_BINARY, "bundle", "--help"});
  EXPECT_EQ(r.exit_code, 0) << r.err;
  std::regex option(R"(\n[ \t*]*(-{1,2}[a-z][a-z-]*)[* ])");
  std::set<std::string> help = all_matches("\n" + r.out, option);
  help.insert("--help");
  std::string page = read_file(kRepo / "packaging/man/proxywatch-bundle.8.scd");
  EXPECT_EQ(all_matches(section(page, "OPTIONS"), option), help);
  EXPECT_EQ(help, (std::set<std::string>{"-o", "--config", "--help"}));
}

TEST(ManPagesTest, ScdocAcceptsBothSources) {
  for (const char* page :
       {"proxywatch.8.scd", "proxywatch.yaml.5.scd", "proxywatch-bundle.8.scd"}) {
    ProcessResult r =
        run_process({"sh", "-c", "scdoc < '" + (kRepo / "packaging/man" / page).string() + "'"});
    EXPECT_EQ(r.exit_code, 0) << page << ": " << r.err;
    EXPECT_NE(r.out.find(".TH"), std::string::npos) << page;
  }
}

}  // namespace
}  // namespace proxywatch::testing
