#pragma once

// The events in SQLite: one table `events` with the columns of the
// ClickHouse table (clickhouse_tsv.h) in SQLite's types: TEXT, INTEGER
// (times in microseconds, booleans 0/1) and REAL. Absent properties are NULL
// (in SQLite a NULL takes the same one header byte as ''). Rows go in
// arrival order (the NDJSON's, time order) in a rowid table.

#include <cstdint>
#include <string>

#include "bench_queries.h"
#include "core/result.h"
#include "event_source.h"

namespace cdp::bench {

struct SqliteLoadOptions {
  size_t transaction_rows = 500'000;  // rows per transaction
  int cache_mib = 256;                // PRAGMA cache_size
};

// Creates `db_path` (which must not exist) and loads every event of
// `reader` with one prepared INSERT, in transactions of
// `options.transaction_rows` rows, journal_mode=WAL, synchronous=NORMAL; the
// WAL is checkpointed at the end (counted in the load).
Result<LoadReport> SqliteLoad(const std::string& db_path, NdjsonEventReader& reader,
                              const EventColumns& columns, const SqliteLoadOptions& options);

// CREATE INDEX ON events(workspace_id, timestamp), then ANALYZE (so the
// planner knows that workspace_id alone selects everything). Returns what
// both took (`events` 0).
Result<LoadReport> SqliteCreateIndex(const std::string& db_path);

// The database's size: page_count * page_size (the WAL is empty after a load).
Result<uint64_t> SqliteBytes(const std::string& db_path);

// Runs query (a) and query (b) `runs` times each.
struct SqliteQueryReport {
  CountByEvent a;
  FilteredSum b;
  QueryTiming a_timing;
  QueryTiming b_timing;
  std::string a_plan;  // EXPLAIN QUERY PLAN, one line
  std::string b_plan;
};
Result<SqliteQueryReport> SqliteQuery(const std::string& db_path, const BenchQueries& queries,
                                      int runs, int cache_mib);

}  // namespace cdp::bench
