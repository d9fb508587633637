// The listener behind a web configuration that changes while it runs, over real TLS on
// loopback: the certificate of each handshake is the one on disk at that connection (its
// serial compared), a broken edit keeps the last good one; and each client_auth_type answers
// a client without a certificate, with one of another CA and with one of the right CA as
// exporter-toolkit does: a refused handshake (no HTTP answer) or the page.
#include <gtest/gtest.h>

#include <openssl/bn.h>
#include <openssl/ssl.h>
#include <openssl/x509.h>

#include <filesystem>
#include <memory>
#include <optional>
#include <string>
#include <thread>
#include <vector>

#include <boost/asio/as_tuple.hpp>
#include <boost/asio/co_spawn.hpp>
#include <boost/asio/detached.hpp>
#include <boost/asio/executor_work_guard.hpp>
#include <boost/asio/io_context.hpp>
#include <boost/asio/ip/tcp.hpp>
#include <boost/asio/post.hpp>
#include <boost/asio/ssl.hpp>
#include <boost/asio/use_awaitable.hpp>
#include <boost/beast/core.hpp>
#include <boost/beast/http.hpp>

#include "common/output/web/http_server.h"
#include "daemon/web_config_reload.h"
#include "tests/support/temp_dir.h"
#include "tests/support/test_pki.h"

namespace proxywatch {
namespace {

namespace asio = boost::asio;
namespace fs = std::filesystem;
namespace http = boost::beast::http;

// What a client got: the server certificate's serial (hex) once the handshake went through,
// and the HTTP status (0: no answer, the handshake or the connection was refused).
struct MtlsAnswer {
  std::string serial;
  unsigned status = 0;
};

// A client certificate and its key.
struct MtlsIdentity {
  fs::path cert_file;
  fs::path key_file;
};

constexpr auto kMtlsUseTuple = asio::as_tuple(asio::use_awaitable);

// The serial number of `cert` in hex.
std::string mtls_serial(X509* cert) {
  BIGNUM* number = ASN1_INTEGER_to_BN(X509_get0_serialNumber(cert), nullptr);
  char* hex = BN_bn2hex(number);
  std::string text(hex);
  OPENSSL_free(hex);
  BN_free(number);
  return text;
}

// GET /metrics over TLS on 127.0.0.1:`port` with `context`, into `answer`; each step within 3 s.
asio::awaitable<void> mtls_exchange(asio::ssl::context& context, std::uint16_t port,
                                    MtlsAnswer& answer) {
  boost::beast::tcp_stream tcp(co_await asio::this_coro::executor);
  tcp.expires_after(std::chrono::seconds(3));
  auto [connect_ec] = co_await tcp.async_connect(
      asio::ip::tcp::endpoint(asio::ip::make_address("127.0.0.1"), port), kMtlsUseTuple);
  if (connect_ec) co_return;
  asio::ssl::stream<boost::beast::tcp_stream&> tls(tcp, context);
  auto [handshake_ec] = co_await tls.async_handshake(asio::ssl::stream_base::client, kMtlsUseTuple);
  if (handshake_ec) co_return;
  if (X509* cert = SSL_get1_peer_certificate(tls.native_handle())) {
    answer.serial = mtls_serial(cert);
    X509_free(cert);
  }
  http::request<http::empty_body> request{http::verb::get, "/metrics", 11};
  request.set(http::field::host, "127.0.0.1");
  auto [write_ec, written] = co_await http::async_write(tls, request, kMtlsUseTuple);
  if (write_ec) co_return;
  boost::beast::flat_buffer buffer;
  http::response<http::string_body> response;
  // TLS 1.3: a refused client certificate is told by an alert here, after the handshake.
  auto [read_ec, read] = co_await http::async_read(tls, buffer, response, kMtlsUseTuple);
  if (!read_ec) answer.status = response.result_int();
}

// What a client trusting `ca_file`, as `identity` if given, gets from 127.0.0.1:`port`.
MtlsAnswer mtls_get(std::uint16_t port, const fs::path& ca_file,
                    const std::optional<MtlsIdentity>& identity) {
  asio::ssl::context context(asio::ssl::context::tls_client);
  context.load_verify_file(ca_file.string());
  context.set_verify_mode(asio::ssl::verify_peer);
  if (identity) {
    context.use_certificate_chain_file(identity->cert_file.string());
    context.use_private_key_file(identity->key_file.string(), asio::ssl::context::pem);
  }
  asio::io_context io;
  MtlsAnswer answer;
  asio::co_spawn(io, mtls_exchange(context, port, answer), asio::detached);
  io.run();
  return answer;
}

class WebTlsListenerTest : public ::testing::Test {
 protected:
  void SetUp() override {
    const testing::SharedPki& pki = testing::shared_pki();
    fs::copy_file(pki.localhost.cert_file, dir_.path() / "web.pem");
    fs::copy_file(pki.localhost.key_file, dir_.path() / "web.key");
    fs::create_directory(dir_.path() / "stranger");
    right_ = as_identity(testing::make_client_leaf(pki.ca, dir_.path(), "prometheus"));
    // Signed by a CA the listener does not trust.
    wrong_ = as_identity(
        testing::make_client_leaf(pki.inspecting_ca, dir_.path() / "stranger", "prometheus"));
  }
  void TearDown() override {
    if (server_) asio::post(io_, [this] { server_->stop(); });
    work_.reset();
    if (thread_.joinable()) thread_.join();
  }
  static MtlsIdentity as_identity(const testing::LeafCertificate& leaf) {
    return {leaf.cert_file, leaf.key_file};
  }

