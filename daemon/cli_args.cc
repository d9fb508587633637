// Command-line flag reading.
#include "daemon/cli_args.h"
#include "common/error.h"

namespace proxywatch {

Result<CliArgs> CliArgs::parse(const std::vector<std::string>& args,
                               const std::set<std::string>& valued,
                               const std::set<std::string>& switches) {
  CliArgs out;
  for (size_t i = 0; i < args.size(); ++i) {
    std::string name = args[i];
    std::optional<std::string> inline_value;
    if (auto eq = name.find('='); name.starts_with("--") && eq != std::string::npos) {
      inline_value = name.substr(eq + 1);
      name.resize(eq);
    }
    if (switches.contains(name) && !inline_value) {
      out.switches_.insert(name);
    } else if (valued.contains(name)) {
      if (!inline_value && i + 1 >= args.size())
        return error_text("option " + name + " needs a value");
      out.values_[name] = inline_value ? *inline_value : args[++i];
    } else if (name.starts_with("-")) {
      return error_text("unknown option " + name);
    } else {
      return error_text("unexpected argument '" + name + "'");
    }
  }
  return out;
}

std::optional<std::string> CliArgs::value(const std::string& name) const {
  auto it = values_.find(name);
  if (it == values_.end()) return std::nullopt;
  return it->second;
}

bool CliArgs::has(const std::string& name) const {
  return switches_.contains(name);
}

}  // namespace proxywatch
