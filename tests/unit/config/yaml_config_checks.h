// Helpers shared by the YAML configuration's tests (yaml_config_test.cc: what is read;
// yaml_config_errors_test.cc: what is refused): parse a text that must parse, or must not, and
// check an error's position, key path and message.
#pragma once

#include <string_view>

#include <gtest/gtest.h>

#include "config/yaml_config.h"

namespace proxywatch::config::yaml_checks {

// The source name every parse in these tests uses.
inline constexpr std::string_view kSource = "/etc/proxywatch/proxywatch.yaml";

// The configuration `text` parses to; a failed expectation (and defaults) when it does not parse.
inline DaemonConfig parse_ok(std::string_view text) {
  auto result = parse_yaml_config(text, kSource);
  EXPECT_TRUE(result) << (result ? "" : result.error().to_string());
  return result ? *result : DaemonConfig{};
}

// The error `text` is refused with; a failed expectation (and an empty error) when it parses.
inline Error parse_error(std::string_view text) {
  auto result = parse_yaml_config(text, kSource);
  EXPECT_FALSE(result) << "parsed without error:\n" << text;
  return result ? Error{} : result.error();
}

// Expects `text` refused at `line`:`column` for `key_path`, with `message` in the message.
inline void expect_error(std::string_view text, int line, int column, std::string_view key_path,
                         std::string_view message) {
  Error error = parse_error(text);
  ASSERT_TRUE(error.where) << error.to_string();
  EXPECT_EQ(error.where->line, line) << error.to_string();
  EXPECT_EQ(error.where->column, column) << error.to_string();
  EXPECT_EQ(error.where->key_path, key_path) << error.to_string();
  EXPECT_NE(error.message.find(message), std::string::npos) << error.to_string();
  EXPECT_EQ(error.where->file, kSource);
}

}  // namespace proxywatch::config::yaml_checks
