// The iprep_proxy.conf grammar on top of iprep_proxy_lexer:
//   file      := "iprep_proxy" "{" statement* "}"
//   statement := KEY VALUE ";"        KEY is [A-Za-z_][A-Za-z0-9_]*, VALUE a word or "quoted"
// then the meaning of the keys. Values of secret keys are never put into messages.
#include "config/iprep_proxy_conf.h"

#include <algorithm>
#include <cctype>
#include <charconv>
#include <unordered_map>

#include "config/host_syntax.h"
#include "config/iprep_proxy_lexer.h"
#include "config/text_file.h"

namespace proxywatch::config {
namespace {

using Type = IprepToken::Type;

constexpr std::string_view kBlockName = "iprep_proxy";
constexpr std::string_view kHostKey = "PROXY_HOST";
constexpr std::string_view kPortKey = "PROXY_PORT";
constexpr std::string_view kUserKey = "PROXY_USER";
constexpr std::string_view kPasswordKey = "PROXY_PASSWORD";

struct Statement {
  IprepToken key;
  IprepToken value;
  std::string canonical;  // the key with aliases folded (PROXY_USERNAME -> PROXY_USER)
};

std::string canonical_key(std::string_view key) {
  if (key == "PROXY_USERNAME") return std::string(kUserKey);
  if (key == "PROXY_PASS") return std::string(kPasswordKey);
  return std::string(key);
}

bool is_known(std::string_view canonical) {
  return canonical == kHostKey || canonical == kPortKey || canonical == kUserKey ||
         canonical == kPasswordKey;
}

// At most 64 characters, so that every message naming a key stays short.
bool is_key(std::string_view text) {
  auto ident = [](char c) { return std::isalnum(static_cast<unsigned char>(c)) || c == '_'; };
  return !text.empty() && text.size() <= 64 && !std::isdigit(static_cast<unsigned char>(text[0])) &&
         std::all_of(text.begin(), text.end(), ident);
}

// Names a token for "found ..." in messages: at most a short token of a word (the file may be
// a symlink to some other file), never the text of a quoted string or of a secret value.
std::string describe(const IprepToken& token) {
  switch (token.type) {
    case Type::kWord:
      return token.secret ? "a secret value" : quoted_token(token.text);
    case Type::kQuoted:
      return "a quoted string";
    case Type::kOpenBrace:
      return "'{'";
    case Type::kCloseBrace:
      return "'}'";
    case Type::kSemicolon:
      return "';'";
    case Type::kEnd:
      return "the end of the file";
  }
  return "?";
}

class Parser {
 public:
  Parser(std::vector<IprepToken> tokens, std::string file)
      : tokens_(std::move(tokens)), file_(std::move(file)) {}

  Result<ProxyFileSettings> run() {
    if (auto error = parse_block_start()) return *error;
    if (auto error = parse_statements()) return *error;
    if (peek().type != Type::kEnd) {
      return error_at(peek(), "",
                      "unexpected " + describe(peek()) +
                          " after the iprep_proxy block (the file holds one block)");
    }
    return interpret();
  }

 private:
  const IprepToken& peek() const { return tokens_[pos_]; }

  // The next token; stays on kEnd once there.
  const IprepToken& take() {
    const IprepToken& token = tokens_[pos_];
    if (token.type != Type::kEnd) ++pos_;
    return token;
  }

  Error error_at(int line, int column, std::string_view key, std::string message) const {
    return file_error(file_, line, column, std::string(key), std::move(message));
  }
  Error error_at(const IprepToken& at, std::string_view key, std::string message) const {
    return error_at(at.line, at.column, key, std::move(message));
  }

