// The /captures/ route: 403 with its reason on a listener without users, the file with them,
// 404 for unknown names, other directories, traversal and symbolic links.
#include "daemon/capture_route.h"

#include <filesystem>

#include <gtest/gtest.h>

#include "tests/support/temp_dir.h"

namespace proxywatch {
namespace {

constexpr std::string_view kRouteCapture = "20261205T064812.123Z-tools-proxy_denied.pcap";

TEST(CaptureRouteTest, ServesCapturesOnlyToAnAuthenticatedListener) {
  testing::TempDir dir{"pw-capture-route"};
  dir.write_file(kRouteCapture, std::string("\xd4\xc3\xb2\xa1pcap\0bytes", 15));
  dir.write_file("secret.txt", "not a capture");
  std::filesystem::create_symlink(dir.path() / "secret.txt", dir.path() / "link.pcap");
  const std::string path = "/captures/" + std::string(kRouteCapture);

  HttpResponse refused = capture_file_response(dir.path().string(), false, path);
  EXPECT_EQ(refused.status, 403u);
  EXPECT_EQ(refused.content_type, "text/plain; charset=utf-8");
  EXPECT_NE(refused.body.find("only by an authenticated listener"), std::string::npos);
  EXPECT_NE(refused.body.find("basic_auth_users"), std::string::npos);

  HttpResponse served = capture_file_response(dir.path().string(), true, path);
  ASSERT_EQ(served.status, 200u) << served.body;
  EXPECT_EQ(served.content_type, "application/vnd.tcpdump.pcap");
  EXPECT_EQ(served.body, std::string("\xd4\xc3\xb2\xa1pcap\0bytes", 15));

  for (std::string bad : {"/captures/20990101T000000.000Z-x-ok.pcap", "/captures/../secret.txt",
                          "/captures/secret.txt", "/captures/link.pcap", "/captures/",
                          "/captures/%2e%2e%2fsecret.pcap"}) {
    HttpResponse r = capture_file_response(dir.path().string(), true, bad);
    EXPECT_EQ(r.status, 404u) << bad;
    EXPECT_EQ(r.body.find("not a capture"), std::string::npos) << bad;
  }
}

}  // namespace
}  // namespace proxywatch
