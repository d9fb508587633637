// The shared vocabulary beside outcomes and phases: escaping of untrusted text, challenge
// scheme labels, health state, diagnosis and MTU verdict names, and what counts as a reset.
#include <set>
#include <string_view>

#include <gtest/gtest.h>

#include "common/auth_scheme.h"
#include "common/escape.h"
#include "common/health.h"
#include "common/mtu_report.h"
#include "common/probe_result.h"

namespace proxywatch {
namespace {

TEST(EscapeTest, PrintableReplacesEverythingOutsideAsciiAndCuts) {
  EXPECT_EQ(printable("squid/5.7\r\n\x01", 200), "squid/5.7???");
  EXPECT_EQ(printable("Grüße", 200), "Gr????e");
  EXPECT_EQ(printable("abcdef", 3), "abc");
}

TEST(EscapeTest, EscapeControlKeepsUtf8AndCutsAtASequenceBoundary) {
  EXPECT_EQ(escape_control("a\nb\tc\x1b"), "a\\nb\\tc\\x1b");
  EXPECT_EQ(escape_control("Grüße"), "Grüße");
  // "ü" is two bytes: a cut inside it backs up to before it.
  EXPECT_EQ(escape_control("aü", 2), "a...");
}

TEST(EscapeTest, InQuotesEscapesQuotesBackslashesAndControlBytes) {
  EXPECT_EQ(in_quotes("a\"b\\c\n"), "\"a\\\"b\\\\c\\x0a\"");
  // Messages hold ASCII only, and never a whole foreign line.
  EXPECT_EQ(in_quotes("pr\xC3\xB6xy"), "\"pr\\xc3\\xb6xy\"");
  EXPECT_EQ(in_quotes(std::string(300, 'a'), 4), "\"aaaa\"...");
  EXPECT_EQ(quoted_token("PROXY_HOST"), "\"PROXY_HOST\"");
  EXPECT_EQ(quoted_token("root:$y$j9T$hash:19000"), "a word starting \"root\"");
  EXPECT_EQ(quoted_token("$6$salt"), "a word of 7 bytes");
  EXPECT_EQ(quoted_if_needed("plain"), "plain");
  EXPECT_EQ(quoted_if_needed("two words"), "\"two words\"");
  EXPECT_EQ(quoted_if_needed(""), "\"\"");
  EXPECT_EQ(quoted_if_needed("k=v"), "\"k=v\"");
}

TEST(EscapeTest, HttpQuotedStringUsesQuotedPairsOnly) {
  EXPECT_EQ(http_quoted_string("a\"b\\c"), "\"a\\\"b\\\\c\"");
}

TEST(EscapeTest, HtmlEscapeTurnsMarkupIntoText) {
  EXPECT_EQ(html_escape("<script>alert('x')</script>"),
            "&lt;script&gt;alert(&#39;x&#39;)&lt;/script&gt;");
  EXPECT_EQ(html_escape("a&b \"c\""), "a&amp;b &quot;c&quot;");
  EXPECT_EQ(html_escape("Grüße\n"), "Grüße\n");
  EXPECT_EQ(html_escape(std::string_view("a\0b\x1b", 4)),
            "a\xef\xbf\xbd"
            "b\xef\xbf\xbd");
}

TEST(ChallengeSchemeTest, NamesAreCaseInsensitiveAndBounded) {
  EXPECT_EQ(challenge_scheme("DIGEST"), ChallengeScheme::kDigest);
  EXPECT_EQ(challenge_scheme("basic"), ChallengeScheme::kBasic);
  EXPECT_EQ(to_string(challenge_scheme("NTLM")), "ntlm");
  EXPECT_EQ(to_string(challenge_scheme("Negotiate")), "negotiate");
  EXPECT_EQ(challenge_scheme("Bearer"), ChallengeScheme::kOther);
  EXPECT_EQ(challenge_scheme("other"), ChallengeScheme::kOther);
}

TEST(HealthNamesTest, StatesAndDiagnosesRoundTripAndAreUnique) {
  std::set<std::string_view> names;
  for (HealthState h : kAllHealthStates) {
    EXPECT_EQ(health_state_from_string(to_string(h)), h);
    EXPECT_TRUE(names.insert(to_string(h)).second) << to_string(h);
  }
  for (Diagnosis d : kAllDiagnoses) {
    EXPECT_EQ(diagnosis_from_string(to_string(d)), d);
    EXPECT_TRUE(names.insert(to_string(d)).second) << to_string(d);
  }
  EXPECT_EQ(to_string(HealthState::kDegraded), "degraded");
  EXPECT_EQ(to_string(Diagnosis::kInspectionInterference), "inspection_interference");
  EXPECT_FALSE(health_state_from_string("sick"));
  EXPECT_FALSE(diagnosis_from_string("gremlins"));
}

TEST(MtuVerdictNamesTest, RoundTrip) {
  for (MtuVerdict v : kAllMtuVerdicts) EXPECT_EQ(mtu_verdict_from_string(to_string(v)), v);
  EXPECT_EQ(to_string(MtuVerdict::kInbound), "inbound");
  EXPECT_FALSE(mtu_verdict_from_string("sideways"));
}

TEST(ResetTest, RstOrTlsResetOfAFailedProbe) {
  ProbeResult r;
  r.peer_close = PeerClose::kRst;
  EXPECT_FALSE(is_reset(r)) << "an ok probe closed with RST is not a failure";
  r.outcome = Outcome::kProxyClosed;
  EXPECT_TRUE(is_reset(r));
  r.peer_close = PeerClose::kNotSeen;
  EXPECT_FALSE(is_reset(r));
  r.outcome = Outcome::kTlsReset;
  EXPECT_TRUE(is_reset(r)) << "tls_reset without an RST snapshot still counts";
}

}  // namespace
}  // namespace proxywatch
