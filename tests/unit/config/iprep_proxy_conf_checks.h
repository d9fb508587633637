// Helpers shared by the FMC proxy file's tests (iprep_proxy_conf_test.cc: what parses and
// loads, and that passwords never leak; iprep_proxy_conf_errors_test.cc: what is refused):
// parse a text that must parse, or must not, and check an error's position and message.
#pragma once

#include <string_view>

#include <gtest/gtest.h>

#include "config/iprep_proxy_conf.h"

namespace proxywatch::config::iprep_checks {

// The source name every parse in these tests uses, and a password that must never show.
inline constexpr std::string_view kFile = "/etc/sf/iprep_proxy.conf";
inline constexpr std::string_view kSecret = "S3cr3t!pw";

// The settings `text` parses to; a failed expectation (and defaults) when it does not parse.
inline ProxyFileSettings parse_proxy_ok(std::string_view text) {
  auto result = parse_iprep_proxy_conf(text, kFile);
  EXPECT_TRUE(result) << (result ? "" : result.error().to_string());
  return result ? *result : ProxyFileSettings{};
}

// The error `text` is refused with; a failed expectation (and an empty error) when it parses.
inline Error parse_proxy_error(std::string_view text) {
  auto result = parse_iprep_proxy_conf(text, kFile);
  EXPECT_FALSE(result) << "parsed: " << (result ? result->proxy.to_string() : "");
  return result ? Error{} : result.error();
}

// Asserts line, column and a message substring of the error `text` produces.
inline void expect_proxy_error(std::string_view text, int line, int column,
                               std::string_view message) {
  Error error = parse_proxy_error(text);
  ASSERT_TRUE(error.where) << error.to_string();
  EXPECT_EQ(error.where->line, line) << error.to_string();
  EXPECT_EQ(error.where->column, column) << error.to_string();
  EXPECT_NE(error.message.find(message), std::string::npos) << error.to_string();
  EXPECT_EQ(error.kind, Error::Kind::kInvalid);
  EXPECT_EQ(error.where->file, kFile);
}

}  // namespace proxywatch::config::iprep_checks
