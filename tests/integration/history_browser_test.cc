// The history page of every range in a real browser, with one start of Debian's headless
// Chromium: a probe log of 30 days is written into a temp dir (ProbeStore, as the daemon does),
// the /history route serves it from an HttpServer on 127.0.0.1, and a test-only page holds the
// four ranges in iframes. Its script, once they have loaded, measures each one in the rendered
// DOM — the chart's smoke, median and outage band, drawn with a size — then follows in each
// frame the link to the next range and reads where it led. Chromium resolves no name and talks
// to 127.0.0.1 only. With PROXYWATCH_SCREENSHOT=FILE set, it also saves a screenshot there.
#include <gtest/gtest.h>

#include <cstdlib>

#include <boost/json.hpp>

#include "common/output/status/history_chart.h"
#include "common/output/web/http_server.h"
#include "daemon/history_page_route.h"
#include "tests/support/chromium.h"
#include "tests/support/history_fill.h"
#include "tests/support/io_thread.h"
#include "tests/support/local_port.h"
#include "tests/support/temp_dir.h"

namespace proxywatch {
namespace {

using namespace std::chrono_literals;
namespace json = boost::json;

// Loads the four ranges, then in each frame: what its chart shows, and where the link to the
// next range leads. Writes the result as JSON into <pre id=result>.
constexpr std::string_view kHistoryHarness = R"(<!doctype html><html><body>
<iframe src="history?target=origin&amp;range=3h"></iframe>
<iframe src="history?target=origin&amp;range=1d"></iframe>
<iframe src="history?target=origin&amp;range=7d"></iframe>
<iframe src="history?target=origin&amp;range=30d"></iframe>
<pre id=result>pending</pre>
<script>
const ranges = ['3h', '1d', '7d', '30d'];
function measure(doc) {
  const svg = doc.querySelector('svg.history');
  const size = (e) => e ? Math.round(e.getBBox().width) : 0;
  return {
    range: svg ? svg.dataset.range : null,
    svg_width: svg ? Math.round(svg.getBoundingClientRect().width) : 0,
    smoke: doc.querySelectorAll('svg.history path.smoke').length,
    smoke_width: size(doc.querySelector('svg.history path.p10-p90')),
    median: doc.querySelectorAll('svg.history path.median').length,
    outage_width: size(doc.querySelector('svg.history g.outage rect')),
    outage_title: (doc.querySelector('svg.history g.outage title') || {}).textContent || '',
    failures: doc.querySelectorAll('table.failures tr[data-outcome]').length,
    links: [...doc.querySelectorAll('nav a.range')].map((a) => a.href),
    current: (doc.querySelector('nav b[aria-current]') || {}).textContent || '',
    scripts: doc.querySelectorAll('script').length,
  };
}
window.addEventListener('load', async () => {
  const frames = [...document.querySelectorAll('iframe')];
  const pages = frames.map((f) => measure(f.contentDocument));
  const followed = await Promise.all(frames.map((f, i) => new Promise((done) => {
    const next = ranges[(i + 1) % ranges.length];
    const link = [...f.contentDocument.querySelectorAll('nav a.range')]
        .find((a) => a.textContent === next);
    if (!link) return done({from: ranges[i], missing: next});
    f.addEventListener('load', () => done({
      from: ranges[i], search: f.contentWindow.location.search,
      range: measure(f.contentDocument).range}), {once: true});
    link.click();
  })));
  document.getElementById('result').textContent = JSON.stringify({pages, followed});
});
</script></body></html>
)";

std::string history_unescape(std::string text) {
  for (auto [from, to] : {std::pair{"&lt;", "<"}, {"&gt;", ">"}, {"&amp;", "&"}}) {
    for (auto at = text.find(from); at != std::string::npos; at = text.find(from, at + 1)) {
      text.replace(at, std::string_view(from).size(), to);
    }
  }
  return text;
}

TEST(HistoryBrowserTest, EveryRangeDrawsItsChartAndLinksTheOthersInChromium) {
  testing::TempDir dir("pw-history-browser");
  std::string db = (dir.path() / kProbeStoreFileName).string();
  WallTime now = std::chrono::floor<std::chrono::seconds>(std::chrono::system_clock::now());
  // 30 days probed every 2 minutes; an outage an hour long that ended an hour ago, so every
  // range has one.
  testing::fill_history(db, {.target = "origin",
                             .end = now,
                             .span = 24h * 30,
                             .interval = 120s,
                             .outage_from = now - 2h,
                             .outage_to = now - 1h});

  testing::IoThread io;
  HttpServer server(
      io.context(), {asio::ip::make_address("127.0.0.1"), 0},
      {{"/history", history_page_handler(db, [now] { return now; })},
       {"/harness", [](const HttpQuery&) {
          return HttpResponse{200, "text/html; charset=utf-8", std::string(kHistoryHarness)};
        }}});
  ASSERT_TRUE(server.start());
  io.start();
  std::string base = "http://127.0.0.1:" + std::to_string(server.local_endpoint().port()) + "/";
  // Virtual time lets the harness's script finish (the frames' navigations) before the dump.
  auto run = testing::run_chromium(dir.path(), {"--dump-dom", "--virtual-time-budget=30000"},
                                   base + "harness");
  // With PROXYWATCH_SCREENSHOT=FILE, the 1-day page as a person sees it (docs/history-page.png).
  if (const char* shot = std::getenv("PROXYWATCH_SCREENSHOT")) {
    testing::run_chromium(
        dir.path(),
        {std::string("--screenshot=") + shot, "--window-size=1000,660", "--hide-scrollbars"},
        base + "history?target=origin&range=1d");
  }
  io.stop();
  ASSERT_EQ(run.exit_code, 0) << "chromium (scripts/install-deps.sh installs it): "
                              << testing::tail(run.err);
  auto start = run.out.find("<pre id=\"result\">");
  auto end = run.out.find("</pre>", start);
  ASSERT_NE(start, std::string::npos) << run.out;
  std::string text = history_unescape(run.out.substr(start + 17, end - start - 17));
  json::value result = json::parse(text);

  const json::array& pages = result.at("pages").as_array();
  ASSERT_EQ(pages.size(), kAllHistoryRanges.size()) << text;
  for (std::size_t i = 0; i < pages.size(); ++i) {
    std::string range(to_string(kAllHistoryRanges[i]));
    const json::object& page = pages[i].as_object();
    SCOPED_TRACE(range + ": " + json::serialize(page));
    EXPECT_EQ(page.at("range"), json::value(range));
    EXPECT_EQ(page.at("current"), json::value(range));
    EXPECT_GT(page.at("svg_width").as_int64(), 200);
    EXPECT_EQ(page.at("smoke").as_int64(), 2);  // 10th–90th and 25th–75th
    EXPECT_GT(page.at("smoke_width").as_int64(), 100);
    EXPECT_GE(page.at("median").as_int64(), 1);
    EXPECT_GE(page.at("outage_width").as_int64(), 1);
    EXPECT_NE(std::string(page.at("outage_title").as_string()).find(": acl_block"),
              std::string::npos);
    EXPECT_EQ(page.at("failures").as_int64(), 30);  // an hour of probes 2 minutes apart
    EXPECT_EQ(page.at("scripts").as_int64(), 0);
    // Links to the three other ranges, none to itself.
    std::vector<std::string> expected;
    for (HistoryRange other : kAllHistoryRanges) {
      if (other != kAllHistoryRanges[i]) {
        expected.push_back(base + "history?target=origin&range=" + std::string(to_string(other)));
      }
    }
    std::vector<std::string> links;
    for (const json::value& link : page.at("links").as_array()) {
      links.emplace_back(link.as_string());
    }
    EXPECT_EQ(links, expected);
  }
  // Each frame followed its link to the next range and landed on that range's page.
  const json::array& followed = result.at("followed").as_array();
  ASSERT_EQ(followed.size(), kAllHistoryRanges.size()) << text;
  for (std::size_t i = 0; i < followed.size(); ++i) {
    std::string next(to_string(kAllHistoryRanges[(i + 1) % kAllHistoryRanges.size()]));
    EXPECT_EQ(followed[i].at("search"), json::value("?target=origin&range=" + next)) << text;
    EXPECT_EQ(followed[i].at("range"), json::value(next)) << text;
  }
}

}  // namespace
}  // namespace proxywatch
