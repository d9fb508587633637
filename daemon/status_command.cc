// The status subcommand: where the daemon listens, one GET of /status.json with a deadline
// (Beast, on a private io_context), and the text of what came back.
#include "daemon/status_command.h"

#include <fmt/format.h>
#include <boost/asio/as_tuple.hpp>
#include <boost/asio/co_spawn.hpp>
#include <boost/asio/io_context.hpp>
#include <boost/asio/ip/address.hpp>
#include <boost/asio/use_awaitable.hpp>
#include <boost/beast/core.hpp>
#include <boost/beast/http.hpp>

#include "common/output/status/status_json.h"
#include "common/output/status/status_text.h"
#include "common/probe_spec.h"
#include "config/yaml_config.h"
#include "daemon/cli_args.h"

namespace proxywatch {
namespace {

namespace asio = boost::asio;
namespace beast = boost::beast;
namespace http = beast::http;

constexpr auto kUseTuple = asio::as_tuple(asio::use_awaitable);
constexpr std::chrono::seconds kDeadline{5};
constexpr std::uint64_t kBodyLimit = 32 * 1024 * 1024;

// Where to ask, and a phrase saying where that address came from.
struct Listener {
  HostPort address;
  std::string origin;
};

Result<Listener> find_listener(const CliArgs& args) {
  if (auto listen = args.value("--listen")) {
    auto parsed = parse_host_port(*listen, config::kDefaultMetricsPort);
    if (!parsed) return in_context("--listen: ", parsed.error());
    return Listener{*parsed, "--listen"};
  }
  auto path = args.value("--config");
  std::string file = path ? *path : std::string(config::kDefaultConfigFile);
  auto loaded = config::load_daemon_config(file, path.has_value());
  if (!loaded) return error_text(loaded.error().to_string());
  return Listener{loaded->metrics_listen, "metrics_listen of " + loaded->source};
}

// A listener on every address is reached on loopback.
asio::ip::address connect_address(const asio::ip::address& listen) {
  if (!listen.is_unspecified()) return listen;
  if (listen.is_v6()) return asio::ip::address_v6::loopback();
  return asio::ip::address_v4::loopback();
}

// The body of the daemon's answer (a struct: Result<std::string> could not tell value from
// error).
struct Body {
  std::string text;
};

asio::awaitable<Result<Body>> get(asio::ip::tcp::endpoint endpoint, std::string host,
                                  std::string path) {
  beast::tcp_stream stream(co_await asio::this_coro::executor);
  stream.expires_after(kDeadline);
  auto [connect_ec] = co_await stream.async_connect(endpoint, kUseTuple);
  if (connect_ec) co_return error_text(connect_ec.message());
  http::request<http::empty_body> request{http::verb::get, path, 11};
  request.set(http::field::host, host);
  request.set(http::field::user_agent, "proxywatch-status");
  request.set(http::field::connection, "close");
  auto [write_ec, written] = co_await http::async_write(stream, request, kUseTuple);
  if (write_ec) co_return error_text(write_ec.message());
  beast::flat_buffer buffer;
  http::response_parser<http::string_body> parser;
  parser.body_limit(kBodyLimit);
  auto [read_ec, read] = co_await http::async_read(stream, buffer, parser, kUseTuple);
  if (read_ec) co_return error_text(read_ec.message());
  if (parser.get().result() == http::status::unauthorized) {
    co_return error_text(
        "it answered 401: the listener requires basic authentication (web_config_file), "
        "which proxywatch status does not send; use curl -u USER");
  }
  if (parser.get().result() != http::status::ok) {
    co_return error_text(fmt::format("it answered {} {}", parser.get().result_int(),
                                     std::string(parser.get().reason())));
  }
  co_return Body{std::move(parser.get().body())};
}

}  // namespace

Result<std::string> fetch_from_daemon(const HostPort& address, const std::string& path) {
  boost::system::error_code ec;
  auto ip = asio::ip::make_address(address.host, ec);
  if (ec) return error_text("'" + address.host + "' is not an IP address");
  asio::io_context io;
  Result<Body> body = error_text("no answer");
  asio::co_spawn(io, get({connect_address(ip), address.port}, address.to_string(), path),
                 [&](std::exception_ptr e, Result<Body> r) {
                   if (e) std::rethrow_exception(e);
                   body = std::move(r);
                 });
  io.run();
  if (!body) return body.error();
  return std::move(body->text);
}

std::string status_usage() {
  return "usage: proxywatch status [--listen ADDR:PORT] [--config FILE] [--json]\n"
         "\n"
         "Asks the running daemon for its view (/status.json) and prints one block per\n"
         "target: health, diagnoses with what to check next, the last probes per phase.\n"
         "\n"
         "  --listen ADDR:PORT  the daemon's metrics listener (default: metrics_listen of\n"
         "                      the YAML file, 127.0.0.1:39555 without one)\n"
         "  --config FILE       the YAML file (default /etc/proxywatch/proxywatch.yaml)\n"
         "  --json              print /status.json as the daemon sent it\n"
         "\n"
         "exit status: 0 every target healthy, 1 some target not (or no proxy),\n"
         "  2 the daemon cannot be reached (or bad usage)\n";
}

int run_status_command(const std::vector<std::string>& argv, std::ostream& out, std::ostream& err) {
  auto args = CliArgs::parse(argv, {"--listen", "--config"}, {"--json", "--help"});
  if (!args) {
    err << "proxywatch status: " << args.error() << "\n";
    return kExitStatusUnreachable;
  }
  if (args->has("--help")) {
    out << status_usage();
    return kExitStatusHealthy;
  }
  auto listener = find_listener(*args);
  if (!listener) {
    err << "proxywatch status: " << listener.error() << "\n";
    return kExitStatusUnreachable;
  }
  std::string where = "http://" + listener->address.to_string() + "/status.json";
  auto body = fetch_from_daemon(listener->address, "/status.json");
  if (!body) {
    err << "proxywatch status: cannot reach the daemon at " << where << " (" << listener->origin
        << "): " << body.error() << "; is it running (systemctl status proxywatch)?\n";
    return kExitStatusUnreachable;
  }
  auto snapshot = status_from_json(*body);
  if (!snapshot) {
    err << "proxywatch status: " << where << " is not proxywatch's status: " << snapshot.error()
        << "\n";
    return kExitStatusUnreachable;
  }
  if (args->has("--json")) {
    out << *body;
  } else {
    out << format_status_text(*snapshot, listener->address.to_string());
  }
  return snapshot->all_healthy() ? kExitStatusHealthy : kExitStatusNotHealthy;
}

}  // namespace proxywatch
