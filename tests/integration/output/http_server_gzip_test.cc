// /metrics gzipped through the real HttpServer, as the daemon's route makes it: a response
// whose body is rendered is sent gzipped as it is written (GzipStream, the exposition of 700
// pairs in pieces), with Content-Encoding: gzip and Vary: Accept-Encoding, to a request whose
// Accept-Encoding accepts gzip — and `gzip -d` (another implementation than the zlib that made
// it) gives back the very exposition — and plain to one that does not ask or refuses gzip with
// q=0. The server runs on an IoThread; the client is a synchronous Beast
// one in the test's thread.
#include "common/output/web/http_server.h"

#include <gtest/gtest.h>

#include <boost/beast/core.hpp>
#include <boost/beast/http.hpp>

#include <chrono>
#include <optional>
#include <string>

#include "common/output/metrics/metrics.h"
#include "common/output/web/gzip.h"
#include "tests/support/io_thread.h"
#include "tests/support/process.h"
#include "tests/support/temp_dir.h"

namespace proxywatch {
namespace {

namespace gzbeast = boost::beast;
namespace gzhttp = gzbeast::http;

struct GzipAnswer {
  unsigned status = 0;
  std::string content_encoding;
  std::string vary;
  std::string body;
};

// GET /metrics from 127.0.0.1:port, with `accept_encoding` unless nullopt.
GzipAnswer get_metrics(std::uint16_t port, std::optional<std::string> accept_encoding) {
  asio::io_context context;
  gzbeast::tcp_stream stream(context);
  stream.expires_after(std::chrono::seconds(5));
  stream.connect(asio::ip::tcp::endpoint(asio::ip::make_address_v4("127.0.0.1"), port));
  gzhttp::request<gzhttp::empty_body> request{gzhttp::verb::get, "/metrics", 11};
  request.set(gzhttp::field::host, "localhost");
  if (accept_encoding) request.set(gzhttp::field::accept_encoding, *accept_encoding);
  gzhttp::write(stream, request);
  gzbeast::flat_buffer buffer;
  gzhttp::response<gzhttp::string_body> response;
  gzhttp::read(stream, buffer, response);
  return GzipAnswer{response.result_int(), std::string(response[gzhttp::field::content_encoding]),
                    std::string(response[gzhttp::field::vary]), response.body()};
}

TEST(HttpServerGzipTest, MetricsAreGzippedOnlyWhenTheScraperAsks) {
  Metrics metrics;
  ProbeResult ok;
  ok.outcome = Outcome::kOk;
  for (int i = 0; i < 700; ++i) metrics.record_probe("10.0.0.1:3128", "t" + std::to_string(i), ok);
  const std::string exposition = metrics.serialize();  // one rendering, answered every time
  testing::IoThread io;
  HttpServer::Handlers handlers;
  handlers["/metrics"] = [&exposition](const HttpQuery&) {
    return HttpResponse{.content_type = std::string(kMetricsContentType),
                        .render = [&exposition](bool gzip) {
                          if (!gzip) return exposition;
                          GzipStream stream;
                          for (std::size_t at = 0; at < exposition.size(); at += 4096)
                            stream.append(std::string_view(exposition).substr(at, 4096));
                          return stream.finish();
                        }};
  };
  std::optional<HttpServer> server;
  server.emplace(io.context(), asio::ip::tcp::endpoint(asio::ip::make_address_v4("127.0.0.1"), 0),
                 std::move(handlers));
  ASSERT_TRUE(server->start().has_value());
  const std::uint16_t port = server->local_endpoint().port();
  io.start();

  const GzipAnswer gzipped = get_metrics(port, "gzip");  // what Prometheus sends
  const GzipAnswer plain = get_metrics(port, std::nullopt);
  const GzipAnswer refused = get_metrics(port, "gzip;q=0, identity");
  io.stop();
  server.reset();

  EXPECT_EQ(gzipped.status, 200u);
  EXPECT_EQ(gzipped.content_encoding, "gzip");
  EXPECT_EQ(gzipped.vary, "Accept-Encoding");
  EXPECT_LT(gzipped.body.size(), exposition.size());
  testing::TempDir dir("pw-gzip");
  const std::string file = dir.write_file("metrics.gz", gzipped.body).string();
  testing::ProcessResult inflated = testing::run_process({"gzip", "-dc", file});
  EXPECT_EQ(inflated.exit_code, 0) << inflated.err;
  EXPECT_EQ(inflated.out, exposition);

  for (const GzipAnswer& answer : {plain, refused}) {
    EXPECT_EQ(answer.status, 200u);
    EXPECT_EQ(answer.content_encoding, "");
    EXPECT_EQ(answer.vary, "Accept-Encoding");
    EXPECT_EQ(answer.body, exposition);
  }
}

}  // namespace
}  // namespace proxywatch
