// Schema version 2 (probes.confirmation): a confirmation probe reads back as one, a version 1
// database (made by taking the column away again) is read without it and migrated forward by
// the next writer, keeping its probes.
#include <gtest/gtest.h>
#include <sqlite3.h>

#include "common/output/store/probe_store.h"
#include "tests/support/results.h"
#include "tests/support/temp_dir.h"

namespace proxywatch {
namespace {

using namespace std::chrono_literals;

const WallTime kMigrationT0 = WallTime{} + std::chrono::hours(24 * 365 * 56);

ProbeRecord migration_probe(WallTime at, bool confirmation) {
  ProbeResult r = testing::result(Outcome::kProxyDenied, Phase::kProxyConnect);
  r.confirmation = confirmation;
  return make_probe_record("127.0.0.1:3128", "a", Service::kLicensing, r, at);
}

void migration_sql(const std::string& path, const std::string& sql) {
  sqlite3* db = nullptr;
  ASSERT_EQ(sqlite3_open(path.c_str(), &db), SQLITE_OK);
  char* error = nullptr;
  EXPECT_EQ(sqlite3_exec(db, sql.c_str(), nullptr, nullptr, &error), SQLITE_OK)
      << (error ? error : "");
  sqlite3_free(error);
  sqlite3_close(db);
}

std::vector<bool> migration_flags(const ProbeStore& store) {
  auto probes = store.probes(HistoryQuery{});
  EXPECT_TRUE(probes) << probes.error().to_string();
  std::vector<bool> flags;
  if (probes) {
    for (const ProbeRecord& p : *probes) flags.push_back(p.confirmation);
  }
  return flags;
}

TEST(ProbeStoreMigrationTest, ConfirmationProbesReadBackAndAVersionOneDatabaseIsMigrated) {
  testing::TempDir dir{"pw-store-v2"};
  const std::string path = (dir.path() / "history.db").string();
  {
    auto opened = ProbeStore::open(path, kMigrationT0);
    ASSERT_TRUE(opened) << opened.error().to_string();
    ASSERT_TRUE(
        opened->store->write(StoreBatch{.probes = {migration_probe(kMigrationT0, false),
                                                   migration_probe(kMigrationT0 + 5s, true)}}));
    EXPECT_EQ(migration_flags(*opened->store), (std::vector<bool>{false, true}));
  }
  // Back to version 1, as an older proxywatch left it.
  migration_sql(path, "ALTER TABLE probes DROP COLUMN confirmation; PRAGMA user_version=1;");
  {
    auto reader = ProbeStore::open_read_only(path);
    ASSERT_TRUE(reader) << reader.error().to_string();
    EXPECT_EQ(migration_flags(**reader), (std::vector<bool>{false, false}))
        << "read without the column, not refused";
  }
  auto opened = ProbeStore::open(path, kMigrationT0 + 1min);
  ASSERT_TRUE(opened) << opened.error().to_string();
  EXPECT_FALSE(opened->warning) << *opened->warning;
  ASSERT_TRUE(
      opened->store->write(StoreBatch{.probes = {migration_probe(kMigrationT0 + 10s, true)}}));
  EXPECT_EQ(migration_flags(*opened->store), (std::vector<bool>{false, false, true}));
}

}  // namespace
}  // namespace proxywatch
