// A throw-away PKI made at test time with OpenSSL 3: one CA and leaf certificates signed by it
// (EC P-256 keys, X.509 v3). The TLS origin serves a leaf; the probe under test verifies it
// against the CA file, exactly as it would verify tools.cisco.com against the system store.
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

// Makes DIR/STEM.key and DIR/STEM.pem: a server certificate signed by `ca` with a random
// serial, subjectAltName DNS and IP entries, basicConstraints CA:FALSE, extendedKeyUsage
// serverAuth, valid from one hour ago for 30 days; throws std::runtime_error on any failure.
LeafCertificate make_leaf(const CertificateAuthority& ca, const std::filesystem::path& dir,
                          const std::string& file_stem, const std::vector<std::string>& dns_names,
                          const std::vector<std::string>& ip_addresses);

}  // namespace proxywatch::testing
