// The support bundle's masking: line by line for the configuration files, byte by byte for the
// safety net.
#include "daemon/bundle_mask.h"

#include <openssl/evp.h>

#include <algorithm>
#include <cctype>
#include <functional>
#include <regex>

#include "common/probe/proxy_auth.h"

namespace proxywatch {
namespace {

std::string mask_lower(std::string_view text) {
  std::string out(text);
  std::transform(out.begin(), out.end(), out.begin(),
                 [](unsigned char c) { return static_cast<char>(std::tolower(c)); });
  return out;
}

bool mask_is_blank(char c) {
  return c == ' ' || c == '\t' || c == '\r';
}
bool mask_is_word(char c) {
  return std::isalnum(static_cast<unsigned char>(c)) || c == '_';
}

// Calls `mask` on each line of `text` (without its "\n"; 1-based numbers) and joins them again.
std::string map_lines(std::string_view text, const std::function<void(int, std::string&)>& mask) {
  std::string out;
  out.reserve(text.size());
  int number = 0;
  std::size_t start = 0;
  while (start < text.size()) {
    std::size_t end = text.find('\n', start);
    bool newline = end != std::string_view::npos;
    std::string line(text.substr(start, newline ? end - start : std::string_view::npos));
    mask(++number, line);
    out += line;
    if (newline) out += '\n';
    start = newline ? end + 1 : text.size();
  }
  return out;
}

// The end of `line` without a trailing CR.
std::size_t mask_content_end(const std::string& line) {
  return !line.empty() && line.back() == '\r' ? line.size() - 1 : line.size();
}

std::size_t mask_indent_of(const std::string& line) {
  return line.find_first_not_of(" \t") == std::string::npos ? line.size()
                                                            : line.find_first_not_of(" \t");
}

// Replaces line[begin, end) by kMaskText unless it is empty; true when it did.
bool mask_replace(std::string& line, std::size_t begin, std::size_t end) {
  while (end > begin && mask_is_blank(line[end - 1])) --end;
  if (end <= begin) return false;
  line.replace(begin, end - begin, kMaskText);
  return true;
}

// Where a YAML value starting at `begin` ends: a quoted scalar at its closing quote, a value in
// a flow collection at the next ',', '}' or ']', any other at the end of the line (a comment
// after it is masked too: a password may hold " #").
std::size_t yaml_value_end(const std::string& line, std::size_t begin, bool in_flow) {
  std::size_t end = mask_content_end(line);
  if (begin >= end) return begin;
  char quote = line[begin];
  if (quote == '"' || quote == '\'') {
    for (std::size_t i = begin + 1; i < end; ++i) {
      if (quote == '"' && line[i] == '\\') {
        ++i;
      } else if (line[i] == quote) {
        return i + 1;
      }
    }
    return end;
  }
  if (!in_flow) return end;
  std::size_t stop = line.find_first_of(",}]", begin);
  return stop == std::string::npos ? end : stop;
}

// The state of mask_yaml_file between lines: inside a block whose lines are all secret.
struct YamlBlock {
  bool active = false;
  std::size_t indent = 0;
  std::string key;
};

// A line of a secret block: the value of `name: value`, or the whole line.
void mask_block_line(int number, std::string& line, const YamlBlock& block, std::string_view file,
                     std::vector<MaskEntry>& masked) {
  std::size_t indent = mask_indent_of(line);
  std::size_t colon = line.find(':', indent);
  bool pair = colon != std::string::npos &&
              (colon + 1 >= mask_content_end(line) || mask_is_blank(line[colon + 1]));
  std::size_t begin = pair ? line.find_first_not_of(" \t", colon + 1) : indent;
  std::string what = "key " + block.key;
  if (pair) what += "." + line.substr(indent, colon - indent);
  if (begin != std::string::npos && mask_replace(line, begin, mask_content_end(line))) {
    masked.push_back({std::string(file), number, what});
  }
}

// The secret keys of one YAML line; starts a block for a key whose value follows on the next
// lines (`password: |`, `basic_auth_users:`).
void mask_yaml_keys(int number, std::string& line, YamlBlock& block, std::string_view file,
                    std::vector<MaskEntry>& masked) {
  static const std::regex key_pattern(
      R"re((^|[\s{,])["']?([A-Za-z0-9_.-]+)["']?[ \t]*:(?=[ \t\r]|$))re");
  std::size_t from = 0;
  std::smatch m;
  while (from < line.size() && std::regex_search(line.cbegin() + static_cast<std::ptrdiff_t>(from),
                                                 line.cend(), m, key_pattern)) {
    std::size_t key_end = from + static_cast<std::size_t>(m.position(0) + m.length(0));
    std::string key = m[2].str();
    bool secret = is_secret_key_name(key) || key == "basic_auth_users";
    if (!secret) {
      from = key_end;
      continue;
    }
    std::size_t begin = line.find_first_not_of(" \t", key_end);
    bool in_flow = line.find_first_of("{[") < key_end;
    std::string_view rest = begin == std::string::npos ? std::string_view()
                                                       : std::string_view(line).substr(
                                                             begin, mask_content_end(line) - begin);
    if (rest.empty() || rest.starts_with('#') || rest.starts_with('|') || rest.starts_with('>')) {
      // The value is on the lines below, indented deeper: a mapping or a block scalar.
      block = {.active = true, .indent = mask_indent_of(line), .key = key};
      return;
    }
    std::size_t end = yaml_value_end(line, begin, in_flow);
    if (mask_replace(line, begin, end)) masked.push_back({std::string(file), number, "key " + key});
    from = begin + kMaskText.size();
  }
}

}  // namespace

