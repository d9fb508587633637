// A small recursive-descent reader over one header value; see RFC 9110 §11.2 and §5.6.
#include "common/probe/auth_challenge.h"

#include <algorithm>
#include <cctype>

namespace proxywatch {
namespace {

bool iequals(std::string_view a, std::string_view b) {
  return std::ranges::equal(a, b, [](char x, char y) {
    return std::tolower(static_cast<unsigned char>(x)) ==
           std::tolower(static_cast<unsigned char>(y));
  });
}

bool is_tchar(char c) {
  return std::isalnum(static_cast<unsigned char>(c)) ||
         std::string_view("!#$%&'*+-.^_`|~").find(c) != std::string_view::npos;
}

bool is_token68_char(char c) {
  return std::isalnum(static_cast<unsigned char>(c)) ||
         std::string_view("-._~+/").find(c) != std::string_view::npos;
}

class Reader {
 public:
  explicit Reader(std::string_view text) : text_(text) {}

  bool done() const { return pos_ >= text_.size(); }
  char peek() const { return done() ? '\0' : text_[pos_]; }
  void skip_ows() {
    while (!done() && (peek() == ' ' || peek() == '\t')) ++pos_;
  }
  void skip_ows_and_commas() {
    while (!done() && (peek() == ' ' || peek() == '\t' || peek() == ',')) ++pos_;
  }
  size_t mark() const { return pos_; }
  void reset(size_t mark) { pos_ = mark; }

  std::string token() {
    size_t start = pos_;
    while (!done() && is_tchar(peek())) ++pos_;
    return std::string(text_.substr(start, pos_ - start));
  }

  // A quoted-string with quoted-pair escapes; false when unterminated.
  bool quoted(std::string& out) {
    ++pos_;  // opening quote
    while (!done()) {
      char c = text_[pos_++];
      if (c == '"') return true;
      if (c == '\\' && !done()) c = text_[pos_++];
      out.push_back(c);
    }
    return false;
  }

  // token68 followed by end or comma; restores the position and returns false otherwise.
  bool token68(std::string& out) {
    size_t start = pos_;
    while (!done() && is_token68_char(peek())) ++pos_;
    while (!done() && peek() == '=') ++pos_;
    size_t end = pos_;
    skip_ows();
    if (end > start && (done() || peek() == ',')) {
      out.assign(text_.substr(start, end - start));
      return true;
    }
    pos_ = start;
    return false;
  }

 private:
  std::string_view text_;
  size_t pos_ = 0;
};

// Reads `name = value`; restores the position and returns false when not an auth-param.
bool read_param(Reader& r, std::string& name, std::string& value) {
  size_t start = r.mark();
  name = r.token();
  r.skip_ows();
  if (name.empty() || r.peek() != '=') {
    r.reset(start);
    return false;
  }
  r.reset(r.mark() + 1);
  r.skip_ows();
  value.clear();
  if (r.peek() == '"') return r.quoted(value);
  value = r.token();
  return true;
}

void read_params(Reader& r, AuthChallenge& challenge) {
  std::string name, value;
  while (true) {
    r.skip_ows_and_commas();
    if (r.done() || !read_param(r, name, value)) return;
    std::ranges::transform(name, name.begin(),
                           [](unsigned char c) { return static_cast<char>(std::tolower(c)); });
    challenge.params.emplace(std::move(name), std::move(value));
  }
}

}  // namespace

bool AuthChallenge::is(std::string_view name) const {
  return iequals(scheme, name);
}

void parse_auth_challenges(std::string_view header, std::vector<AuthChallenge>& out) {
  Reader r(header);
  for (int guard = 0; guard < 64; ++guard) {
    r.skip_ows_and_commas();
    if (r.done()) return;
    AuthChallenge challenge;
    challenge.scheme = r.token();
    if (challenge.scheme.empty()) return;
    r.skip_ows();
    if (!r.token68(challenge.token68)) read_params(r, challenge);
    out.push_back(std::move(challenge));
  }
}

bool only_unsupported_schemes(const std::vector<AuthChallenge>& challenges) {
  return !challenges.empty() && std::ranges::all_of(challenges, [](const AuthChallenge& c) {
    return c.is("NTLM") || c.is("Negotiate");
  });
}

}  // namespace proxywatch
