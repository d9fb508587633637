// A throw-away PKI made at test time with OpenSSL 3: one CA and leaf certificates signed by it
// (EC P-256 keys, X.509 v3). The TLS origin serves a leaf; the probe under test verifies it
// against the CA file, exactly as it would verify tools.cisco.com against the system store.
// Most tests use the one shared_pki() of their process; make_ca and make_leaf are for the few
// that need certificates of their own (e.g. a leaf with forty names).
#pragma once

#include <filesystem>
#include <string>
#include <vector>

namespace proxywatch::testing {

// A CA's PEM files. The key file is unencrypted and world-readable: test material only.
struct CertificateAuthority {
  std::filesystem::path key_file;
  std::filesystem::path cert_file;
  std::string subject;  // RFC 2253 form, e.g. "CN=proxywatch test CA"
};

// A leaf certificate's PEM files and names.
struct LeafCertificate {
  std::filesystem::path key_file;
  std::filesystem::path cert_file;
  std::string subject;  // RFC 2253 form, "CN=<first DNS name, else first IP, else stem>"
  std::string issuer;   // the CA's subject, RFC 2253 form
};

// Makes a self-signed CA (basicConstraints critical CA:TRUE, keyCertSign, valid from one hour
// ago for 30 days) as DIR/ca.key and DIR/ca.pem; throws std::runtime_error on any failure.
CertificateAuthority make_ca(const std::filesystem::path& dir, const std::string& common_name);

// A validity period, in seconds from now (negative: in the past).
struct Validity {
  long from = -60 * 60;            // notBefore: one hour ago
  long until = 30 * 24 * 60 * 60;  // notAfter: in 30 days
};

// Makes DIR/STEM.key and DIR/STEM.pem: a server certificate signed by `ca` with a random
// serial, subjectAltName DNS and IP entries, basicConstraints CA:FALSE, extendedKeyUsage
// serverAuth, valid for `validity` (by default from one hour ago for 30 days); throws
// std::runtime_error on any failure.
LeafCertificate make_leaf(const CertificateAuthority& ca, const std::filesystem::path& dir,
                          const std::string& file_stem, const std::vector<std::string>& dns_names,
                          const std::vector<std::string>& ip_addresses, Validity validity = {});

// Makes DIR/STEM.key and DIR/STEM.pem: a client certificate (extendedKeyUsage clientAuth, CN
// STEM, no subjectAltName) signed by `ca`, for a listener that asks for one (mutual TLS);
// throws std::runtime_error on any failure.
LeafCertificate make_client_leaf(const CertificateAuthority& ca, const std::filesystem::path& dir,
                                 const std::string& file_stem);

// The PKI the tests share, for the usual test names. Every file is in one directory that
// lives until the process exits (ctest runs each test in a process of its own).
struct SharedPki {
  CertificateAuthority ca;             // "CN=proxywatch test CA", the CA tests trust
  LeafCertificate origin;              // origin.test and 127.0.0.1, issued by `ca`
  LeafCertificate localhost;           // localhost and 127.0.0.1, issued by `ca`: our listeners
  CertificateAuthority inspecting_ca;  // "CN=inspecting proxy CA", which no test trusts
  LeafCertificate inspected_origin;    // origin.test issued by `inspecting_ca`, as an SSL-
                                       // inspecting proxy would present it
  // origin.test issued by `ca`, expired ten days ago (valid from 40 days ago for 30 days), and
  // not valid for another ten days; and an expired one issued by `inspecting_ca`.
  LeafCertificate expired_origin;
  LeafCertificate future_origin;
  LeafCertificate expired_inspected_origin;
};

// The process's shared PKI, made on the first call (thread-safe); later calls return the same
// one. Throws std::runtime_error if it cannot be made.
const SharedPki& shared_pki();

}  // namespace proxywatch::testing
