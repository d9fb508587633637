// What a ProbeStore connection keeps between calls: its prepared statements and the ids of the
// pairs and texts it has seen. Internal to proxywatch::store (probe_store*.cc).
#pragma once

#include <cstdint>
#include <map>
#include <memory>
#include <string>
#include <string_view>
#include <utility>

#include "common/output/store/probe_store.h"
#include "common/output/store/sqlite_statement.h"

namespace proxywatch {

// The SQL of the probe columns, in the order ProbeStore binds and reads them.
std::string probe_columns_sql();

struct ProbeStore::Cache {
  struct PairRow {
    std::int64_t id = 0;
    Service service = Service::kCustom;
    std::int64_t last_probe_ms = 0;  // (pair, at_ms) is the key: a later probe never collides
    std::int64_t last_mtu_ms = 0;
  };
  std::map<PairKey, PairRow> pairs;
  std::map<std::string, std::int64_t, std::less<>> texts;

  // The statement of `sql`, prepared on first use (a batch of 1,000 probes prepares each once).
  sqlite::Statement& statement(sqlite3* db, std::string_view sql) {
    auto known = statements.find(sql);
    if (known == statements.end()) {
      known =
          statements.emplace(std::string(sql), std::make_unique<sqlite::Statement>(db, sql)).first;
    }
    return *known->second;
  }
  std::map<std::string, std::unique_ptr<sqlite::Statement>, std::less<>> statements;
};

// Milliseconds since the epoch, and back.
std::int64_t unix_ms(WallTime t);
WallTime from_unix_ms(std::int64_t ms);

}  // namespace proxywatch
