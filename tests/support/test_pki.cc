// The test PKI: EVP_PKEY keys and X509 certificates through the OpenSSL 3 API, each handle in a
// unique_ptr so that every throw path frees what was made.
#include "tests/support/test_pki.h"

#include "tests/support/temp_dir.h"

#include <openssl/bio.h>
#include <openssl/bn.h>
#include <openssl/err.h>
#include <openssl/evp.h>
#include <openssl/pem.h>
#include <openssl/x509.h>
#include <openssl/x509v3.h>

#include <memory>
#include <stdexcept>

namespace proxywatch::testing {
namespace {

template <class T, void (*Free)(T*)>
struct Deleter {
  void operator()(T* p) const { Free(p); }
};
using KeyPtr = std::unique_ptr<EVP_PKEY, Deleter<EVP_PKEY, EVP_PKEY_free>>;
using CertPtr = std::unique_ptr<X509, Deleter<X509, X509_free>>;
using BioPtr = std::unique_ptr<BIO, Deleter<BIO, BIO_free_all>>;
using BigNumPtr = std::unique_ptr<BIGNUM, Deleter<BIGNUM, BN_free>>;
using ExtensionPtr = std::unique_ptr<X509_EXTENSION, Deleter<X509_EXTENSION, X509_EXTENSION_free>>;

constexpr long kOneDay = 24 * 60 * 60;

[[noreturn]] void throw_openssl(const std::string& what) {
  const unsigned long code = ERR_get_error();
  std::string reason = code != 0 ? ERR_error_string(code, nullptr) : "unknown error";
  ERR_clear_error();
  throw std::runtime_error("test PKI: " + what + ": " + reason);
}

void check(bool ok, const std::string& what) {
  if (!ok) throw_openssl(what);
}

KeyPtr make_p256_key() {
  KeyPtr key(EVP_PKEY_Q_keygen(nullptr, nullptr, "EC", "P-256"));
  check(key != nullptr, "EC P-256 key generation");
  return key;
}

// A fresh v3 certificate with a random 127-bit serial (positive, under RFC 5280's 20 octets),
// `key`'s public half and the validity window `validity` (by default now-1h .. now+30d).
CertPtr make_certificate(EVP_PKEY* key, const std::string& common_name, Validity validity = {}) {
  CertPtr cert(X509_new());
  check(cert != nullptr, "X509_new");
  check(X509_set_version(cert.get(), X509_VERSION_3) == 1, "X509_set_version");
  BigNumPtr serial(BN_new());
  check(serial && BN_rand(serial.get(), 127, BN_RAND_TOP_ANY, BN_RAND_BOTTOM_ANY) == 1, "serial");
  check(BN_to_ASN1_INTEGER(serial.get(), X509_get_serialNumber(cert.get())) != nullptr, "serial");
  check(X509_gmtime_adj(X509_getm_notBefore(cert.get()), validity.from) != nullptr, "notBefore");
  check(X509_gmtime_adj(X509_getm_notAfter(cert.get()), validity.until) != nullptr, "notAfter");
  check(X509_set_pubkey(cert.get(), key) == 1, "X509_set_pubkey");
  const auto* cn = reinterpret_cast<const unsigned char*>(common_name.c_str());
  check(X509_NAME_add_entry_by_txt(X509_get_subject_name(cert.get()), "CN", MBSTRING_UTF8, cn, -1,
                                   -1, 0) == 1,
        "subject CN");
  return cert;
}

// Adds the extension `nid` = `value` (OpenSSL config syntax) with `issuer` as the issuing cert.
void add_extension(X509* cert, X509* issuer, int nid, const std::string& value) {
  X509V3_CTX ctx;
  X509V3_set_ctx(&ctx, issuer, cert, nullptr, nullptr, 0);
  ExtensionPtr extension(X509V3_EXT_conf_nid(nullptr, &ctx, nid, value.c_str()));
  check(extension != nullptr, "extension " + value);
  check(X509_add_ext(cert, extension.get(), -1) == 1, "X509_add_ext " + value);
}

std::string name_text(const X509_NAME* name) {
  BioPtr bio(BIO_new(BIO_s_mem()));
  check(bio != nullptr, "BIO_new");
  check(X509_NAME_print_ex(bio.get(), name, 0, XN_FLAG_RFC2253) >= 0, "X509_NAME_print_ex");
  char* data = nullptr;
  const long size = BIO_get_mem_data(bio.get(), &data);
  return std::string(data, static_cast<std::size_t>(size));
}

void write_key(EVP_PKEY* key, const std::filesystem::path& file) {
  BioPtr bio(BIO_new_file(file.c_str(), "w"));
  check(bio != nullptr, "open " + file.string());
  check(PEM_write_bio_PrivateKey(bio.get(), key, nullptr, nullptr, 0, nullptr, nullptr) == 1,
        "write " + file.string());
  bio.reset();
  // Whatever the umask: servers running as other users (squid's helpers) may need to read it.
  std::filesystem::permissions(file, std::filesystem::perms(0644));
}

void write_cert(X509* cert, const std::filesystem::path& file) {
  BioPtr bio(BIO_new_file(file.c_str(), "w"));
  check(bio != nullptr, "open " + file.string());
  check(PEM_write_bio_X509(bio.get(), cert) == 1, "write " + file.string());
}

KeyPtr read_key(const std::filesystem::path& file) {
  BioPtr bio(BIO_new_file(file.c_str(), "r"));
  check(bio != nullptr, "open " + file.string());
  KeyPtr key(PEM_read_bio_PrivateKey(bio.get(), nullptr, nullptr, nullptr));
  check(key != nullptr, "read " + file.string());
  return key;
}

CertPtr read_cert(const std::filesystem::path& file) {
  BioPtr bio(BIO_new_file(file.c_str(), "r"));
  check(bio != nullptr, "open " + file.string());
  CertPtr cert(PEM_read_bio_X509(bio.get(), nullptr, nullptr, nullptr));
  check(cert != nullptr, "read " + file.string());
  return cert;
}

// "DNS:a,DNS:b,IP:127.0.0.1" for the subjectAltName extension.
std::string alt_names(const std::vector<std::string>& dns_names,
                      const std::vector<std::string>& ip_addresses) {
  std::string text;
  for (const std::string& name : dns_names) text += (text.empty() ? "DNS:" : ",DNS:") + name;
  for (const std::string& ip : ip_addresses) text += (text.empty() ? "IP:" : ",IP:") + ip;
  return text;
}

}  // namespace

CertificateAuthority make_ca(const std::filesystem::path& dir, const std::string& common_name) {
  KeyPtr key = make_p256_key();
  CertPtr cert = make_certificate(key.get(), common_name);
  X509* self = cert.get();
  check(X509_set_issuer_name(self, X509_get_subject_name(self)) == 1, "issuer name");
  add_extension(self, self, NID_basic_constraints, "critical,CA:TRUE");
  add_extension(self, self, NID_key_usage, "critical,keyCertSign,cRLSign");
  add_extension(self, self, NID_subject_key_identifier, "hash");
  add_extension(self, self, NID_authority_key_identifier, "keyid:always");
  check(X509_sign(self, key.get(), EVP_sha256()) > 0, "sign CA");

  CertificateAuthority ca{dir / "ca.key", dir / "ca.pem", name_text(X509_get_subject_name(self))};
  write_key(key.get(), ca.key_file);
  write_cert(self, ca.cert_file);
  return ca;
}

namespace {

// A leaf signed by `ca` for `usage` (extendedKeyUsage: serverAuth or clientAuth).
LeafCertificate make_signed_leaf(const CertificateAuthority& ca, const std::filesystem::path& dir,
                                 const std::string& file_stem,
                                 const std::vector<std::string>& dns_names,
                                 const std::vector<std::string>& ip_addresses, Validity validity,
                                 const std::string& usage) {
  const KeyPtr ca_key = read_key(ca.key_file);
  const CertPtr ca_cert = read_cert(ca.cert_file);
  const std::string common_name = !dns_names.empty()      ? dns_names.front()
                                  : !ip_addresses.empty() ? ip_addresses.front()
                                                          : file_stem;
  KeyPtr key = make_p256_key();
  CertPtr cert = make_certificate(key.get(), common_name, validity);
  X509* leaf = cert.get();
  check(X509_set_issuer_name(leaf, X509_get_subject_name(ca_cert.get())) == 1, "issuer name");
  add_extension(leaf, ca_cert.get(), NID_basic_constraints, "critical,CA:FALSE");
  add_extension(leaf, ca_cert.get(), NID_key_usage, "critical,digitalSignature");
  add_extension(leaf, ca_cert.get(), NID_ext_key_usage, usage);
  add_extension(leaf, ca_cert.get(), NID_subject_key_identifier, "hash");
  add_extension(leaf, ca_cert.get(), NID_authority_key_identifier, "keyid:always");
  const std::string alt = alt_names(dns_names, ip_addresses);
  if (!alt.empty()) add_extension(leaf, ca_cert.get(), NID_subject_alt_name, alt);
  check(X509_sign(leaf, ca_key.get(), EVP_sha256()) > 0, "sign leaf");

  LeafCertificate result{dir / (file_stem + ".key"), dir / (file_stem + ".pem"),
                         name_text(X509_get_subject_name(leaf)), ca.subject};
  write_key(key.get(), result.key_file);
  write_cert(leaf, result.cert_file);
  return result;
}

}  // namespace

LeafCertificate make_leaf(const CertificateAuthority& ca, const std::filesystem::path& dir,
                          const std::string& file_stem, const std::vector<std::string>& dns_names,
                          const std::vector<std::string>& ip_addresses, Validity validity) {
  return make_signed_leaf(ca, dir, file_stem, dns_names, ip_addresses, validity, "serverAuth");
}

LeafCertificate make_client_leaf(const CertificateAuthority& ca, const std::filesystem::path& dir,
                                 const std::string& file_stem) {
  return make_signed_leaf(ca, dir, file_stem, {}, {}, {}, "clientAuth");
}

namespace {

// The directory first, so that it is removed only after nothing refers to its files.
struct SharedPkiFiles {
  TempDir dir{"pw-test-pki"};
  SharedPki pki;

