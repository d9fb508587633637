// The /history route against a real probe log in a temp dir: the page of a target, the
// default range, a plain sentence for a missing target (400), an unknown range or target (404),
// and "No history yet" before the daemon has written a log.
#include "daemon/history_page_route.h"

#include <gtest/gtest.h>

#include "tests/support/history_fill.h"
#include "tests/support/temp_dir.h"

namespace proxywatch {
namespace {

using namespace std::chrono_literals;

// 2026-12-02 14:07:30 UTC.
const WallTime kRouteNow = WallTime{} + std::chrono::seconds(1'796'220'450);

class HistoryPageRouteTest : public ::testing::Test {
 protected:
  HttpResponse get(const std::string& target) {
    return history_page_response(db_, kRouteNow, HttpQuery(target));
  }
  void fill() {
    testing::fill_history(db_, {.target = "a b&c",
                                .end = kRouteNow,
                                .span = 26h,
                                .interval = 60s,
                                .outage_from = kRouteNow - 2h,
                                .outage_to = kRouteNow - 1h});
  }
  testing::TempDir dir_{"pw-history-route"};
  std::string db_ = (dir_.path() / kProbeStoreFileName).string();
};

TEST_F(HistoryPageRouteTest, ServesTheTargetsPageOverTheDefaultDay) {
  fill();
  HttpResponse r = get("/history?target=a%20b%26c");
  ASSERT_EQ(r.status, 200u) << r.body;
  EXPECT_EQ(r.content_type, "text/html; charset=utf-8");
  EXPECT_NE(r.body.find("<b aria-current=page>1d</b>"), std::string::npos);
  // The range is 12-01 14:10 to 12-02 14:10; the probes, a minute apart, run from 14:10:30 to
  // 14:06:30 (the last before now): 1437, 60 of them refused.
  EXPECT_NE(r.body.find("<b>1437</b> probes, <b>60</b> failed"), std::string::npos) << r.body;
  EXPECT_NE(r.body.find("The proxy refused the tunnel to origin.test:443 with 403 Forbidden."),
            std::string::npos);
  EXPECT_NE(r.body.find("<g class=outage>"), std::string::npos);
  EXPECT_NE(r.body.find("<tr data-diagnosis=acl_block>"), std::string::npos);
  EXPECT_NE(r.body.find("the tunnel opened again"), std::string::npos);
  EXPECT_EQ(get("/history?target=a%20b%26c&range=3h").status, 200u);
}

TEST_F(HistoryPageRouteTest, AnswersAPlainSentenceForAWrongRequest) {
  fill();
  HttpResponse no_target = get("/history?range=7d");
  EXPECT_EQ(no_target.status, 400u);
  EXPECT_EQ(no_target.content_type, "text/plain; charset=utf-8");
  EXPECT_EQ(no_target.body,
            "Name the target whose history to show: /history?target=NAME&range=1d.\n");
  HttpResponse bad_range = get("/history?target=a%20b%26c&range=2w");
  EXPECT_EQ(bad_range.status, 404u);
  EXPECT_EQ(bad_range.body,
            "There is no history range \"2w\": the ranges are 3h, 1d, 7d and 30d "
            "(/history?target=NAME&range=7d).\n");
  HttpResponse unknown = get("/history?target=%3Cnone%3E");
  EXPECT_EQ(unknown.status, 404u);
  EXPECT_EQ(unknown.body, "The history holds no probe of a target named \"<none>\".\n");
}

TEST_F(HistoryPageRouteTest, BeforeTheFirstWriteSaysNoHistoryYet) {
  HttpResponse r = get("/history?target=origin&range=30d");
  EXPECT_EQ(r.status, 200u);
  EXPECT_NE(r.body.find("No history yet"), std::string::npos) << r.body;
  EXPECT_EQ(history_page_response("", kRouteNow, HttpQuery("/history?target=origin")).status, 200u);
}

}  // namespace
}  // namespace proxywatch
