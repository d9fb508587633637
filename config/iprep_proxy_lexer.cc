// A hand-written scanner: the format is tiny and its error positions must be exact.
#include "config/iprep_proxy_lexer.h"

#include <algorithm>
#include <cctype>
#include <optional>

namespace proxywatch::config {
namespace {

using Type = IprepToken::Type;

bool is_space(char c) {
  return c == ' ' || c == '\t' || c == '\r' || c == '\n';
}

bool ends_word(char c) {
  return is_space(c) || c == ';' || c == '{' || c == '}';
}

class Lexer {
 public:
  Lexer(std::string_view text, const std::string& file) : text_(text), file_(file) {
    if (text_.starts_with("\xEF\xBB\xBF")) pos_ = 3;
  }

  Result<std::vector<IprepToken>> run() {
    std::vector<IprepToken> tokens;
    for (;;) {
      skip_space_and_comments();
      bool key_position = !tokens.empty() && (tokens.back().type == Type::kOpenBrace ||
                                              tokens.back().type == Type::kSemicolon);
      auto token = next();
      if (!token) return token.error();
      tokens.push_back(std::move(*token));
      if (tokens.back().type == Type::kEnd) return tokens;
      if (key_position && tokens.back().type == Type::kWord && is_secret_key(tokens.back().text)) {
        if (auto error = secret_value(tokens)) return *error;
      }
    }
  }

 private:
  bool at_end() const { return pos_ >= text_.size(); }
  char peek() const { return text_[pos_]; }

  void advance() {
    if (text_[pos_] == '\n') {
      ++line_;
      column_ = 1;
    } else {
      ++column_;
    }
    ++pos_;
  }

  void skip_space_and_comments() {
    while (!at_end()) {
      if (peek() == '#') {
        while (!at_end() && peek() != '\n') advance();
      } else if (is_space(peek())) {
        advance();
      } else {
        return;
      }
    }
  }

  IprepToken start(Type type) const { return IprepToken{type, {}, line_, column_, column_}; }

  Result<IprepToken> next() {
    if (at_end()) return start(Type::kEnd);
    switch (peek()) {
      case '{':
        return single(Type::kOpenBrace);
      case '}':
        return single(Type::kCloseBrace);
      case ';':
        return single(Type::kSemicolon);
      case '"':
        return quoted_string();
      default:
        return word();
    }
  }

  IprepToken single(Type type) {
    IprepToken token = start(type);
    token.text = std::string(1, peek());
    advance();
    token.end_column = column_;
    return token;
  }

  IprepToken word() {
    IprepToken token = start(Type::kWord);
    while (!at_end() && !ends_word(peek())) {
      token.text += peek();
      advance();
    }
    token.end_column = column_;
    return token;
  }

  Result<IprepToken> quoted_string() {
    IprepToken token = start(Type::kQuoted);
    advance();  // the opening quote
    for (;;) {
      if (at_end() || peek() == '\n' || peek() == '\r') return unterminated(token);
      char c = peek();
      advance();
      if (c == '"') break;
      if (c == '\\' && !at_end() && (peek() == '"' || peek() == '\\')) {
        c = peek();
        advance();
      }
      token.text += c;
    }
    token.end_column = column_;
    return token;
  }

  // After a secret key: its value to the last ';' of the line, then that ';'. A quoted value
  // or none at all (`PROXY_PASSWORD ;`) is left to the ordinary rules.
  std::optional<Error> secret_value(std::vector<IprepToken>& tokens) {
    const IprepToken key = tokens.back();
    while (!at_end() && (peek() == ' ' || peek() == '\t')) advance();
    if (at_end() || peek() == '"' || peek() == ';' || peek() == '\n' || peek() == '\r') {
      return std::nullopt;
    }
    std::size_t line_end = std::min(text_.find('\n', pos_), text_.size());
    std::size_t semicolon = text_.rfind(';', line_end);
    if (semicolon == std::string_view::npos || semicolon < pos_) {
      return file_error(file_, key.line, key.column, key.text,
                        "missing ';' after the value of " + key.text +
                            " on its line (a password runs to the last ';' of its line)");
    }
    std::size_t end = semicolon;
    while (end > pos_ && (text_[end - 1] == ' ' || text_[end - 1] == '\t')) --end;
    IprepToken value = start(Type::kWord);
    value.secret = true;
    value.text.assign(text_.substr(pos_, end - pos_));
    while (pos_ < end) advance();
    value.end_column = column_;
    tokens.push_back(std::move(value));
    while (pos_ < semicolon) advance();
    tokens.push_back(single(Type::kSemicolon));
    return rest_of_secret_line(key);
  }

  // What follows a secret value's ';' on its line holds no ';', so it is no statement: it may
  // be a comment or the block's '}', or else a cut password (`Fmc;Secret99` without its final
  // ';'), which the message must not show.
  std::optional<Error> rest_of_secret_line(const IprepToken& key) {
    while (!at_end() && (peek() == ' ' || peek() == '\t' || peek() == '\r')) advance();
    if (at_end() || peek() == '\n' || peek() == '#' || peek() == '}') return std::nullopt;
    return file_error(file_, key.line, key.column, key.text,
                      "text after the value of " + key.text +
                          " on its line: a password runs to the last ';' of its line, so end "
                          "it with ';' (or quote it)");
  }

  Error unterminated(const IprepToken& token) const {
    return file_error(file_, token.line, token.column, "",
                      "unterminated quoted string: no closing '\"' before the end of the line");
  }

  std::string_view text_;
  const std::string& file_;
  std::size_t pos_ = 0;
  int line_ = 1;
  int column_ = 1;
};

}  // namespace

bool is_secret_key(std::string_view key) {
  // Only a word that can be a key: anything else is refused as a key without being shown.
  auto ident = [](unsigned char c) { return std::isalnum(c) || c == '_'; };
  if (key.empty() || !std::all_of(key.begin(), key.end(), ident)) return false;
  std::string upper(key);
  std::transform(upper.begin(), upper.end(), upper.begin(),
                 [](unsigned char c) { return static_cast<char>(std::toupper(c)); });
  return upper.find("PASS") != std::string::npos;
}

Result<std::vector<IprepToken>> tokenize_iprep_proxy(std::string_view text,
                                                     const std::string& file) {
  return Lexer(text, file).run();
}

}  // namespace proxywatch::config
