#pragma once

// The cdp engine of the benchmark: load and query through the EventStore
// interface only (store/event_store.h), so any implementation can be
// measured. Which one is opened is decided in columnar_engine.cc.

#include <functional>
#include <memory>
#include <string>
#include <utility>
#include <vector>

#include "bench_queries.h"
#include "core/result.h"
#include "event_source.h"
#include "store/event_store.h"

namespace cdp::bench {

// Opens (creating when missing) the store kept in `dir`.
using EventStoreOpener = std::function<Result<std::unique_ptr<EventStore>>(const std::string& dir)>;

// The columnar store's opener (without background merges).
EventStoreOpener ColumnarStoreOpener();

// Merges the columnar store's parts until no partition needs it (what
// ClickHouse's OPTIMIZE TABLE FINAL does); nothing for other stores.
struct CompactReport {
  int merges = 0;
  double seconds = 0;
};
Result<CompactReport> CompactStore(EventStore& store);

// Bytes each column of the columnar store in `dir` takes on disk (its blocks
// in every part), largest first; the rest of the part files (headers, footers
// with the block stats, trailers) as "(part overhead)".
Result<std::vector<std::pair<std::string, uint64_t>>> ColumnarBytesByColumn(const std::string& dir);

struct StoreLoadOptions {
  size_t append_events = 10'000;    // events per Append (as the loader reads the log)
  size_t flush_events = 1'000'000;  // Flush after this many, and at the end
};

// Appends every event of `reader` (source offsets: partition 0, the line
// count) and flushes.
Result<LoadReport> StoreLoad(EventStore& store, NdjsonEventReader& reader,
                             const StoreLoadOptions& options);

struct StoreQueryReport {
  CountByEvent a;
  FilteredSum b;
  QueryTiming a_timing;
  QueryTiming b_timing;
};
// Runs query (a) and query (b) `runs` times each, with Scan's `parallelism`.
Result<StoreQueryReport> StoreQuery(EventStore& store, const BenchQueries& queries, int runs,
                                    int parallelism);

}  // namespace cdp::bench