  MaybeError parse_block_start() {
    const IprepToken& first = take();
    if (first.type == Type::kEnd) {
      return error_at(0, 0, "", "file is empty (or only comments): expected 'iprep_proxy {'");
    }
    if (first.type != Type::kWord || first.text != kBlockName) {
      return error_at(
          first, "",
          "missing the 'iprep_proxy {' block: expected iprep_proxy, found " + describe(first));
    }
    open_ = take();
    if (open_.type != Type::kOpenBrace) {
      return error_at(open_, "", "expected '{' after iprep_proxy, found " + describe(open_));
    }
    return std::nullopt;
  }

  MaybeError parse_statements() {
    for (;;) {
      if (peek().type == Type::kCloseBrace) {
        close_ = take();
        return std::nullopt;
      }
      if (peek().type == Type::kEnd) {
        return error_at(open_, "", "unterminated iprep_proxy block: the '{' here has no '}'");
      }
      auto statement = parse_statement();
      if (!statement) return statement.error();
      if (auto error = add(std::move(*statement))) return error;
    }
  }

  Result<Statement> parse_statement() {
    const IprepToken& key = take();
    if (key.type != Type::kWord) {
      return error_at(key, "", "expected a key such as PROXY_HOST, found " + describe(key));
    }
    // Neither message below shows the word: "PROXY_PASSWORD=secret" is one word.
    if (key.text.find('=') != std::string::npos) {
      return error_at(key, "", "a key and its value are separated by white space, not '='");
    }
    if (!is_key(key.text)) return error_at(key, "", "invalid key: use letters, digits and '_'");
    const IprepToken& value = take();
    if (value.type != Type::kWord && value.type != Type::kQuoted) {
      return error_at(value, key.text, key.text + " has no value before " + describe(value));
    }
    if (peek().type != Type::kSemicolon) {
      return error_at(value.line, value.end_column, key.text,
                      "missing ';' after the value of " + key.text);
    }
    take();
    return Statement{key, value, canonical_key(key.text)};
  }

  // Hash lookups keep a file of 100,000 keys linear; only known keys and the first
  // kMaxUnknownKeys unknown ones are kept whole.
  MaybeError add(Statement statement) {
    auto [seen, fresh] = first_seen_.try_emplace(statement.canonical,
                                                 FirstSeen{statement.key.text, statement.key.line});
    if (!fresh) {
      const FirstSeen& first = seen->second;
      std::string alias = first.key == statement.key.text ? "" : ": " + first.key;
      return error_at(statement.key, statement.key.text,
                      "duplicate key " + statement.key.text + alias + " already set at line " +
                          std::to_string(first.line));
    }
    if (is_known(statement.canonical)) {
      statements_.push_back(std::move(statement));
    } else if (unknown_.size() < kMaxUnknownKeys) {
      unknown_.push_back(std::move(statement));
    } else {
      ++unknown_left_out_;
    }
    return std::nullopt;
  }

  const Statement* find(std::string_view canonical) const {
    auto it = std::find_if(statements_.begin(), statements_.end(),
                           [&](const Statement& s) { return s.canonical == canonical; });
    return it == statements_.end() ? nullptr : &*it;
  }

  Result<std::uint16_t> parse_port(const Statement& port) const {
    const std::string& text = port.value.text;
    bool digits = !text.empty() && std::all_of(text.begin(), text.end(),
                                               [](char c) { return c >= '0' && c <= '9'; });
    if (!digits) {
      return error_at(port.value, kPortKey,
                      "PROXY_PORT " + in_quotes(text, 24) + " is not a number");
    }
    unsigned long long value = 0;
    auto [end, ec] = std::from_chars(text.data(), text.data() + text.size(), value);
    if (ec != std::errc() || value < 1 || value > 65535) {
      return error_at(port.value, kPortKey,
                      "PROXY_PORT " + text.substr(0, 24) + (text.size() > 24 ? "..." : "") +
                          " is outside 1-65535");
    }
    return static_cast<std::uint16_t>(value);
  }

