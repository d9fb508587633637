// The check subcommand: flag parsing, one probe on a private io_context, output.
#include "daemon/check_command.h"

#include <algorithm>
#include <array>
#include <charconv>
#include <cmath>
#include <cstdlib>
#include <ostream>

#include <boost/asio/co_spawn.hpp>
#include <boost/asio/io_context.hpp>

#include "common/error.h"
#include "common/escape.h"
#include "common/output/print/result_json.h"
#include "common/output/print/timeline.h"
#include "common/probe/mtu_check.h"
#include "common/probe/probe.h"
#include "config/credentials.h"
#include "config/target_url.h"
#include "daemon/check_capture.h"
#include "daemon/cli_args.h"

namespace proxywatch {
namespace {

namespace asio = boost::asio;
Result<Millis> parse_seconds(const std::string& flag, const std::string& text) {
  double value = 0;
  auto [end, ec] = std::from_chars(text.data(), text.data() + text.size(), value);
  if (ec != std::errc() || end != text.data() + text.size() || !std::isfinite(value) ||
      value <= 0 || value > 3600) {
    return error_text(flag + " '" + text + "' is not a number of seconds between 0 and 3600");
  }
  return Millis(static_cast<Millis::rep>(std::ceil(value * 1000)));
}

Result<std::uint64_t> parse_count(const std::string& flag, const std::string& text) {
  std::uint64_t value = 0;
  auto [end, ec] = std::from_chars(text.data(), text.data() + text.size(), value);
  if (ec != std::errc() || end != text.data() + text.size()) {
    return error_text(flag + " '" + text + "' is not a whole number of bytes");
  }
  return value;
}

// --proxy-user with the password from --proxy-password-file or PROXYWATCH_PROXY_PASSWORD,
// never from the command line (ps(1) shows every process's arguments).
Result<void> apply_credentials(const CliArgs& args, ProbeSpec& spec) {
  auto user = args.value("--proxy-user");
  auto file = args.value("--proxy-password-file");
  const char* env = std::getenv(kPasswordEnv);
  if (!user && file) return error_text("--proxy-password-file needs --proxy-user");
  if (!user) return {};
  auto control = [](unsigned char c) { return c < 0x20 || c == 0x7f; };
  if (user->empty() || user->find(':') != std::string::npos ||
      std::any_of(user->begin(), user->end(), control)) {
    return error_text("--proxy-user must be a non-empty name without ':' or control characters");
  }
  if (file) {
    auto password = config::load_password_file(*file);
    if (!password) return error_text("--proxy-password-file: " + password.error().to_string());
    spec.credentials = ProxyCredentials{*user, std::move(*password)};
  } else if (env) {
    spec.credentials = ProxyCredentials{*user, env};
  } else {
    return error_text(std::string("--proxy-user needs the password in --proxy-password-file FILE "
                                  "or in the environment variable ") +
                      kPasswordEnv);
  }
  return {};
}

// Sets the target of `spec` from --target `text`: HOST[:PORT] or a URL (config/target_url.h),
// and for an http:// URL the request from --method.
Result<void> apply_target(const CliArgs& args, std::string_view text, ProbeSpec& spec) {
  if (!config::looks_like_url(text)) {
    auto target = parse_host_port(text, 443);
    if (!target) return in_context("--target: ", target.error());
    spec.target = *target;
    if (args.value("--method")) return error_text("--method is for an http:// --target");
    return {};
  }
  auto url = config::parse_target_url(text);
  if (!url) return in_context("--target: ", url.error());
  spec.scheme = url->scheme;
  spec.target = url->target;
  if (!spec.plain_http()) {
    if (args.value("--method")) return error_text("--method is for an http:// --target");
    return {};
  }
  for (const char* flag : {"--request", "--ca-file"}) {
    if (args.value(flag)) {
      return error_text(std::string(flag) +
                        " is for a tunnel (https); an http:// --target is one plain-HTTP "
                        "request: its path is in the URL, its method is --method");
    }
  }
  std::string method = args.value("--method").value_or("GET");
  if (method != "GET" && method != "HEAD") {
    return error_text("--method: " + in_quotes(method) + " is not HEAD or GET");
  }
  spec.request = HttpRequestSpec{std::move(method), url->path};
  return {};
}

// Applies the optional flags to `spec`; an error names the flag.
Result<void> apply_optional(const CliArgs& args, ProbeSpec& spec) {
  if (auto ca = args.value("--ca-file")) spec.ca_file = *ca;
  if (auto request = args.value("--request")) {
    auto parsed = parse_request(*request);
    if (!parsed) return in_context("--request: ", parsed.error());
    spec.request = *parsed;
  }
  if (auto max = args.value("--max-bytes")) {
    auto parsed = parse_count("--max-bytes", *max);
    if (!parsed) return parsed.error();
    spec.max_bytes = *parsed;
  }
  if (auto timeout = args.value("--timeout")) {
    auto parsed = parse_seconds("--timeout", *timeout);
    if (!parsed) return parsed.error();
    spec.timeouts.set_all_phases(*parsed);
  }
  if (auto stall = args.value("--stall")) {
    auto parsed = parse_seconds("--stall", *stall);
    if (!parsed) return parsed.error();
    spec.timeouts.stall = *parsed;
  }
  spec.expect_denied = args.has("--expect-denied");
  spec.refuse_basic = args.has("--refuse-basic");
  return apply_credentials(args, spec);
}

// Writes the capture (when asked for) and prints `json` or `text` with what the capture adds;
// false (after saying why on `err`) when the capture could not be written — the result is
// printed all the same.
template <typename Text>
bool print_check(const CheckOptions& options, boost::json::value json, Text text,
                 const std::vector<NamedPackets>& probes, std::ostream& out, std::ostream& err) {
  auto written = write_check_capture(options, probes);
  if (options.json) {
    add_check_capture_json(options, probes, written.has_value(), json);
    out << proxywatch::serialize(json) << "\n";
  } else {
    out << text() << check_capture_text(options, probes, written.has_value());
  }
  if (written) return true;
  err << "proxywatch check: " << written.error() << "\n";
  return false;
}

// `check --mtu`: the three probes of the MTU comparison, printed as one report.
int run_mtu_check(const CheckOptions& options, std::ostream& out, std::ostream& err) {
  const ProbeSpec& spec = options.spec;
  TlsContexts contexts;
  auto tls = contexts.get(spec.ca_file);
  auto padded_tls = contexts.get(spec.ca_file, ClientHelloPadding::kPadded);
  if (!tls || !padded_tls) {
    err << "proxywatch check: --ca-file: " << (tls ? padded_tls.error() : tls.error()) << "\n";
    return kExitUsage;
  }
  asio::io_context io;
  auto capture = open_check_capture(options, io.get_executor());
  if (!capture) {
    err << "proxywatch check: " << capture.error() << "\n";
    return kExitUsage;
  }
  std::optional<MtuReport> report;
  std::vector<NamedPackets> probes;
  auto run = [&]() -> asio::awaitable<void> {
    std::array<std::unique_ptr<ProbeCapture>, 3> taps;
    if (*capture) {
      for (auto& tap : taps) tap = (*capture)->start_probe();
    }
    report = co_await run_mtu_comparison(spec, *tls, *padded_tls,
                                         {taps[0].get(), taps[1].get(), taps[2].get()});
    if (!*capture) co_return;
    const char* names[] = {"normal", "clamped", "padded"};
    for (std::size_t i = 0; i < taps.size(); ++i) {
      // Awaited into a variable first: g++ 12 miscompiles a co_await inside a braced
      // initializer (the temporary is destroyed twice).
      ProbePackets packets = co_await (*capture)->finish(*taps[i]);
      probes.push_back(NamedPackets{names[i], std::move(packets)});
    }
  };
  asio::co_spawn(io, run(), [](std::exception_ptr e) {
    if (e) std::rethrow_exception(e);
  });
  io.run();
  if (!print_check(
          options, to_json(*report, spec), [&] { return format_mtu_timeline(*report, spec); },
          probes, out, err)) {
    return kExitUsage;
  }
  bool healthy = report->normal.ok() && report->verdict == MtuVerdict::kNone;
  return healthy ? kExitOk : kExitProbeFailed;
}

}  // namespace

std::string check_usage() {
  return "usage: proxywatch check --proxy HOST:PORT --target HOST[:PORT]|URL [options]\n"
         "\n"
         "Probes the proxy once: TCP connect, CONNECT, TLS handshake through the tunnel and,\n"
         "with --request, an HTTP request; or, for an http:// URL, the plain-HTTP request the\n"
         "proxy forwards itself. Prints the timeline and a diagnosis.\n"
         "\n"
         "  --proxy HOST:PORT      the HTTP proxy (IPv6 as [ADDR]:PORT)\n"
         "  --target HOST[:PORT]   the TLS destination, named as the proxy should see it\n"
         "                         (port 443 by default; the proxy resolves the name);\n"
         "                         https://HOST[:PORT] is the same\n"
         "  --target http://HOST[:PORT][/PATH]\n"
         "                         a plain-HTTP target: GET (or --method HEAD) of the URL,\n"
         "                         sent to the proxy in absolute form as the FMC's feeds are\n"
         "  --method HEAD|GET      the method of an http:// target (default GET)\n"
         "  --ca-file FILE         PEM CA bundle for the origin (default: system store)\n"
         "  --request 'HEAD /'     also send HEAD or GET of a path through the tunnel\n"
         "  --max-bytes N          read at most N body bytes (default 1048576)\n"
         "  --timeout SECONDS      deadline of each phase (default 5-60 s by phase)\n"
         "  --stall SECONDS        longest silence allowed mid-transfer (default 10)\n"
         "  --expect-denied        negative probe: pass when the proxy refuses (403)\n"
         "  --refuse-basic         never send the password in clear: a proxy offering only\n"
         "                         Basic ends as proxy_auth_insecure\n"
         "  --proxy-user USER      answer the proxy's 407 (Digest or Basic) as USER; the\n"
         "                         password comes from --proxy-password-file FILE (one line,\n"
         "                         mode 600) or the environment variable\n"
         "                         PROXYWATCH_PROXY_PASSWORD, never from the command line\n"
         "  --mtu                  run the probe three times: as configured, with the MSS\n"
         "                         clamped to 536 and with a ClientHello padded past one\n"
         "                         full-size segment; the verdict (none, inbound, outbound,\n"
         "                         inconclusive) says whether large packets die and which way\n"
         "  --capture FILE         write the probe's packets (every probe's, with --mtu) to\n"
         "                         FILE as pcap for tcpdump or Wireshark, Proxy-Authorization\n"
         "                         masked; FILE must not exist (needs CAP_NET_RAW)\n"
         "  --packets              read the captured packets as the guide reads tcpdump: one\n"
         "                         line per packet and one sentence (needs CAP_NET_RAW)\n"
         "  --json                 print one JSON object instead of the timeline\n"
         "\n"
         "exit status: 0 probe ok, 1 probe failed, 2 bad usage or a capture that cannot be\n"
         "  made or written\n"
         "  (with --mtu: 0 only when the normal probe passes and the verdict is none)\n";
}

Result<CheckOptions> parse_check_args(const std::vector<std::string>& argv) {
  auto args = CliArgs::parse(
      argv,
      {"--proxy", "--target", "--ca-file", "--request", "--max-bytes", "--timeout", "--stall",
       "--proxy-user", "--proxy-password-file", "--method", "--capture"},
      {"--json", "--help", "--expect-denied", "--refuse-basic", "--mtu", "--packets"});
  if (!args) return args.error();
  CheckOptions options;
  options.help = args->has("--help");
  options.json = args->has("--json");
  options.mtu = args->has("--mtu");
  options.packets = args->has("--packets");
  options.capture_file = args->value("--capture");
  if (options.capture_file && options.capture_file->empty()) {
    return error_text("--capture needs a file name");
  }
  if (options.help) return options;
  auto proxy = args->value("--proxy");
  auto target = args->value("--target");
  if (!proxy) return error_text("--proxy HOST:PORT is required");
  if (!target) return error_text("--target HOST[:PORT] is required");
  auto proxy_hp = parse_host_port(*proxy, std::nullopt);
  if (!proxy_hp) return in_context("--proxy: ", proxy_hp.error());
  options.spec.proxy = *proxy_hp;
  if (auto applied = apply_target(*args, *target, options.spec); !applied) return applied.error();
  if (auto applied = apply_optional(*args, options.spec); !applied) return applied.error();
  if (options.spec.plain_http() && options.mtu) {
    return error_text(
        "--mtu compares TLS handshakes through a tunnel; an http:// target has none (probe "
        "the same proxy with an https:// target)");
  }
  if (options.mtu && options.spec.expect_denied) {
    return error_text(
        "--mtu and --expect-denied exclude each other (a denied tunnel carries no TLS to "
        "compare)");
  }
  return options;
}

int run_check_command(const std::vector<std::string>& args, std::ostream& out, std::ostream& err) {
  auto options = parse_check_args(args);
  if (!options) {
    err << "proxywatch check: " << options.error() << "\n";
    return kExitUsage;
  }
  if (options->help) {
    out << check_usage();
    return kExitOk;
  }
  return run_check(*options, out, err);
}

int run_check(const CheckOptions& options, std::ostream& out, std::ostream& err) {
  if (options.mtu) return run_mtu_check(options, out, err);
  const ProbeSpec& spec = options.spec;
  TlsContexts contexts;
  auto tls = contexts.get(spec.ca_file);
  if (!tls) {
    err << "proxywatch check: --ca-file: " << tls.error() << "\n";
    return kExitUsage;
  }
  asio::io_context io;
  auto capture = open_check_capture(options, io.get_executor());
  if (!capture) {
    err << "proxywatch check: " << capture.error() << "\n";
    return kExitUsage;
  }
  std::optional<ProbeResult> result;
  std::vector<NamedPackets> probes;
  auto run = [&]() -> asio::awaitable<void> {
    auto tap = *capture ? (*capture)->start_probe() : nullptr;
    result = co_await run_probe(spec, *tls, tap.get());
    if (!tap) co_return;
    ProbePackets packets = co_await (*capture)->finish(*tap);  // not inside braces: g++ 12
    probes.push_back(NamedPackets{"", std::move(packets)});
  };
  asio::co_spawn(io, run(), [](std::exception_ptr e) {
    if (e) std::rethrow_exception(e);
  });
  io.run();
  if (!print_check(
          options, to_json(*result, spec), [&] { return format_timeline(*result, spec); }, probes,
          out, err)) {
    return kExitUsage;
  }
  return result->ok() ? kExitOk : kExitProbeFailed;
}

}  // namespace proxywatch