  SharedPkiFiles() {
    std::filesystem::create_directory(dir.path() / "inspecting");
    pki.ca = make_ca(dir.path(), "proxywatch test CA");
    pki.origin = make_leaf(pki.ca, dir.path(), "origin", {"origin.test"}, {"127.0.0.1"});
    pki.localhost = make_leaf(pki.ca, dir.path(), "localhost", {"localhost"}, {"127.0.0.1"});
    // make_ca names its files ca.key and ca.pem, so the second CA needs a directory of its own.
    pki.inspecting_ca = make_ca(dir.path() / "inspecting", "inspecting proxy CA");
    pki.inspected_origin =
        make_leaf(pki.inspecting_ca, dir.path() / "inspecting", "origin", {"origin.test"}, {});
    const Validity expired{.from = -40 * kOneDay, .until = -10 * kOneDay};
    pki.expired_origin =
        make_leaf(pki.ca, dir.path(), "expired-origin", {"origin.test"}, {"127.0.0.1"}, expired);
    pki.future_origin = make_leaf(pki.ca, dir.path(), "future-origin", {"origin.test"},
                                  {"127.0.0.1"}, {.from = 10 * kOneDay, .until = 40 * kOneDay});
    pki.expired_inspected_origin = make_leaf(pki.inspecting_ca, dir.path() / "inspecting",
                                             "expired-origin", {"origin.test"}, {}, expired);
  }
};

}  // namespace

const SharedPki& shared_pki() {
  static const SharedPkiFiles files;
  return files.pki;
}

}  // namespace proxywatch::testing