  MaybeError read_proxy(ProxyFileSettings& out) const {
    const Statement* host = find(kHostKey);
    if (!host) return error_at(close_, kHostKey, "the iprep_proxy block has no PROXY_HOST");
    const Statement* port = find(kPortKey);
    if (!port) return error_at(close_, kPortKey, "the iprep_proxy block has no PROXY_PORT");
    auto name = parse_host(host->value.text);
    if (!name) {
      return error_at(host->value, kHostKey,
                      "PROXY_HOST " + in_quotes(host->value.text, 64) + " " + name.error().message);
    }
    auto number = parse_port(*port);
    if (!number) return number.error();
    out.proxy = HostPort{std::move(*name), *number};
    if (!is_ip_literal(out.proxy.host) && out.proxy.host.size() > kSmartLicensingMaxFqdn) {
      out.warnings.push_back(fqdn_warning(*host, out.proxy.host.size()));
    }
    return std::nullopt;
  }

  ConfigWarning fqdn_warning(const Statement& host, std::size_t length) const {
    return ConfigWarning{
        {file_, host.value.line, host.value.column, std::string(kHostKey)},
        "PROXY_HOST " + in_quotes(host.value.text, 64) + " is " + std::to_string(length) +
            " characters long; FMC's Smart Licensing accepts a proxy FQDN of at most " +
            std::to_string(kSmartLicensingMaxFqdn) +
            " characters, so Smart Licensing through this proxy will fail"};
  }

  std::optional<std::string> optional_value(std::string_view canonical) const {
    const Statement* statement = find(canonical);
    if (!statement || statement->value.text.empty()) return std::nullopt;
    return statement->value.text;
  }

  Result<ProxyFileSettings> interpret() const {
    ProxyFileSettings out;
    if (auto error = read_proxy(out)) return *error;
    out.user = optional_value(kUserKey);
    out.password = optional_value(kPasswordKey);
    for (const Statement& s : unknown_) {
      out.unknown.push_back(UnknownKey{s.key.text, s.value.text, s.key.line, s.key.column});
      out.warnings.push_back(
          ConfigWarning{{file_, s.key.line, s.key.column, s.key.text},
                        "unknown key " + s.key.text + " in the iprep_proxy block is ignored"});
    }
    out.unknown_left_out = unknown_left_out_;
    if (unknown_left_out_ > 0) {
      out.warnings.push_back(ConfigWarning{{file_, 0, 0, ""},
                                           std::to_string(unknown_left_out_) +
                                               " more unknown keys in the iprep_proxy block are "
                                               "ignored (only the first " +
                                               std::to_string(kMaxUnknownKeys) + " are listed)"});
    }
    return out;
  }

  std::vector<IprepToken> tokens_;
  std::size_t pos_ = 0;
  std::string file_;
  IprepToken open_;
  IprepToken close_;
  struct FirstSeen {
    std::string key;
    int line = 0;
  };
  std::vector<Statement> statements_;  // known keys
  std::vector<Statement> unknown_;     // the first kMaxUnknownKeys unknown keys
  std::size_t unknown_left_out_ = 0;
  std::unordered_map<std::string, FirstSeen> first_seen_;  // every key by canonical name
};

}  // namespace

Result<ProxyFileSettings> parse_iprep_proxy_conf(std::string_view text, std::string_view file) {
  std::string name(file);
  auto tokens = tokenize_iprep_proxy(text, name);
  if (!tokens) return tokens.error();
  return Parser(std::move(*tokens), std::move(name)).run();
}

Result<std::optional<ProxyFileSettings>> load_proxy_file(const std::string& path) {
  auto text = read_text_file(path);
  if (!text) {
    if (is_file_absent(text.error())) return std::optional<ProxyFileSettings>();
    return unreadable_config(text.error());
  }
  auto settings = parse_iprep_proxy_conf(*text, path);
  if (!settings) return settings.error();
  return std::optional<ProxyFileSettings>(std::move(*settings));
}

}  // namespace proxywatch::config