bool is_secret_key_name(std::string_view key) {
  std::string name = mask_lower(key);
  if (name.ends_with("_file")) return false;
  for (std::string_view part : {"pas", "pwd", "secret", "token"}) {
    if (name.find(part) != std::string::npos) return true;
  }
  return false;
}

MaskedText mask_proxy_file(std::string_view text, std::string_view file) {
  MaskedText out;
  out.text = map_lines(text, [&](int number, std::string& line) {
    std::size_t end = mask_content_end(line);
    for (std::size_t at = 0; at < end;) {
      if (!mask_is_word(line[at])) {
        ++at;
        continue;
      }
      std::size_t word_end = at;
      while (word_end < end && mask_is_word(line[word_end])) ++word_end;
      std::string key = line.substr(at, word_end - at);
      if (!is_secret_key_name(key)) {
        at = word_end;
        continue;
      }
      // The value: after blanks (or '=', "PROXY_PASSWORD=secret" being one word to the lexer)
      // up to the line's last ';'.
      std::size_t begin = line.find_first_not_of(" \t=", word_end);
      std::size_t semicolon = line.rfind(';', end);
      std::size_t stop =
          semicolon != std::string::npos && begin != std::string::npos && semicolon >= begin
              ? semicolon
              : end;
      if (begin != std::string::npos && begin < stop && mask_replace(line, begin, stop)) {
        out.masked.push_back({std::string(file), number, "key " + key});
      }
      break;
    }
  });
  mask_in_any_text(out.text, file, out.masked);
  return out;
}

MaskedText mask_yaml_file(std::string_view text, std::string_view file) {
  MaskedText out;
  YamlBlock block;
  out.text = map_lines(text, [&](int number, std::string& line) {
    std::size_t indent = mask_indent_of(line);
    bool blank = indent >= mask_content_end(line) || line[indent] == '#';
    if (block.active && !blank && indent > block.indent) {
      return mask_block_line(number, line, block, file, out.masked);
    }
    if (!blank) block.active = false;
    mask_yaml_keys(number, line, block, file, out.masked);
  });
  mask_in_any_text(out.text, file, out.masked);
  return out;
}

void mask_in_any_text(std::string& text, std::string_view file, std::vector<MaskEntry>& masked) {
  static const std::regex bcrypt(R"(\$2[aby]\$[0-9]{2}\$[./A-Za-z0-9]{53})");
  static const std::regex url_password(R"(([A-Za-z][A-Za-z0-9+.-]*://[^\s/:@]*:)([^\s/@]+)@)");
  text = map_lines(text, [&](int number, std::string& line) {
    if (std::regex_search(line, bcrypt)) {
      line = std::regex_replace(line, bcrypt, std::string(kMaskText));
      masked.push_back({std::string(file), number, "a bcrypt hash"});
    }
    if (std::regex_search(line, url_password)) {
      line = std::regex_replace(line, url_password, "$1" + std::string(kMaskText) + "@");
      masked.push_back({std::string(file), number, "the password of a URL"});
    }
  });
}

std::vector<Secret> secrets_of(const std::vector<ProxyCredentials>& credentials) {
  std::vector<Secret> out;
  for (const ProxyCredentials& c : credentials) {
    if (c.password.empty()) continue;
    std::string basic = basic_authorization(c);
    out.push_back({basic.substr(basic.find(' ') + 1), "the base64 of user:password"});
    std::string alone(4 * ((c.password.size() + 2) / 3) + 1, '\0');
    int n = EVP_EncodeBlock(reinterpret_cast<unsigned char*>(alone.data()),
                            reinterpret_cast<const unsigned char*>(c.password.data()),
                            static_cast<int>(c.password.size()));
    alone.resize(static_cast<std::size_t>(n));
    out.push_back({alone, "the base64 of the proxy password"});
    out.push_back({c.password, "the proxy password"});
  }
  return out;
}

bool mask_secret_bytes(std::string& bytes, const std::vector<Secret>& secrets,
                       std::string_view file, std::vector<MaskEntry>& masked) {
  bool any = false;
  for (const Secret& secret : secrets) {
    if (secret.bytes.size() < kMinSecretBytes) continue;
    std::size_t count = 0;
    for (std::size_t at = bytes.find(secret.bytes); at != std::string::npos;
         at = bytes.find(secret.bytes, at + secret.bytes.size())) {
      std::fill_n(bytes.begin() + static_cast<std::ptrdiff_t>(at), secret.bytes.size(), 'x');
      ++count;
    }
    if (count == 0) continue;
    any = true;
    masked.push_back({std::string(file), 0,
                      std::to_string(count) + (count == 1 ? " time " : " times ") + secret.what +
                          " (overwritten with x, same length)"});
  }
  return any;
}

std::string format_masked_list(const std::vector<MaskEntry>& masked) {
  std::string out =
      "What was masked in this bundle: file, line and the key (never the value).\n"
      "Values of keys were replaced by " +
      std::string(kMaskText) +
      "; bytes found by the last check (the configured\n"
      "password and its base64 anywhere, in any file) were overwritten with x.\n\n";
  if (masked.empty()) return out + "Nothing was masked: no file held a secret.\n";
  for (const MaskEntry& entry : masked) {
    out += entry.file;
    if (entry.line > 0) out += ":" + std::to_string(entry.line);
    out += ": " + entry.what + "\n";
  }
  return out;
}

}  // namespace proxywatch
