// The state file: a round trip keeps windows, health and diagnoses so a restarted tracker goes
// on where it stopped; corrupt, truncated and future-version files are set aside; writes are
// atomic (a torn temporary file never shadows the good one).
#include "common/output/store/state_file.h"

#include "common/history/tracker.h"

#include <gtest/gtest.h>

#include <sys/stat.h>
#include <unistd.h>
#include "tests/support/results.h"

#include <filesystem>

#include "tests/support/temp_dir.h"

namespace proxywatch {
namespace {

using namespace std::chrono_literals;
namespace fs = std::filesystem;

const WallTime kStart = WallTime{} + std::chrono::hours(24 * 365 * 50);

using testing::result;

// A pair that went failing with acl_block and an intercepted certificate on record.
PairState failing_pair() {
  Tracker t{HealthSettings{}};
  WallTime now = kStart;
  for (int i = 0; i < 3; ++i) t.record(result(Outcome::kOk), now += 1min);
  for (int i = 0; i < 3; ++i) {
    t.record(result(Outcome::kProxyDenied, Phase::kProxyConnect), now += 1min);
  }
  return PairState{"127.0.0.1:3128", "tools", t.history()};
}

TEST(StateFileTest, RoundTripKeepsWindowHealthAndDiagnoses) {
  PairState pair = failing_pair();
  pair.history.cert_suspect = Evidence{.cert_subject = "CN=a", .cert_issuer = "CN=Inspector"};
  pair.history.last_mtu = MtuVerdict::kOutbound;
  pair.history.last_diagnosis = "The proxy refused the tunnel to tools.cisco.com:443 with 403.";
  auto loaded = state_from_json(state_to_json({pair}, kStart + 1h));
  ASSERT_TRUE(loaded) << loaded.error();
  ASSERT_EQ(loaded->size(), 1u);
  const PairState& back = loaded->front();
  EXPECT_EQ(back.proxy, "127.0.0.1:3128");
  EXPECT_EQ(back.target, "tools");
  EXPECT_EQ(back.history.health, HealthState::kFailing);
  EXPECT_EQ(back.history.consecutive_failures, 3u);
  ASSERT_EQ(back.history.window.size(), 6u);
  EXPECT_EQ(back.history.window.samples().back().outcome, Outcome::kProxyDenied);
  EXPECT_EQ(back.history.window.samples().back().phase, Phase::kProxyConnect);
  EXPECT_EQ(back.history.window.samples().back().at, pair.history.window.samples().back().at);
  EXPECT_EQ(back.history.window.mean_seconds(Phase::kTcpConnect), 0.002);
  ASSERT_TRUE(back.history.active.contains(Diagnosis::kAclBlock));
  EXPECT_EQ(back.history.active.at(Diagnosis::kAclBlock).evidence,
            pair.history.active.at(Diagnosis::kAclBlock).evidence);
  EXPECT_EQ(back.history.cert_suspect->cert_issuer, "CN=Inspector");
  EXPECT_EQ(back.history.last_mtu, MtuVerdict::kOutbound);
  EXPECT_EQ(back.history.health_since, kStart + 6min);  // when the third 403 made it failing
  EXPECT_EQ(back.history.last_diagnosis, pair.history.last_diagnosis);
}

TEST(StateFileTest, RestoredTrackerGoesOnWhereItStopped) {
  Tracker before{HealthSettings{}};
  WallTime now = kStart;
  before.record(result(Outcome::kOk), now += 1min);
  before.record(result(Outcome::kProxyClosed, Phase::kProxyConnect), now += 1min);
  before.record(result(Outcome::kProxyClosed, Phase::kProxyConnect), now += 1min);
  auto loaded = state_from_json(state_to_json({{"p:1", "t", before.history()}}, now));
  ASSERT_TRUE(loaded);
  Tracker after{HealthSettings{}, loaded->front().history};
  EXPECT_EQ(after.history().health, HealthState::kHealthy);
  auto changes = after.record(result(Outcome::kProxyClosed, Phase::kProxyConnect), now += 1min);
  // The third failure in a row counts the two from before the restart.
  EXPECT_EQ(changes.health, HealthState::kFailing);
}

TEST(StateFileTest, RejectsGarbageTruncationWrongFormatAndFutureVersion) {
  std::string good = state_to_json({failing_pair()}, kStart);
  EXPECT_FALSE(state_from_json("not json"));
  EXPECT_FALSE(state_from_json(""));
  EXPECT_FALSE(state_from_json(good.substr(0, good.size() / 2)));
  EXPECT_FALSE(state_from_json(R"({"format":"other","version":1,"pairs":[]})"));
  auto future = state_from_json(R"({"format":"proxywatch-state","version":)" +
                                std::to_string(kStateFileVersion + 1) + R"(,"pairs":[]})");
  ASSERT_FALSE(future);
  EXPECT_NE(future.error().to_string().find("newer"), std::string::npos) << future.error();
  std::string unknown = good;
  unknown.replace(unknown.find("\"proxy_denied\""), 14, "\"proxy_bogus\"");
  EXPECT_FALSE(state_from_json(unknown));
}

TEST(StateFileTest, EveryTruncationOfAGoodFileIsRejectedNotMisread) {
  std::string good = state_to_json({failing_pair()}, kStart);
  // Whole JSON values only: a cut file must never load as a shorter, "valid" history.
  for (std::size_t cut = 0; cut + 1 < good.size(); cut += 7) {
    EXPECT_FALSE(state_from_json(good.substr(0, cut))) << "cut at " << cut;
  }
}

TEST(StateFileTest, AbsentFileLoadsEmptyWithoutWarning) {
  testing::TempDir dir("pw-state");
  LoadedState s = load_state_file((dir.path() / "state.json").string(), kStart);
  EXPECT_TRUE(s.pairs.empty());
  EXPECT_FALSE(s.warning) << *s.warning;
}

TEST(StateFileTest, CorruptFileIsMovedAsideWithAWarning) {
  testing::TempDir dir("pw-state");
  fs::path path = dir.write_file("state.json", "{\"format\":\"proxywatch-st");
  LoadedState s = load_state_file(path.string(), kStart);
  EXPECT_TRUE(s.pairs.empty());
  ASSERT_TRUE(s.warning);
  EXPECT_NE(s.warning->find("not loaded"), std::string::npos) << *s.warning;
  EXPECT_FALSE(fs::exists(path));
  std::size_t aside = 0;
  for (const auto& entry : fs::directory_iterator(dir.path())) {
    if (entry.path().filename().string().starts_with("state.json.corrupt-")) ++aside;
  }
  EXPECT_EQ(aside, 1u);
}

TEST(StateFileTest, WriteIsAtomicPrivateAndLoadsBack) {
  testing::TempDir dir("pw-state");
  std::string path = (dir.path() / "state.json").string();
  ASSERT_TRUE(write_state_file(path, state_to_json({failing_pair()}, kStart)));
  // A torn temporary file from a write killed midway does not shadow the good file.
  dir.write_file("state.json.tmp", "{\"format\":");
  LoadedState s = load_state_file(path, kStart);
  EXPECT_FALSE(s.warning) << *s.warning;
  ASSERT_EQ(s.pairs.size(), 1u);
  EXPECT_EQ(s.pairs[0].history.health, HealthState::kFailing);
  ASSERT_TRUE(write_state_file(path, state_to_json({}, kStart)));
  EXPECT_FALSE(fs::exists(path + ".tmp"));
  struct stat st {};
  ASSERT_EQ(stat(path.c_str(), &st), 0);
  EXPECT_EQ(st.st_mode & 0777, 0600u);
}

// ---- hostile and failing files ----

bool has_entry_starting(const fs::path& dir, std::string_view prefix) {
  for (const auto& entry : fs::directory_iterator(dir)) {
    if (entry.path().filename().string().starts_with(prefix)) return true;
  }
  return false;
}

TEST(StateFileTest, PlantedSymlinkAtTheTemporaryFileIsNotFollowed) {
  testing::TempDir dir("pw-state");
  fs::path victim = dir.write_file("victim", "precious\n");
  ::chmod(victim.c_str(), 0644);
  std::string path = (dir.path() / "state.json").string();
  fs::create_symlink(victim, path + ".tmp");
  ASSERT_TRUE(write_state_file(path, state_to_json({failing_pair()}, kStart)));
  EXPECT_EQ(dir.read_file("victim"), "precious\n");
  struct stat st {};
  ASSERT_EQ(::stat(victim.c_str(), &st), 0);
  EXPECT_EQ(st.st_mode & 0777, 0644u);
  EXPECT_EQ(load_state_file(path, kStart).pairs.size(), 1u);
}

TEST(StateFileTest, SymlinkToDevZeroIsSetAsideUnread) {
  testing::TempDir dir("pw-state");
  std::string path = (dir.path() / "state.json").string();
  fs::create_symlink("/dev/zero", path);
  LoadedState s = load_state_file(path, kStart);
  EXPECT_TRUE(s.pairs.empty());
  ASSERT_TRUE(s.warning);
  EXPECT_NE(s.warning->find("symbolic link"), std::string::npos) << *s.warning;
  EXPECT_TRUE(fs::exists("/dev/zero"));
}

TEST(StateFileTest, FifoDoesNotBlockAndIsSetAside) {
  testing::TempDir dir("pw-state");
  std::string path = (dir.path() / "state.json").string();
  ASSERT_EQ(::mkfifo(path.c_str(), 0600), 0);
  auto started = std::chrono::steady_clock::now();
  LoadedState s = load_state_file(path, kStart);
  EXPECT_LT(std::chrono::steady_clock::now() - started, 2s);
  ASSERT_TRUE(s.warning);
  EXPECT_NE(s.warning->find("not a regular file"), std::string::npos) << *s.warning;
  EXPECT_TRUE(has_entry_starting(dir.path(), "state.json.corrupt-"));
}

TEST(StateFileTest, OversizedFileIsRefusedBeforeReading) {
  testing::TempDir dir("pw-state");
  std::string path = (dir.path() / "state.json").string();
  fs::path file = dir.write_file("state.json", "{}");
  fs::resize_file(file, kMaxStateFileBytes + 1);  // sparse: no disk, no memory
  LoadedState s = load_state_file(path, kStart);
  ASSERT_TRUE(s.warning);
  EXPECT_NE(s.warning->find("larger than 64 MiB"), std::string::npos) << *s.warning;
}

TEST(StateFileTest, TransientReadErrorIsRetriedAndKeepsTheHistory) {
  testing::TempDir dir("pw-state");
  std::string path = (dir.path() / "state.json").string();
  ASSERT_TRUE(write_state_file(path, state_to_json({failing_pair()}, kStart)));
  int calls = 0;
  auto flaky = [&](const std::string& p) {
    if (++calls == 1)
      return Result<std::string>(
          Error{.kind = Error::Kind::kUnreadable, .message = "cannot read: Input/output error"});
    return read_state_file(p);
  };
  LoadedState s = load_state_file(path, kStart, flaky);
  EXPECT_FALSE(s.warning) << *s.warning;
  EXPECT_EQ(s.pairs.size(), 1u);
  EXPECT_EQ(calls, 2);
}

TEST(StateFileTest, PersistentReadErrorKeepsTheFileWholeAndDoesNotCallItCorrupt) {
  testing::TempDir dir("pw-state");
  std::string path = (dir.path() / "state.json").string();
  ASSERT_TRUE(write_state_file(path, state_to_json({failing_pair()}, kStart)));
  std::string before = dir.read_file("state.json");
  auto failing = [](const std::string&) {
    return Result<std::string>(
        Error{.kind = Error::Kind::kUnreadable, .message = "cannot read: Input/output error"});
  };
  LoadedState s = load_state_file(path, kStart, failing);
  EXPECT_FALSE(has_entry_starting(dir.path(), "state.json.corrupt-"));
  ASSERT_TRUE(s.warning);
  EXPECT_NE(s.warning->find("not corruption"), std::string::npos) << *s.warning;
  for (const auto& entry : fs::directory_iterator(dir.path())) {
    if (entry.path().filename().string().starts_with("state.json.unread-")) {
      EXPECT_EQ(dir.read_file(entry.path().filename().string()), before);
    }
  }
  EXPECT_TRUE(has_entry_starting(dir.path(), "state.json.unread-"));
}

// A state file of version 1 (times in `*_ms`, durations in seconds), as proxywatch wrote it
// before samples took the shared shape.
std::string version_1_file(const std::string& phase_seconds) {
  return R"({"format":"proxywatch-state","version":1,"saved_at_ms":1714564900000,"pairs":[)"
         R"({"proxy":"127.0.0.1:3128","target":"tools","health":"failing",)"
         R"("consecutive_failures":3,"consecutive_successes":0,"samples":[)"
         R"({"at_ms":1714564800123,"outcome":"proxy_denied","phase":"proxy_connect","reset":false,)"
         R"("phase_seconds":)" +
         phase_seconds +
         R"(}],"diagnoses":[{"name":"acl_block","since_ms":1714564800123,"evidence":)"
         R"({"summary":"3 denied","window_probes":3,"matching_probes":3,"outcomes":"proxy_denied=3",)"
         R"("phases":"proxy_connect=3","cert_subject":"","cert_issuer":"","expected_issuer":"",)"
         R"("verify_error":"","mtu_direction":"","mtu_detail":""}}],)"
         R"("cert_suspect":null,"last_mtu":null,"health_since_ms":1714564800123}]})";
}

TEST(StateFileTest, Version1FileStillLoadsAndSavesAsVersion2) {
  auto loaded = state_from_json(version_1_file("[0.001,0.0025,0.0125,null,null,null]"));
  ASSERT_TRUE(loaded) << loaded.error();
  ASSERT_EQ(loaded->size(), 1u);
  const PairHistory& h = loaded->front().history;
  ASSERT_EQ(h.window.size(), 1u);
  const Sample& s = h.window.samples().front();
  const WallTime at = WallTime{} + std::chrono::milliseconds(1'714'564'800'123);
  EXPECT_EQ(s.at, at);
  EXPECT_EQ(s.outcome, Outcome::kProxyDenied);
  EXPECT_EQ(s.phase_seconds[static_cast<std::size_t>(Phase::kProxyConnect)], 0.0125);
  EXPECT_FALSE(s.phase_seconds[static_cast<std::size_t>(Phase::kTlsHandshake)].has_value());
  EXPECT_EQ(h.active.at(Diagnosis::kAclBlock).since, at);
  EXPECT_EQ(h.health_since, at);
  std::string saved = state_to_json(*loaded, kStart);
  EXPECT_NE(saved.find("\"version\":2"), std::string::npos) << saved;
  EXPECT_NE(saved.find("\"phases_us\":{\"dns\":1000,\"tcp_connect\":2500,\"proxy_connect\":12500}"),
            std::string::npos)
      << saved;
  EXPECT_EQ(saved.find("phase_seconds"), std::string::npos) << saved;
}

TEST(StateFileTest, ImpossiblePhaseTimesAreRejectedSoWhatLoadsSavesAsJson) {
  // Found by tests/fuzz/state_file_fuzz: 0.03e631 parsed as infinity, loaded, and was saved as
  // `Infinity`, which no JSON parser reads: the next start set the history aside.
  for (std::string bad : {"0.03e631", "-1"}) {
    auto loaded = state_from_json(version_1_file("[" + bad + ",null,null,null,null,null]"));
    ASSERT_FALSE(loaded) << bad;
    EXPECT_NE(loaded.error().to_string().find("impossible time"), std::string::npos)
        << loaded.error();
  }
  // Version 2 holds whole microseconds: a negative one or a fraction does not load either.
  std::string text = state_to_json({failing_pair()}, kStart);
  auto at = text.find("\"tcp_connect\":");
  ASSERT_NE(at, std::string::npos);
  for (std::string bad : {"-1", "0.5"}) {
    std::string fixed = text;
    auto value = at + std::string("\"tcp_connect\":").size();
    fixed.replace(value, fixed.find_first_of(",}", value) - value, bad);
    EXPECT_FALSE(state_from_json(fixed)) << bad;
  }
}

TEST(StateFileTest, TimesBeyondTheClockAreRejectedNotWrapped) {
  std::string text = state_to_json({failing_pair()}, kStart);
  auto at = text.find("\"at_unix_ms\":");
  ASSERT_NE(at, std::string::npos);
  auto end = text.find(',', at);
  text.replace(at, end - at, "\"at_unix_ms\":9223372036854775807");
  auto loaded = state_from_json(text);
  ASSERT_FALSE(loaded);
  EXPECT_NE(loaded.error().to_string().find("out of range"), std::string::npos) << loaded.error();
}

}  // namespace
}  // namespace proxywatch
