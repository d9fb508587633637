// Reading the documents of a YAML stream without yaml-cpp 0.7's LoadAll, which never returns
// (and allocates without bound) on some malformed streams as short as ",-": its parser reports a
// document again and again without consuming a token (fixed upstream by yaml-cpp PR 1319, after
// Debian 12's 0.7.0; found by tests/fuzz/yaml_config_fuzz). Internal to config/.
#pragma once

#include <optional>
#include <string>
#include <string_view>

#include <yaml-cpp/yaml.h>

#include "config/config_error.h"

namespace proxywatch::config {

// What a stream holds: its first document (a null node for an empty stream) and, when there
// is a second, where its content starts.
struct YamlDocuments {
  YAML::Node first;
  std::optional<YAML::Mark> second;
};

// How deep lists and mappings may nest: a configuration needs 3 levels (targets[0].timeouts.dns);
// deeper is a mistake or an attack on the parser's recursion.
inline constexpr int kMaxYamlDepth = 32;

// Reads at most three documents (enough to tell "one" from "more than one" from "stuck"). Errors:
// YAML syntax (located), nesting deeper than kMaxYamlDepth (located at the first collection too
// deep), and a stream on which the parser stops making progress (located where it stuck).
Result<YamlDocuments> load_documents(std::string_view text, const std::string& source);

}  // namespace proxywatch::config
