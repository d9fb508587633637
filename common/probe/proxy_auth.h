// Proxy authentication (RFC 9110 §11.7.1): choosing among the challenges of a 407 and
// answering the chosen one with a Proxy-Authorization value, Basic (RFC 7617) or Digest
// (RFC 7616). Hashes go through OpenSSL's EVP interface and base64 through OpenSSL's encoder;
// nothing of the kind is written here. The credentials' password is used to compute header
// values and never kept, printed or returned in any other form.
#pragma once

#include <cstdint>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include "common/probe/auth_challenge.h"
#include "common/probe_spec.h"

namespace proxywatch {

// The schemes proxywatch can answer, in order of preference (strongest first).
enum class AuthScheme { kDigestSha256, kDigestMd5, kBasic };

// "Digest SHA-256", "Digest MD5", "Basic": how results, logs and JSON name the scheme used.
std::string_view to_string(AuthScheme scheme);

// A challenge proxywatch will answer, with the scheme it stands for.
struct ChosenChallenge {
  AuthScheme scheme;
  AuthChallenge challenge;
};

// The preferred challenge proxywatch can answer — Digest SHA-256 (or SHA-256-sess), then
// Digest MD5 (or MD5-sess, or no algorithm), then Basic — or nullopt when none (only NTLM,
// Negotiate, unknown schemes, or a Digest challenge without a nonce or offering only qop
// values other than "auth").
std::optional<ChosenChallenge> choose_challenge(const std::vector<AuthChallenge>& challenges);

// True when a Digest challenge says the nonce of the previous request was only stale
// (RFC 7616 §3.3, stale=true): the credentials were right; retry with the new nonce.
bool is_stale(const AuthChallenge& challenge);

// "Basic " + base64(user ":" password) (RFC 7617 §2). The password may hold any bytes.
std::string basic_authorization(const ProxyCredentials& credentials);

// The per-request inputs of a Digest answer.
struct DigestRequest {
  std::string method;    // "CONNECT", or the method of a plain-HTTP request
  std::string uri;       // the request-target: for CONNECT the authority "host:port", for a
                         // plain-HTTP request through the proxy the absolute URI
  std::string cnonce;    // client nonce; make_cnonce() gives a fresh one
  std::uint32_t nc = 1;  // nonce count, one per use of the same nonce
};

// The Digest answer (RFC 7616 §3.4) to `challenge`, whose algorithm must be MD5, MD5-sess,
// SHA-256 or SHA-256-sess (absent means MD5). qop=auth when the challenge offers it; the
// RFC 2069 form without qop otherwise. Honours opaque and userhash=true. Returns nullopt for an
// algorithm it cannot compute.
std::optional<std::string> digest_authorization(const AuthChallenge& challenge,
                                                const ProxyCredentials& credentials,
                                                const DigestRequest& request);

// The Proxy-Authorization value answering `chosen` for a request `method` `uri` (CONNECT and
// the authority, or GET and an absolute URI), with a fresh cnonce; nullopt when the Digest
// algorithm is not computable. Digest's response hashes the method (RFC 7616 §3.4.3).
std::optional<std::string> authorization_for(const ChosenChallenge& chosen,
                                             const ProxyCredentials& credentials,
                                             std::string_view method, std::string_view uri);

// 32 hex digits from OpenSSL's random generator.
std::string make_cnonce();

}  // namespace proxywatch
