// The /runbook/ route: the index, an alert's own page with its text, 404 for unknown alerts and
// for names that could not be one; and the page built into the binary has every shipped alert.
#include "daemon/runbook_route.h"

#include <gtest/gtest.h>

#include <fstream>
#include <regex>
#include <sstream>
#include <string>

namespace proxywatch {
namespace {

constexpr std::string_view kRouteRunbook =
    "<!DOCTYPE html>\n<html>\n<head><title>proxywatch runbook</title></head>\n<body>\n"
    "<h1>proxywatch runbook</h1>\n<ul><li><a href=\"ProxywatchDown\">ProxywatchDown</a></li></ul>\n"
    "<section id=\"ProxywatchDown\">\n<h2>ProxywatchDown</h2>\n<p>Start the daemon.</p>\n"
    "</section>\n<section id=\"ProxywatchAclBlock\">\n<p>Allow the destination.</p>\n"
    "</section>\n</body>\n</html>\n";

TEST(RunbookRouteTest, IndexIsTheWholePage) {
  HttpResponse r = runbook_response(kRouteRunbook, "/runbook/");
  EXPECT_EQ(r.status, 200u);
  EXPECT_EQ(r.content_type, "text/html; charset=utf-8");
  EXPECT_EQ(r.body, kRouteRunbook);
}

TEST(RunbookRouteTest, AnAlertsPageHasItsSectionAndNoOther) {
  HttpResponse r = runbook_response(kRouteRunbook, "/runbook/ProxywatchDown");
  ASSERT_EQ(r.status, 200u) << r.body;
  EXPECT_EQ(r.content_type, "text/html; charset=utf-8");
  EXPECT_NE(r.body.find("<title>proxywatch runbook</title>"), std::string::npos);
  EXPECT_NE(r.body.find("<p>Start the daemon.</p>\n</section>"), std::string::npos) << r.body;
  EXPECT_NE(r.body.find("<a href=\"./\">"), std::string::npos);
  EXPECT_EQ(r.body.find("Allow the destination."), std::string::npos) << r.body;
  EXPECT_TRUE(r.body.ends_with("</body>\n</html>\n"));
}

TEST(RunbookRouteTest, UnknownAlertsAndOtherNamesAre404) {
  for (std::string_view bad :
       {"/runbook/ProxywatchNoSuchAlert", "/runbook/proxywatchdown", "/runbook/ProxywatchDown/",
        "/runbook/../status.json", "/runbook/Proxywatch%44own", "/runbook/ProxywatchDown\">",
        "/runbook/ProxywatchDownX"}) {
    HttpResponse r = runbook_response(kRouteRunbook, bad);
    EXPECT_EQ(r.status, 404u) << bad;
    EXPECT_EQ(r.body.find("<section"), std::string::npos) << bad;
  }
}

TEST(RunbookRouteTest, TheBuiltInPageHasEveryShippedAlert) {
  std::ifstream file(std::string(PROXYWATCH_SOURCE_DIR) +
                     "/packaging/prometheus/proxywatch-alerts.yml");
  std::stringstream rules;
  rules << file.rdbuf();
  const std::string text = rules.str();
  const std::regex alert_line(R"(- alert: (\w+))");
  int alerts = 0;
  for (std::sregex_iterator it(text.begin(), text.end(), alert_line), end; it != end; ++it) {
    const std::string name = (*it)[1].str();
    HttpResponse r = runbook_handler()(HttpQuery("/runbook/" + name));
    EXPECT_EQ(r.status, 200u) << name;
    EXPECT_NE(r.body.find("<h2>" + name + "</h2>"), std::string::npos) << name;
    EXPECT_NE(r.body.find("What to do"), std::string::npos) << name;
    ++alerts;
  }
  EXPECT_GE(alerts, 20);
  HttpResponse index = runbook_handler()(HttpQuery("/runbook/"));
  ASSERT_TRUE(index.shared_body);
  EXPECT_EQ(*index.shared_body, kRunbookHtml);
  EXPECT_EQ(runbook_handler()(HttpQuery("/runbook/ProxywatchNoSuchAlert")).status, 404u);
}

}  // namespace
}  // namespace proxywatch
