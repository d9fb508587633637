// The one JSON encoding of a sample and of evidence, and the shared units and checked readers.
#include "common/output/json/history_json.h"

#include <gtest/gtest.h>

#include <limits>

#include <boost/json/parse.hpp>

#include "common/output/json/json_fields.h"

namespace proxywatch {
namespace {

namespace json = boost::json;

const WallTime kAt = WallTime{} + std::chrono::milliseconds(1'714'564'800'123);

Sample failed_sample() {
  Sample s;
  s.at = kAt;
  s.outcome = Outcome::kTlsReset;
  s.phase = Phase::kTlsHandshake;
  s.reset = true;
  s.phase_seconds[static_cast<std::size_t>(Phase::kTcpConnect)] = 0.000812;
  s.phase_seconds[static_cast<std::size_t>(Phase::kProxyConnect)] = 0.0123;
  s.phase_seconds[static_cast<std::size_t>(Phase::kTlsHandshake)] = 1.5;
  return s;
}

TEST(HistoryJsonTest, SampleIsIntegersWithUnitsInTheKeys) {
  std::string text = serialize(sample_json(failed_sample()));
  EXPECT_EQ(text,
            "{\"at_unix_ms\":1714564800123,\"outcome\":\"tls_reset\",\"phase\":\"tls_handshake\","
            "\"reset\":true,\"phases_us\":{\"tcp_connect\":812,\"proxy_connect\":12300,"
            "\"tls_handshake\":1500000},\"total_us\":1513112,\"confirmation\":false}");
  // A confirmation probe says so, and reads back as one; a sample written before confirmation
  // probes existed (no key) reads back as a regular probe.
  Sample confirmed = failed_sample();
  confirmed.confirmation = true;
  boost::json::object o = sample_json(confirmed);
  EXPECT_TRUE(o.at("confirmation").as_bool());
  EXPECT_EQ(sample_from_json(o), confirmed);
  o.erase("confirmation");
  EXPECT_FALSE(sample_from_json(o).confirmation);
}

TEST(HistoryJsonTest, SampleRoundTripsToTheMicrosecond) {
  Sample back = sample_from_json(json::parse(serialize(sample_json(failed_sample()))).as_object());
  EXPECT_EQ(back, failed_sample());
}

TEST(HistoryJsonTest, AnOkSampleHasANullPhase) {
  Sample ok;
  ok.at = kAt;
  json::object o = sample_json(ok);
  EXPECT_TRUE(o.at("phase").is_null());
  EXPECT_TRUE(o.at("phases_us").as_object().empty());
  EXPECT_EQ(sample_from_json(o), ok);
}

TEST(HistoryJsonTest, AnInfiniteDurationIsLeftOutNotWrittenAsInfinity) {
  Sample s = failed_sample();
  s.phase_seconds[0] = std::numeric_limits<double>::infinity();
  std::string text = serialize(sample_json(s));
  EXPECT_EQ(text.find("Infinity"), std::string::npos) << text;
  EXPECT_EQ(text.find("\"dns\""), std::string::npos) << text;
}

TEST(HistoryJsonTest, ReadingRefusesWhatWasNeverWritten) {
  auto read = [](std::string_view text) { return sample_from_json(json::parse(text).as_object()); };
  const char* good_tail = R"("reset":false,"phases_us":{}})";
  EXPECT_THROW(read(std::string(R"({"at_unix_ms":1,"outcome":"bogus","phase":null,)") + good_tail),
               JsonShapeError);
  EXPECT_THROW(
      read(std::string(R"({"at_unix_ms":1,"outcome":"ok","phase":"nowhere",)") + good_tail),
      JsonShapeError);
  EXPECT_THROW(read(std::string(R"({"at_unix_ms":-5,"outcome":"ok","phase":null,)") + good_tail),
               JsonShapeError);
  EXPECT_THROW(read(R"({"at_unix_ms":1,"outcome":"ok","phase":null,"reset":false,)"
                    R"("phases_us":{"dns":-3}})"),
               JsonShapeError);
  // A missing key or a wrong kind is Boost.JSON's own exception; readers catch both.
  EXPECT_ANY_THROW(read(R"({"outcome":"ok","phase":null,"reset":false,"phases_us":{}})"));
  EXPECT_ANY_THROW(read(R"({"at_unix_ms":"1","outcome":"ok","phase":null,"reset":false,)"
                        R"("phases_us":{}})"));
}

TEST(HistoryJsonTest, EvidenceRoundTrips) {
  Evidence e{.summary = "5 of 10 probes stalled",
             .window_probes = 10,
             .matching_probes = 5,
             .outcomes = "ok=5 proxy_stalled=5",
             .phases = "proxy_connect=5",
             .cert_issuer = "Corp Inspection CA",
             .mtu_direction = "inbound"};
  EXPECT_EQ(evidence_from_json(evidence_json(e)), e);
}

TEST(JsonFieldsTest, NullStandsForNotKnown) {
  EXPECT_TRUE(or_null(0u).is_null());
  EXPECT_EQ(or_null(407u).to_number<std::int64_t>(), 407);
  EXPECT_TRUE(or_null(std::string()).is_null());
  EXPECT_TRUE(time_or_null(std::nullopt).is_null());
  EXPECT_EQ(time_or_null(kAt).as_int64(), 1'714'564'800'123);
  EXPECT_TRUE(micros_or_null(std::nullopt).is_null());
  EXPECT_EQ(micros_or_null(0.0000015).as_int64(), 2);  // rounded, not truncated
}

TEST(JsonFieldsTest, TimesBeyondTheClockAreRefused) {
  EXPECT_EQ(json_time(json::value(1'714'564'800'123)), kAt);
  EXPECT_THROW(json_time(json::value(INT64_MAX)), JsonShapeError);
  EXPECT_FALSE(json_optional_time(json::value()).has_value());
}

}  // namespace
}  // namespace proxywatch
