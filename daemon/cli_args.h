// A minimal reader for `--name value` / `--name=value` / `--flag` command lines. Unknown
// flags and missing values are errors naming the flag, so every subcommand reports bad usage
// the same way (exit 2).
#pragma once

#include <map>
#include <optional>
#include <set>
#include <string>
#include <vector>

#include <boost/system/result.hpp>

#include "common/error.h"

namespace proxywatch {

class CliArgs {
 public:
  // Parses `args` (without the program and subcommand names). `valued` lists the flags that
  // take a value, `switches` those that do not.
  static Result<CliArgs> parse(const std::vector<std::string>& args,
                               const std::set<std::string>& valued,
                               const std::set<std::string>& switches);

  // The value of flag `name` ("--proxy"), if given. A repeated flag keeps the last value.
  std::optional<std::string> value(const std::string& name) const;
  bool has(const std::string& name) const;

 private:
  std::map<std::string, std::string> values_;
  std::set<std::string> switches_;
};

}  // namespace proxywatch
