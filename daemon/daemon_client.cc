// The daemon's listener as a client sees it: the flags, the TLS client context (OpenSSL through
// Asio: the CA file or the system's store, host name verification, a client certificate) and
// one GET over plain TCP or TLS.
#include "daemon/daemon_client.h"

#include <fmt/format.h>
#include <openssl/evp.h>
#include <openssl/ssl.h>
#include <boost/asio/as_tuple.hpp>
#include <boost/asio/co_spawn.hpp>
#include <boost/asio/io_context.hpp>
#include <boost/asio/ip/address.hpp>
#include <boost/asio/ssl.hpp>
#include <boost/asio/use_awaitable.hpp>
#include <boost/beast/core.hpp>
#include <boost/beast/http.hpp>

#include "common/regular_file.h"
#include "config/text_file.h"

namespace proxywatch {
namespace {

namespace asio = boost::asio;
namespace beast = boost::beast;
namespace http = beast::http;
namespace ssl = asio::ssl;

constexpr auto kClientUseTuple = asio::as_tuple(asio::use_awaitable);
constexpr std::chrono::seconds kClientDeadline{5};
constexpr std::uint64_t kClientBodyLimit = 32 * 1024 * 1024;

// The first line of the password file, without its line end.
Result<std::string> client_password_file(const std::string& path) {
  unsigned mode = 0;
  auto text = config::read_secret_file(path, false, mode);
  if (!text)
    return error_text("--password-file: " + config::unreadable_config(text.error()).to_string());
  std::string password = text->substr(0, text->find_first_of("\r\n"));
  wipe(*text);
  return password;
}

std::string client_base64(const std::string& text) {
  std::string out(4 * ((text.size() + 2) / 3) + 1, '\0');
  const int n = EVP_EncodeBlock(reinterpret_cast<unsigned char*>(out.data()),
                                reinterpret_cast<const unsigned char*>(text.data()),
                                static_cast<int>(text.size()));
  out.resize(static_cast<std::size_t>(n));
  return out;
}

// A listener on every address is reached on loopback.
asio::ip::address client_connect_address(const asio::ip::address& listen) {
  if (!listen.is_unspecified()) return listen;
  if (listen.is_v6()) return asio::ip::address_v6::loopback();
  return asio::ip::address_v4::loopback();
}

// The TLS client context of `client`; errors name the flag and the file.
Result<std::shared_ptr<ssl::context>> client_tls_context(const DaemonClient& client) {
  auto context = std::make_shared<ssl::context>(ssl::context::tls_client);
  SSL_CTX_set_min_proto_version(context->native_handle(), TLS1_2_VERSION);
  boost::system::error_code ec;
  if (client.ca_file.empty()) {
    context->set_default_verify_paths(ec);
  } else {
    context->load_verify_file(client.ca_file, ec);
    if (ec) return error_text("--ca-file " + client.ca_file + ": " + ec.message());
  }
  context->set_verify_mode(ssl::verify_peer);
  if (!client.cert_file.empty()) {
    context->use_certificate_chain_file(client.cert_file, ec);
    if (ec) return error_text("--cert-file " + client.cert_file + ": " + ec.message());
    context->use_private_key_file(client.key_file, ssl::context::pem, ec);
    if (ec) return error_text("--key-file " + client.key_file + ": " + ec.message());
  }
  return context;
}

// The body of the daemon's answer (a struct: Result<std::string> could not tell value from
// error).
struct ClientBody {
  std::string text;
};

// What to tell about an answer that is not 200.
std::string client_refusal_text(const http::response<http::string_body>& response,
                                const DaemonClient& client) {
  if (response.result() != http::status::unauthorized) {
    return fmt::format("it answered {} {}", response.result_int(), std::string(response.reason()));
  }
  if (client.user.empty()) {
    return fmt::format(
        "it answered 401: the listener requires basic authentication (web_config_file): give "
        "--user NAME with the password in {} or --password-file FILE",
        kPasswordVariable);
  }
  return "it answered 401: the user " + client.user + " or its password is wrong";
}

template <class Stream>
asio::awaitable<Result<ClientBody>> client_exchange(Stream& stream, beast::tcp_stream& tcp,
                                                    std::string host, std::string path,
                                                    const DaemonClient& client) {
  http::request<http::empty_body> request{http::verb::get, path, 11};
  request.set(http::field::host, host);
  request.set(http::field::user_agent, "proxywatch-status");
  request.set(http::field::connection, "close");
  if (!client.user.empty()) {
    request.set(http::field::authorization,
                "Basic " + client_base64(client.user + ":" + client.password));
  }
  tcp.expires_after(kClientDeadline);
  auto [write_ec, written] = co_await http::async_write(stream, request, kClientUseTuple);
  if (write_ec) co_return error_text(write_ec.message());
  beast::flat_buffer buffer;
  http::response_parser<http::string_body> parser;
  parser.body_limit(kClientBodyLimit);
  auto [read_ec, read] = co_await http::async_read(stream, buffer, parser, kClientUseTuple);
  if (read_ec) {
    // TLS 1.3 tells a client that its certificate was refused in the first read.
    if (read_ec.category() == asio::error::get_ssl_category()) {
      co_return error_text("the TLS handshake was refused: " + read_ec.message() +
                           " (does the listener require a client certificate: "
                           "--cert-file and --key-file?)");
    }
    if (!client.tls) {
      co_return error_text(read_ec.message() +
                           " (a listener with TLS closes plain HTTP: give --ca-file, or an "
                           "https:// address)");
    }
    co_return error_text(read_ec.message());
  }
  if (parser.get().result() != http::status::ok) {
    co_return error_text(client_refusal_text(parser.get(), client));
  }
  co_return ClientBody{std::move(parser.get().body())};
}

asio::awaitable<Result<ClientBody>> client_get(asio::ip::tcp::endpoint endpoint, std::string host,
                                               std::string path, DaemonClient client) {
  beast::tcp_stream tcp(co_await asio::this_coro::executor);
  tcp.expires_after(kClientDeadline);
  auto [connect_ec] = co_await tcp.async_connect(endpoint, kClientUseTuple);
  if (connect_ec) co_return error_text(connect_ec.message());
  if (!client.tls) {
    Result<ClientBody> plain = co_await client_exchange(tcp, tcp, host, path, client);
    co_return plain;
  }
  auto context = client_tls_context(client);
  if (!context) co_return context.error();
  ssl::stream<beast::tcp_stream&> stream(tcp, **context);
  const std::string name =
      client.server_name.empty() ? endpoint.address().to_string() : client.server_name;
  boost::system::error_code not_ip;
  static_cast<void>(asio::ip::make_address(name, not_ip));
  // SNI is for host names only (RFC 6066 §3).
  if (not_ip) SSL_set_tlsext_host_name(stream.native_handle(), name.c_str());
  stream.set_verify_callback(ssl::host_name_verification(name));
  auto [handshake_ec] = co_await stream.async_handshake(ssl::stream_base::client, kClientUseTuple);
  if (handshake_ec) {
    co_return error_text("TLS handshake failed: " + handshake_ec.message() +
                         " (the daemon's certificate must chain to --ca-file or the system's "
                         "CAs and name " +
                         name +
                         " (--server-name); its client_auth_type may require "
                         "--cert-file and --key-file)");
  }
  Result<ClientBody> body = co_await client_exchange(stream, tcp, host, path, client);
  co_return body;
}

}  // namespace

const std::set<std::string>& client_flags() {
  static const std::set<std::string> flags = {"--ca-file",  "--server-name", "--cert-file",
                                              "--key-file", "--user",        "--password-file"};
  return flags;
}

std::string client_flags_usage() {
  return fmt::format(
      "  --ca-file FILE      speak https and verify the daemon's certificate against the\n"
      "                      CAs in FILE (default with https: the system's CAs)\n"
      "  --server-name NAME  the name its certificate must hold (default: the address)\n"
      "  --cert-file FILE    a client certificate (PEM, with --key-file) for a listener\n"
      "  --key-file FILE     whose client_auth_type asks for one; implies https\n"
      "  --user NAME         basic authentication as NAME; the password is read from\n"
      "                      ${} or, with --password-file FILE, from FILE's first\n"
      "                      line (never from the command line)\n",
      kPasswordVariable);
}

Result<DaemonClient> daemon_client_from_args(const CliArgs& args,
                                             std::optional<std::string> env_password) {
  DaemonClient client;
  client.ca_file = args.value("--ca-file").value_or("");
  client.server_name = args.value("--server-name").value_or("");
  client.cert_file = args.value("--cert-file").value_or("");
  client.key_file = args.value("--key-file").value_or("");
  if (client.cert_file.empty() != client.key_file.empty()) {
    return error_text("--cert-file and --key-file go together");
  }
  client.tls = !client.ca_file.empty() || !client.server_name.empty() || !client.cert_file.empty();
  client.user = args.value("--user").value_or("");
  if (client.user.empty()) {
    if (args.value("--password-file")) return error_text("--password-file needs --user");
    return client;
  }
  if (auto file = args.value("--password-file")) {
    auto password = client_password_file(*file);
    if (!password) return password.error();
    client.password = std::move(*password);
  } else if (env_password) {
    client.password = std::move(*env_password);
  } else {
    return error_text(
        fmt::format("--user needs the password in {} or --password-file FILE", kPasswordVariable));
  }
  return client;
}

Result<std::string> fetch_from_daemon(const HostPort& address, const std::string& path,
                                      const DaemonClient& client) {
  boost::system::error_code ec;
  auto ip = asio::ip::make_address(address.host, ec);
  if (ec) return error_text("'" + address.host + "' is not an IP address");
  asio::io_context io;
  Result<ClientBody> body = error_text("no answer");
  asio::co_spawn(
      io, client_get({client_connect_address(ip), address.port}, address.to_string(), path, client),
      [&](std::exception_ptr e, Result<ClientBody> r) {
        if (e) std::rethrow_exception(e);
        body = std::move(r);
      });
  io.run();
  if (!body) return body.error();
  return std::move(body->text);
}

}  // namespace proxywatch
