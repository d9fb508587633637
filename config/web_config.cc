// The web configuration file: exporter-toolkit's schema, the subset proxywatch serves, read with
// yaml_reader's located errors.
#include "config/web_config.h"

#include <algorithm>
#include <array>
#include <cctype>
#include <filesystem>

#include <fmt/format.h>

#include "common/error.h"
#include "config/text_file.h"
#include "config/yaml_documents.h"
#include "config/yaml_reader.h"

namespace proxywatch::config {
namespace {

constexpr std::array<std::string_view, 3> kWebConfigKeys = {
    "tls_server_config", "http_server_config", "basic_auth_users"};
// exporter-toolkit's tls_server_config keys; the first four are served.
constexpr std::array<std::string_view, 13> kTlsKeys = {"cert_file",
                                                       "key_file",
                                                       "client_auth_type",
                                                       "client_ca_file",
                                                       "cipher_suites",
                                                       "curve_preferences",
                                                       "min_version",
                                                       "max_version",
                                                       "prefer_server_cipher_suites",
                                                       "client_allowed_sans",
                                                       "cert",
                                                       "key",
                                                       "client_ca"};
constexpr std::array<std::string_view, 4> kServedTlsKeys = {"cert_file", "key_file",
                                                            "client_auth_type", "client_ca_file"};

struct ClientAuthName {
  std::string_view name;
  ClientAuth auth;
};
// exporter-toolkit's names; "" and "RequireClientCert" are its aliases (tls_config.go).
constexpr std::array<ClientAuthName, 7> kClientAuthNames = {{
    {"NoClientCert", ClientAuth::kNone},
    {"RequestClientCert", ClientAuth::kRequest},
    {"RequireAnyClientCert", ClientAuth::kRequireAny},
    {"VerifyClientCertIfGiven", ClientAuth::kVerifyIfGiven},
    {"RequireAndVerifyClientCert", ClientAuth::kRequireAndVerify},
    {"RequireClientCert", ClientAuth::kRequireAny},
    {"", ClientAuth::kNone},
}};

// bcrypt's modular crypt prefixes (crypt(5)) and a two-digit cost; libcrypt's crypt_r checks
// the rest.
bool is_bcrypt(const std::string& hash) {
  return hash.size() == 60 &&
         (hash.starts_with("$2a$") || hash.starts_with("$2b$") || hash.starts_with("$2y$")) &&
         std::isdigit(static_cast<unsigned char>(hash[4])) &&
         std::isdigit(static_cast<unsigned char>(hash[5])) && hash[6] == '$';
}

// The cost of a hash is_bcrypt accepted: "$2y$10$..." → 10.
int bcrypt_cost(const std::string& hash) {
  return (hash[4] - '0') * 10 + (hash[5] - '0');
}

std::string resolved(const std::string& path, const std::string& source) {
  std::filesystem::path p(path);
  if (p.is_absolute()) return path;
  return (std::filesystem::path(source).parent_path() / p).lexically_normal().string();
}

// client_auth_type and client_ca_file, with exporter-toolkit's rules (and one stricter, see
// web_config.h).
MaybeError read_client_auth(const YamlMap& map, WebConfig& config) {
  std::string type;
  if (auto e = read_key(map, "client_auth_type", type, to_text)) return e;
  const auto known = std::find_if(kClientAuthNames.begin(), kClientAuthNames.end(),
                                  [&](const ClientAuthName& n) { return n.name == type; });
  if (known == kClientAuthNames.end()) {
    return map.error("client_auth_type",
                     "expected NoClientCert, RequestClientCert, RequireAnyClientCert, "
                     "VerifyClientCertIfGiven or RequireAndVerifyClientCert, got " +
                         key_for_message(type));
  }
  config.client_auth = known->auth;
  if (auto e = read_key(map, "client_ca_file", config.client_ca_file, to_text)) return e;
  if (!config.client_ca_file.empty()) {
    if (config.client_auth == ClientAuth::kNone) {
      return map.error("client_ca_file",
                       "is set but client_auth_type is NoClientCert: name the policy, "
                       "e.g. RequireAndVerifyClientCert");
    }
    config.client_ca_file = resolved(config.client_ca_file, config.source);
  } else if (config.client_auth == ClientAuth::kVerifyIfGiven ||
             config.client_auth == ClientAuth::kRequireAndVerify) {
    return map.error("client_auth_type",
                     "verifies client certificates, which needs client_ca_file (the CAs "
                     "they must chain to)");
  }
  return std::nullopt;
}

MaybeError read_tls(const YamlMap& top, WebConfig& config) {
  const YAML::Node* node = top.find("tls_server_config");
  if (!node) return std::nullopt;
  auto map = YamlMap::open(*node, config.source, "tls_server_config", kTlsKeys);
  if (!map) return map.error();
  for (std::string_view key : kTlsKeys) {
    if (std::find(kServedTlsKeys.begin(), kServedTlsKeys.end(), key) != kServedTlsKeys.end() ||
        !map->find(key)) {
      continue;
    }
    return map->error(key,
                      "is not supported by proxywatch (only cert_file, key_file, "
                      "client_auth_type and client_ca_file are)");
  }
  if (auto e = read_key(*map, "cert_file", config.cert_file, to_text)) return e;
  if (auto e = read_key(*map, "key_file", config.key_file, to_text)) return e;
  if (config.cert_file.empty() || config.key_file.empty()) {
    return map->error_here("needs both cert_file and key_file");
  }
  config.cert_file = resolved(config.cert_file, config.source);
  config.key_file = resolved(config.key_file, config.source);
  return read_client_auth(*map, config);
}

MaybeError read_users(const YamlMap& top, WebConfig& config) {
  const YAML::Node* node = top.find("basic_auth_users");
  if (!node || node->IsNull()) return std::nullopt;
  if (!node->IsMap()) {
    return top.error("basic_auth_users", "expected a mapping of user names to bcrypt hashes");
  }
  for (const auto& entry : *node) {
    const std::string user = entry.first.as<std::string>("");
    const std::string path = "basic_auth_users." + key_for_message(user);
    if (user == kMergeKey) return merge_key_error(entry.first, config.source, path);
    if (user.empty() || user.find(':') != std::string::npos) {
      return yaml_error(entry.first, config.source, path,
                        "a user name must be non-empty, without ':'");
    }
    const std::string hash = entry.second.IsScalar() ? entry.second.Scalar() : "";
    if (!is_bcrypt(hash)) {
      return yaml_error(entry.second, config.source, path,
                        "expected a bcrypt hash (60 characters, as htpasswd -nB makes them)");
    }
    if (bcrypt_cost(hash) > kMaxBcryptCost) {
      return yaml_error(entry.second, config.source, path,
                        fmt::format("bcrypt cost {} is above the ceiling of {} (each check would "
                                    "cost seconds of the listener's time): make the hash with "
                                    "htpasswd -nBC 12",
                                    bcrypt_cost(hash), kMaxBcryptCost));
    }
    if (!config.basic_auth_users.emplace(user, hash).second) {
      return yaml_error(entry.first, config.source, path, "user listed twice");
    }
  }
  return std::nullopt;
}

}  // namespace

std::string_view client_auth_name(ClientAuth auth) {
  for (const ClientAuthName& n : kClientAuthNames) {
    if (n.auth == auth) return n.name;
  }
  return "NoClientCert";
}

Result<WebConfig> parse_web_config(const std::string& text, const std::string& source_name) {
  WebConfig config;
  config.source = source_name;
  // load_documents for its plain message on deep nesting; a second document stays ignored.
  auto documents = load_documents(text, source_name);
  if (!documents) return documents.error();
  const YAML::Node root = documents->first;
  if (root.IsNull()) return config;
  auto map = YamlMap::open(root, source_name, "", kWebConfigKeys);
  if (!map) return map.error();
  if (map->find("http_server_config")) {
    return map->error("http_server_config", "is not supported by proxywatch");
  }
  if (auto e = read_tls(*map, config)) return *e;
  if (auto e = read_users(*map, config)) return *e;
  return config;
}

Result<WebConfig> load_web_config(const std::string& path) {
  auto text = read_text_file(path);
  if (!text) return unreadable_config(text.error());
  return parse_web_config(*text, path);
}

}  // namespace proxywatch::config
