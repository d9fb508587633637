// A hand-written scanner: the format is tiny and its error positions must be exact.
#include "config/iprep_proxy_lexer.h"

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

  ConfigResult<std::vector<IprepToken>> run() {
    std::vector<IprepToken> tokens;
    for (;;) {
      skip_space_and_comments();
      auto token = next();
      if (!token) return token.error();
      tokens.push_back(std::move(*token));
      if (tokens.back().type == Type::kEnd) return tokens;
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

  ConfigResult<IprepToken> next() {
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

  ConfigResult<IprepToken> quoted_string() {
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

  ConfigError unterminated(const IprepToken& token) const {
    return ConfigError{ConfigError::Kind::kInvalid,
                       file_,
                       token.line,
                       token.column,
                       "",
                       "unterminated quoted string: no closing '\"' before the end of the line"};
  }

  std::string_view text_;
  const std::string& file_;
  std::size_t pos_ = 0;
  int line_ = 1;
  int column_ = 1;
};

}  // namespace

ConfigResult<std::vector<IprepToken>> tokenize_iprep_proxy(std::string_view text,
                                                           const std::string& file) {
  return Lexer(text, file).run();
}

}  // namespace proxywatch::config