  // The web configuration with `extra` lines in tls_server_config.
  void write_web(const std::string& extra = "") {
    dir_.write_file("web.yml",
                    "tls_server_config:\n  cert_file: web.pem\n  key_file: web.key\n" + extra);
  }
  // Serves /metrics behind web.yml, checked for changes on every connection.
  void serve() {
    auto reload = WebConfigReload::start((dir_.path() / "web.yml").string(), {},
                                         std::chrono::milliseconds(0));
    ASSERT_TRUE(reload) << reload.error();
    reload_ = *reload;
    server_ = std::make_unique<HttpServer>(
        io_, asio::ip::tcp::endpoint(asio::ip::make_address("127.0.0.1"), 0),
        HttpServer::Handlers{{"/metrics", [](const HttpQuery&) { return HttpResponse{}; }}},
        HttpServerLimits{}, reload_->security());
    ASSERT_TRUE(server_->start());
    thread_ = std::thread([this] { io_.run(); });
  }
  MtlsAnswer get(const std::optional<MtlsIdentity>& identity = std::nullopt) {
    return mtls_get(server_->local_endpoint().port(), testing::shared_pki().ca.cert_file, identity);
  }

  testing::TempDir dir_{"pw-web-tls"};
  MtlsIdentity right_;
  MtlsIdentity wrong_;
  asio::io_context io_;
  std::optional<asio::executor_work_guard<asio::io_context::executor_type>> work_{
      io_.get_executor()};
  std::shared_ptr<WebConfigReload> reload_;
  std::unique_ptr<HttpServer> server_;
  std::thread thread_;
};

TEST_F(WebTlsListenerTest, TheNextHandshakeServesTheCertificateOnDisk) {
  write_web();
  serve();
  const MtlsAnswer first = get();
  ASSERT_EQ(first.status, 200u);
  ASSERT_FALSE(first.serial.empty());

  fs::create_directory(dir_.path() / "renewed");
  const testing::LeafCertificate renewed = testing::make_leaf(
      testing::shared_pki().ca, dir_.path() / "renewed", "web", {"localhost"}, {"127.0.0.1"});
  // A renewal that swaps the files by rename, as certbot's or an atomic copy does.
  fs::rename(renewed.cert_file, dir_.path() / "web.pem");
  fs::rename(renewed.key_file, dir_.path() / "web.key");
  const MtlsAnswer second = get();
  EXPECT_EQ(second.status, 200u);
  EXPECT_NE(second.serial, first.serial);
  EXPECT_FALSE(second.serial.empty());

  // A broken edit: the renewed certificate serves on, and the reload says it is not valid.
  dir_.write_file("web.yml", "tls_server_config:\n  cert_file: web.pem\n  key_file: [\n");
  const MtlsAnswer third = get();
  EXPECT_EQ(third.status, 200u);
  EXPECT_EQ(third.serial, second.serial);
  EXPECT_FALSE(reload_->valid());
}

// Each policy, edited into the running listener's file: no certificate, another CA's, ours.
TEST_F(WebTlsListenerTest, EachClientAuthTypeAnswersAsExporterToolkit) {
  const std::string ca = "  client_ca_file: " + testing::shared_pki().ca.cert_file.string() + "\n";
  write_web();
  serve();
  struct Case {
    std::string type;
    bool with_ca;
    unsigned none, wrong, right;  // 200 served, 0 refused
  };
  const std::vector<Case> cases = {
      {"NoClientCert", false, 200, 200, 200},
      {"RequestClientCert", false, 200, 200, 200},
      {"RequireAnyClientCert", false, 0, 200, 200},
      {"VerifyClientCertIfGiven", true, 200, 0, 200},
      {"RequireAndVerifyClientCert", true, 0, 0, 200},
  };
  for (const Case& c : cases) {
    write_web("  client_auth_type: " + c.type + "\n" + (c.with_ca ? ca : ""));
    EXPECT_EQ(get().status, c.none) << c.type << " without a certificate";
    EXPECT_EQ(get(wrong_).status, c.wrong) << c.type << " with another CA's";
    EXPECT_EQ(get(right_).status, c.right) << c.type << " with the right CA's";
    EXPECT_TRUE(reload_->valid()) << c.type;
  }
}

}  // namespace
}  // namespace proxywatch
