// Reading typed values out of a yaml-cpp tree with errors that name the key path
// ("targets[1].timeouts.dns") and the line and column yaml-cpp recorded. Internal to config/
// (it exposes yaml-cpp types, which stay a private dependency): yaml_config.h is the interface.
#pragma once

#include <cstdint>
#include <optional>
#include <span>
#include <string>
#include <string_view>
#include <vector>

#include <yaml-cpp/yaml.h>
#include <boost/system/result.hpp>

#include "common/error.h"
#include "common/probe_spec.h"
#include "config/config_error.h"

namespace proxywatch::config {

// An error located at `at`; the message becomes "key_path: message".
Error yaml_error(const YAML::Node& at, const std::string& source, std::string key_path,
                 std::string_view message);

// YAML 1.1's merge key ("<<: *defaults"), which yaml-cpp 0.7 reads as an ordinary key.
inline constexpr std::string_view kMergeKey = "<<";

// The error for a merge key found at `key`: not supported, write the keys out; names the line.
Error merge_key_error(const YAML::Node& key, const std::string& source, std::string key_path);

// A YAML mapping whose keys are known to be scalars, unique and among the expected names.
class YamlMap {
 public:
  // Checks `node` found at `path` ("" for the document itself). Errors: not a mapping, a key
  // that is not a plain scalar, a merge key, a duplicate key, a key not in `known`.
  static Result<YamlMap> open(const YAML::Node& node, std::string source, std::string path,
                              std::span<const std::string_view> known);

  // The value under `key`, or nullptr when the key is absent.
  const YAML::Node* find(std::string_view key) const;
  // The key path of `key` in this mapping: "timeouts.dns", "targets[0].host".
  std::string path_of(std::string_view key) const;
  // An error about the value under `key` (which must be present), located at the value, or at
  // the key when the value is null (yaml-cpp places an empty value on the following line).
  Error error(std::string_view key, std::string_view message) const;
  // An error about the mapping as a whole, located where it starts.
  Error error_here(std::string_view message) const;
  const std::string& source() const { return source_; }
  const std::string& path() const { return path_; }

 private:
  struct Entry {
    std::string key;
    YAML::Node key_node;
    YAML::Node value;
  };
  YamlMap(YAML::Node node, std::string source, std::string path)
      : node_(std::move(node)), source_(std::move(source)), path_(std::move(path)) {}
  const Entry& entry(std::string_view key) const;

  YAML::Node node_;
  std::string source_;
  std::string path_;
  std::vector<Entry> entries_;
};

// A key name from the file, for a message or key path: the name when it is plain (1-64
// characters of A-Z, a-z, 0-9, '_', '-'), quoted_token(name) otherwise, since the file may not
// be ours and the name may be anything (found by web_config_fuzz).
std::string key_for_message(const std::string& name);

// "a list", "a mapping", "nothing", or the scalar in quotes: for "got ..." in messages.
std::string describe_node(const YAML::Node& node);

// Converters from a non-null node; each names what it expected and what it got.
Result<std::string> to_text(const YAML::Node& node);
Result<Millis> to_duration(const YAML::Node& node);
Result<bool> to_bool(const YAML::Node& node);  // YAML 1.2: true or false only
Result<std::uint64_t> to_integer(const YAML::Node& node, std::uint64_t min, std::uint64_t max);

// Reads `key` with `convert` into `out`. An absent key leaves `out` (the default) untouched;
// a null value ("key:" with nothing after it) is an error rather than a silent default.
template <class T, class Convert>
std::optional<Error> read_key(const YamlMap& map, std::string_view key, T& out, Convert convert) {
  const YAML::Node* node = map.find(key);
  if (!node) return std::nullopt;
  if (node->IsNull()) return map.error(key, "has no value (remove the key to get the default)");
  auto value = convert(*node);
  if (!value) return map.error(key, value.error().message);
  out = std::move(*value);
  return std::nullopt;
}

}  // namespace proxywatch::config
