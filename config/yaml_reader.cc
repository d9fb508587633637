// Typed access to yaml-cpp nodes. yaml-cpp's Mark is 0-based; Error is 1-based.
#include "config/yaml_reader.h"

#include <cctype>

#include <algorithm>
#include <charconv>

#include "common/error.h"
#include "config/duration.h"

namespace proxywatch::config {
namespace {

std::string join(std::span<const std::string_view> names) {
  std::string out;
  for (std::string_view name : names) out += (out.empty() ? "" : ", ") + std::string(name);
  return out;
}

std::string location_line(const YAML::Node& node) {
  return std::to_string(node.Mark().line + 1);
}

}  // namespace

Error yaml_error(const YAML::Node& at, const std::string& source, std::string key_path,
                 std::string_view message) {
  YAML::Mark mark = at.Mark();
  std::string text = (key_path.empty() ? "" : key_path + ": ") + std::string(message);
  // Marks are -1 for nodes yaml-cpp did not read from text; such errors concern the file.
  int line = mark.line < 0 ? 0 : mark.line + 1;
  int column = mark.line < 0 ? 0 : mark.column + 1;
  return file_error(source, line, column, std::move(key_path), std::move(text));
}

Error merge_key_error(const YAML::Node& key, const std::string& source, std::string key_path) {
  return yaml_error(
      key, source, std::move(key_path),
      "merge keys (<<) are not supported: write the keys out (line " + location_line(key) + ")");
}

std::string key_for_message(const std::string& name) {
  bool plain =
      !name.empty() && name.size() <= 64 && std::all_of(name.begin(), name.end(), [](char c) {
        return std::isalnum(static_cast<unsigned char>(c)) || c == '_' || c == '-';
      });
  return plain ? name : quoted_token(name);
}

Result<YamlMap> YamlMap::open(const YAML::Node& node, std::string source, std::string path,
                              std::span<const std::string_view> known) {
  YamlMap map(node, std::move(source), std::move(path));
  if (!node.IsMap()) {
    return map.error_here("expected a mapping of key: value, got " + describe_node(node));
  }
  // By value: yaml-cpp's iterators hand out temporaries, so `it->first` would dangle.
  for (const auto& item : node) {
    const YAML::Node key = item.first;
    if (!key.IsScalar()) return map.error_here("keys must be plain names, not lists or mappings");
    std::string name = key.Scalar();
    if (name == kMergeKey) return merge_key_error(key, map.source_, map.path_of(kMergeKey));
    if (std::find(known.begin(), known.end(), name) == known.end()) {
      // The name is the file's, which may not be ours: a plain one as it is, anything else as a
      // short escaped token (found by web_config_fuzz: raw non-ASCII bytes in the message).
      return yaml_error(key, map.source_, map.path_of(key_for_message(name)),
                        "unknown key (expected one of " + join(known) + ")");
    }
    if (map.find(name)) {
      return yaml_error(
          key, map.source_, map.path_of(name),
          "duplicate key (first set at line " + location_line(map.entry(name).key_node) + ")");
    }
    map.entries_.push_back(Entry{std::move(name), key, item.second});
  }
  return map;
}

const YamlMap::Entry& YamlMap::entry(std::string_view key) const {
  return *std::find_if(entries_.begin(), entries_.end(),
                       [&](const Entry& e) { return e.key == key; });
}

const YAML::Node* YamlMap::find(std::string_view key) const {
  auto it =
      std::find_if(entries_.begin(), entries_.end(), [&](const Entry& e) { return e.key == key; });
  return it == entries_.end() ? nullptr : &it->value;
}

std::string YamlMap::path_of(std::string_view key) const {
  return path_.empty() ? std::string(key) : path_ + "." + std::string(key);
}

Error YamlMap::error(std::string_view key, std::string_view message) const {
  const Entry& e = entry(key);
  return yaml_error(e.value.IsNull() ? e.key_node : e.value, source_, path_of(key), message);
}

Error YamlMap::error_here(std::string_view message) const {
  return yaml_error(node_, source_, path_.empty() ? "top level" : path_, message);
}

std::string describe_node(const YAML::Node& node) {
  if (node.IsSequence()) return "a list";
  if (node.IsMap()) return "a mapping";
  // At most 40 bytes of a value: the file may be a symlink to someone else's (found by
  // web_config_fuzz: a whole foreign line was quoted back).
  if (node.IsScalar()) return in_quotes(node.Scalar(), 40);
  return "nothing";
}

Result<std::string> to_text(const YAML::Node& node) {
  if (!node.IsScalar()) return error_text("expected a string, got " + describe_node(node));
  return {boost::system::in_place_value, node.Scalar()};
}

Result<Millis> to_duration(const YAML::Node& node) {
  std::string expected = "expected a duration like 10s, got " + describe_node(node);
  if (!node.IsScalar()) return error_text(expected);
  auto duration = parse_duration(node.Scalar());
  if (!duration) return error_text(expected + " (" + duration.error().message + ")");
  return *duration;
}

Result<bool> to_bool(const YAML::Node& node) {
  if (node.IsScalar() && node.Scalar() == "true") return true;
  if (node.IsScalar() && node.Scalar() == "false") return false;
  return error_text("expected true or false, got " + describe_node(node));
}

Result<std::uint64_t> to_integer(const YAML::Node& node, std::uint64_t min, std::uint64_t max) {
  std::string range = std::to_string(min) + "-" + std::to_string(max);
  std::string expected = "expected a whole number in " + range + ", got " + describe_node(node);
  if (!node.IsScalar()) return error_text(expected);
  const std::string& text = node.Scalar();
  std::uint64_t value = 0;
  auto [end, ec] = std::from_chars(text.data(), text.data() + text.size(), value);
  bool digits_only = !text.empty() && end == text.data() + text.size();
  if (!digits_only || (ec != std::errc() && ec != std::errc::result_out_of_range))
    return error_text(expected);
  if (ec == std::errc::result_out_of_range || value < min || value > max) {
    return error_text(text + " is outside " + range);
  }
  return value;
}

}  // namespace proxywatch::config
