// The title of a proxy's page (common/probe/answer_page.h): found in any case, decoded
// minimally, bounded and printable whatever the page holds.
#include "common/probe/answer_page.h"

#include <gtest/gtest.h>

namespace proxywatch {
namespace {

TEST(AnswerPageTest, TitleOfASquidPage) {
  EXPECT_EQ(page_title("<!DOCTYPE html>\n<html><head>\n<meta type=\"copyright\">\n"
                       "<title>ERROR: The requested URL could not be retrieved</title>\n"),
            "ERROR: The requested URL could not be retrieved");
}

TEST(AnswerPageTest, TagInAnyCaseWithAttributes) {
  EXPECT_EQ(page_title("<HTML><TITLE lang=\"en\">Blocked</TITLE>"), "Blocked");
  EXPECT_EQ(page_title("<Title>Portal</tItLe>"), "Portal");
}

TEST(AnswerPageTest, LookalikeTagsAreSkipped) {
  EXPECT_EQ(page_title("<titlebar>no</titlebar><title>yes</title>"), "yes");
}

TEST(AnswerPageTest, WhitespaceCollapsesAndIsTrimmed) {
  EXPECT_EQ(page_title("<title>\n  Access \t\r\n denied  \n</title>"), "Access denied");
}

TEST(AnswerPageTest, CommonEntitiesAreDecodedOthersKept) {
  EXPECT_EQ(page_title("<title>Q&amp;A &lt;blocked&gt; &quot;x&quot; &#39;y&#x27;</title>"),
            "Q&A <blocked> \"x\" 'y'");
  EXPECT_EQ(page_title("<title>caf&eacute; &amp;amp; &#9731; &#; &</title>"),
            "caf&eacute; &amp; &#9731; &#; &");
  EXPECT_EQ(page_title("<title>a&nbsp;&nbsp;b</title>"), "a b");
}

TEST(AnswerPageTest, TitleCutByTheEndOfWhatArrivedGivesWhatArrived) {
  EXPECT_EQ(page_title("<title>Access den"), "Access den");
  EXPECT_EQ(page_title("<title"), "");
}

TEST(AnswerPageTest, NoTitleIsEmpty) {
  EXPECT_EQ(page_title(""), "");
  EXPECT_EQ(page_title("<html><body>blocked</body></html>"), "");
  EXPECT_EQ(page_title("<title></title>"), "");
}

TEST(AnswerPageTest, HostileTitleIsBoundedAndPrintable) {
  std::string title = page_title("<title>\x1b[31m\xc3\xa9" + std::string(10000, 'A') + "</title>");
  EXPECT_EQ(title.size(), kMaxPageTitle);
  for (unsigned char c : title) EXPECT_TRUE(c >= 0x20 && c < 0x7f) << int(c);
  EXPECT_TRUE(title.starts_with("?[31m??AAA")) << title;
}

TEST(AnswerPageTest, TitleEndTellsWhenToStopReading) {
  EXPECT_FALSE(has_title_end("<html><title>Blo"));
  EXPECT_TRUE(has_title_end("<html><title>Blocked</TITLE>"));
}

TEST(AnswerPageTest, HtmlTypeIgnoresCaseAndParameters) {
  EXPECT_TRUE(is_html_type("text/html"));
  EXPECT_TRUE(is_html_type(" Text/HTML ; charset=utf-8"));
  EXPECT_FALSE(is_html_type("text/plain"));
  EXPECT_FALSE(is_html_type("text/htmlx"));
  EXPECT_FALSE(is_html_type(""));
}

}  // namespace
}  // namespace proxywatch
