// The history page: range links (the current one not a link), the counts, the chart, the
// failures newest first and bounded, the diagnoses with from and to, every name escaped; the
// page without a probe log; the status page's link to each target's history.
#include <gtest/gtest.h>

#include "common/output/status/history_page.h"
#include "common/output/status/status_page.h"

namespace proxywatch {
namespace {

using namespace std::chrono_literals;

// 2026-12-02 14:07:30 UTC.
const WallTime kPageNow = WallTime{} + std::chrono::seconds(1'796'220'450);

std::size_t page_occurrences(const std::string& text, std::string_view what) {
  std::size_t n = 0;
  for (auto at = text.find(what); at != std::string::npos; at = text.find(what, at + 1)) ++n;
  return n;
}

ProbeRecord page_failure(WallTime at, std::string sentence) {
  ProbeRecord r;
  r.at = at;
  r.proxy = "10.0.0.1:3128";
  r.target = "origin";
  r.outcome = Outcome::kProxyDenied;
  r.phase = Phase::kProxyConnect;
  r.diagnosis = std::move(sentence);
  return r;
}

// A day of `target`: a probe a minute, the last `failed` of them denied, one acl_block.
HistoryPage page_of_a_day(std::string target, int failed) {
  HistoryPage page{.target = std::move(target),
                   .range = HistoryRange::k1d,
                   .span = history_span(HistoryRange::k1d, kPageNow),
                   .generated = kPageNow};
  for (int i = 0; i < 24 * 60; ++i) {
    bool ok = i < 24 * 60 - failed;
    page.points.push_back({page.span.from + std::chrono::minutes(i), ok, ok ? 0.05 : 0.002});
  }
  WallTime since = page.span.from + std::chrono::minutes(24 * 60 - failed);
  page.health = {{"10.0.0.1:3128", page.target, HealthState::kFailing, since, std::nullopt}};
  page.diagnoses = {{"10.0.0.1:3128", page.target, Diagnosis::kAclBlock, since, std::nullopt,
                     Evidence{.summary = "3 probes in a row were refused with 403"}, ""}};
  for (int i = 0; i < std::min<int>(failed, kHistoryFailuresShown); ++i) {
    page.failures.push_back(page_failure(kPageNow - std::chrono::minutes(i), "refused with 403"));
  }
  return page;
}

TEST(HistoryPageTest, LinksTheOtherRangesAndShowsTheChartFailuresAndDiagnoses) {
  std::string html = render_history_page(page_of_a_day("origin", 150));
  EXPECT_NE(html.find("<title>proxywatch history: origin (1d)</title>"), std::string::npos);
  EXPECT_NE(html.find("<a href='./'>status page</a>"), std::string::npos);
  EXPECT_NE(html.find("<a class=range href='history?target=origin&amp;range=3h'>3h</a>"),
            std::string::npos)
      << html;
  EXPECT_NE(html.find("<a class=range href='history?target=origin&amp;range=7d'>7d</a>"),
            std::string::npos);
  EXPECT_NE(html.find("<a class=range href='history?target=origin&amp;range=30d'>30d</a>"),
            std::string::npos);
  EXPECT_NE(html.find("<b aria-current=page>1d</b>"), std::string::npos);
  EXPECT_EQ(html.find("&amp;range=1d"), std::string::npos);  // the current range is no link
  EXPECT_NE(html.find("<b>1440</b> probes, <b>150</b> failed (10.4 %)"), std::string::npos);
  EXPECT_NE(html.find("<svg class=history data-range=1d"), std::string::npos);
  EXPECT_NE(html.find("<g class=outage>"), std::string::npos);
  // The newest 100 failures, newest first, and how many are not listed.
  EXPECT_NE(html.find("The newest 100 of 150 failures (50 more not listed)."), std::string::npos);
  EXPECT_EQ(page_occurrences(html, "<tr data-outcome=proxy_denied>"), 100u);
  auto newest = html.find("<td class=when>2026-12-02 14:07:30</td>");
  auto older = html.find("<td class=when>2026-12-02 14:06:30</td>");
  ASSERT_NE(newest, std::string::npos);
  EXPECT_LT(newest, older);
  EXPECT_NE(html.find("<td>proxy_denied</td><td>proxy_connect</td><td>10.0.0.1:3128</td>"
                      "<td>refused with 403</td>"),
            std::string::npos);
  EXPECT_NE(html.find("<tr data-diagnosis=acl_block><td>acl_block</td><td class=when>"
                      "2026-12-02 11:40:00</td><td class=when>still active</td>"),
            std::string::npos)
      << html;
  EXPECT_EQ(html.find("<script"), std::string::npos);
}

TEST(HistoryPageTest, QuietRangeSaysSo) {
  std::string html = render_history_page(page_of_a_day("origin", 0));
  EXPECT_NE(html.find("No probe failed in this range."), std::string::npos);
  EXPECT_NE(html.find("failed (0.0 %)"), std::string::npos);
  EXPECT_EQ(html.find("The newest"), std::string::npos);
}

TEST(HistoryPageTest, EscapesTargetNamesSentencesAndProxies) {
  const std::string evil = "<b>\"x\"&'y'</b>";
  HistoryPage page = page_of_a_day(evil, 3);
  page.failures[0].diagnosis = "The proxy said <script>alert(1)</script>";
  page.failures[0].proxy = evil;
  page.diagnoses[0].evidence.summary = evil;
  page.diagnoses[0].to = kPageNow;
  page.diagnoses[0].cleared_why = evil;
  std::string html = render_history_page(page);
  const std::string escaped = "&lt;b&gt;&quot;x&quot;&amp;&#39;y&#39;&lt;/b&gt;";
  EXPECT_EQ(html.find("<b>\"x\""), std::string::npos);
  EXPECT_EQ(html.find("<script"), std::string::npos);
  EXPECT_NE(html.find("&lt;script&gt;alert(1)&lt;/script&gt;"), std::string::npos);
  // Title, heading, proxy, evidence, why it cleared.
  EXPECT_GE(page_occurrences(html, escaped), 5u) << html;
  // In a link the name is percent-encoded, then the '&' of the query escaped.
  EXPECT_NE(html.find("href='history?target=%3Cb%3E%22x%22%26%27y%27%3C%2Fb%3E&amp;range=7d'"),
            std::string::npos)
      << html;
  EXPECT_EQ(history_href("a b/ü", HistoryRange::k30d), "history?target=a%20b%2F%C3%BC&range=30d");
}

TEST(HistoryPageTest, WithoutAProbeLogSaysNoHistoryYet) {
  std::string html = render_history_empty("<origin>", HistoryRange::k7d);
  EXPECT_NE(html.find("No history yet"), std::string::npos);
  EXPECT_NE(html.find("History of &lt;origin&gt;"), std::string::npos);
  EXPECT_NE(html.find("<b aria-current=page>7d</b>"), std::string::npos);
  EXPECT_NE(html.find("href='history?target=%3Corigin%3E&amp;range=1d'"), std::string::npos);
}

TEST(HistoryPageTest, StatusPageLinksEachTargetToItsHistory) {
  StatusSnapshot s{.version = "0.1.0", .generated = kPageNow, .proxy = "10.0.0.1:3128"};
  s.targets.push_back(TargetStatus{.name = "origin", .destination = "origin.demo:443"});
  s.targets.push_back(TargetStatus{.name = "a&b", .destination = "ab.demo:443"});
  std::string html = render_status_page(s);
  EXPECT_NE(html.find("<a class=hist href='history?target=origin&amp;range=1d'>history</a>"),
            std::string::npos)
      << html;
  EXPECT_NE(html.find("<a class=hist href='history?target=a%26b&amp;range=1d'>history</a>"),
            std::string::npos);
}

}  // namespace
}  // namespace proxywatch
