// Basic and Digest answers to a proxy's 407. RFC 7616 §3.4.1-3.4.3 for the Digest response,
// §3.4.4 for userhash; RFC 7617 §2 for Basic.
#include "common/probe/proxy_auth.h"

#include <algorithm>
#include <array>
#include <iterator>

#include <fmt/format.h>
#include <openssl/evp.h>
#include <openssl/rand.h>
#include <boost/algorithm/hex.hpp>
#include <boost/beast/core/string.hpp>
#include <boost/beast/http/rfc7230.hpp>

#include "common/escape.h"

namespace proxywatch {
namespace {

using boost::beast::iequals;

std::string_view param(const AuthChallenge& c, const std::string& name) {
  auto it = c.params.find(name);
  return it == c.params.end() ? std::string_view() : std::string_view(it->second);
}

struct Algorithm {
  const EVP_MD* (*md)();
  bool sess;
  std::string_view name;  // as written in the answer
};

// The algorithm a Digest challenge names (absent: MD5, RFC 7616 §3.3); nullopt if unknown.
std::optional<Algorithm> algorithm_of(const AuthChallenge& c) {
  std::string_view name = param(c, "algorithm");
  if (name.empty() || iequals(name, "MD5")) return Algorithm{EVP_md5, false, "MD5"};
  if (iequals(name, "MD5-sess")) return Algorithm{EVP_md5, true, "MD5-sess"};
  if (iequals(name, "SHA-256")) return Algorithm{EVP_sha256, false, "SHA-256"};
  if (iequals(name, "SHA-256-sess")) return Algorithm{EVP_sha256, true, "SHA-256-sess"};
  return std::nullopt;
}

// Whether the challenge's qop list (RFC 7616 §3.3: a quoted, comma-separated token list)
// offers "auth".
bool offers_qop_auth(std::string_view qop) {
  return std::ranges::any_of(boost::beast::http::token_list(qop),
                             [](std::string_view token) { return iequals(token, "auth"); });
}

// Preference rank of a challenge proxywatch can answer (lower is better), or nullopt.
std::optional<int> rank(const AuthChallenge& c) {
  if (c.is("Basic")) return 2;
  if (!c.is("Digest") || param(c, "nonce").empty()) return std::nullopt;
  std::string_view qop = param(c, "qop");
  if (c.params.contains("qop") && !offers_qop_auth(qop)) return std::nullopt;
  auto algorithm = algorithm_of(c);
  if (!algorithm) return std::nullopt;
  return algorithm->md == EVP_sha256 ? 0 : 1;
}

// Lower-case hex of `size` bytes (RFC 7616 §3.4.1 asks for lower case).
std::string to_hex(const unsigned char* bytes, std::size_t size) {
  std::string hex;
  hex.reserve(size * 2);
  boost::algorithm::hex_lower(bytes, bytes + size, std::back_inserter(hex));
  return hex;
}

// Lower-case hex of the digest of `text` under `md`.
std::string hex_digest(const EVP_MD* md, std::string_view text) {
  std::array<unsigned char, EVP_MAX_MD_SIZE> out{};
  unsigned int size = 0;
  if (EVP_Digest(text.data(), text.size(), out.data(), &size, md, nullptr) != 1) return {};
  return to_hex(out.data(), size);
}

}  // namespace

std::string_view to_string(AuthScheme scheme) {
  switch (scheme) {
    case AuthScheme::kDigestSha256:
      return "Digest SHA-256";
    case AuthScheme::kDigestMd5:
      return "Digest MD5";
    case AuthScheme::kBasic:
      return "Basic";
  }
  return "Basic";
}

std::optional<ChosenChallenge> choose_challenge(const std::vector<AuthChallenge>& challenges) {
  const AuthChallenge* best = nullptr;
  int best_rank = 3;
  for (const AuthChallenge& c : challenges) {
    auto r = rank(c);
    if (r && *r < best_rank) {
      best = &c;
      best_rank = *r;
    }
  }
  if (!best) return std::nullopt;
  constexpr std::array kSchemes = {AuthScheme::kDigestSha256, AuthScheme::kDigestMd5,
                                   AuthScheme::kBasic};
  return ChosenChallenge{kSchemes[static_cast<size_t>(best_rank)], *best};
}

bool is_stale(const AuthChallenge& challenge) {
  return challenge.is("Digest") && iequals(param(challenge, "stale"), "true");
}

std::string basic_authorization(const ProxyCredentials& credentials) {
  std::string plain = credentials.user + ":" + credentials.password;
  std::string encoded(4 * ((plain.size() + 2) / 3) + 1, '\0');
  int n = EVP_EncodeBlock(reinterpret_cast<unsigned char*>(encoded.data()),
                          reinterpret_cast<const unsigned char*>(plain.data()),
                          static_cast<int>(plain.size()));
  OPENSSL_cleanse(plain.data(), plain.size());
  encoded.resize(static_cast<size_t>(std::max(n, 0)));
  return "Basic " + encoded;
}

std::optional<std::string> digest_authorization(const AuthChallenge& challenge,
                                                const ProxyCredentials& credentials,
                                                const DigestRequest& request) {
  auto algorithm = algorithm_of(challenge);
  if (!algorithm) return std::nullopt;
  const EVP_MD* md = algorithm->md();
  std::string realm(param(challenge, "realm"));
  std::string nonce(param(challenge, "nonce"));
  std::string secret = credentials.user + ":" + realm + ":" + credentials.password;
  std::string ha1 = hex_digest(md, secret);
  OPENSSL_cleanse(secret.data(), secret.size());
  if (algorithm->sess) ha1 = hex_digest(md, ha1 + ":" + nonce + ":" + request.cnonce);
  std::string ha2 = hex_digest(md, request.method + ":" + request.uri);
  bool use_qop = challenge.params.contains("qop");
  std::string nc = fmt::format("{:08x}", request.nc);
  std::string response =
      use_qop ? hex_digest(md, ha1 + ":" + nonce + ":" + nc + ":" + request.cnonce + ":auth:" + ha2)
              : hex_digest(md, ha1 + ":" + nonce + ":" + ha2);
  bool userhash = iequals(param(challenge, "userhash"), "true");
  std::string user = userhash ? hex_digest(md, credentials.user + ":" + realm) : credentials.user;
  std::string out = fmt::format(
      "Digest username={}, realm={}, nonce={}, uri={}, algorithm={}, "
      "response={}",
      http_quoted_string(user), http_quoted_string(realm), http_quoted_string(nonce),
      http_quoted_string(request.uri), algorithm->name, http_quoted_string(response));
  if (challenge.params.contains("opaque"))
    out += ", opaque=" + http_quoted_string(param(challenge, "opaque"));
  if (use_qop)
    out += fmt::format(", qop=auth, nc={}, cnonce={}", nc, http_quoted_string(request.cnonce));
  if (userhash) out += ", userhash=true";
  return out;
}

std::optional<std::string> authorization_for(const ChosenChallenge& chosen,
                                             const ProxyCredentials& credentials,
                                             std::string_view method, std::string_view uri) {
  if (chosen.scheme == AuthScheme::kBasic) return basic_authorization(credentials);
  DigestRequest request{
      .method = std::string(method), .uri = std::string(uri), .cnonce = make_cnonce()};
  return digest_authorization(chosen.challenge, credentials, request);
}

std::string make_cnonce() {
  std::array<unsigned char, 16> bytes{};
  // RAND_bytes fails only without any entropy source; the bytes then stay zero, which a proxy
  // accepts (the cnonce protects the client against chosen-plaintext, not the proxy).
  RAND_bytes(bytes.data(), static_cast<int>(bytes.size()));
  return to_hex(bytes.data(), bytes.size());
}

}  // namespace proxywatch
