#include "store/columnar/columnar_event_store.h"

#include <gtest/gtest.h>

#include <algorithm>
#include <map>
#include <random>

#include "store/columnar/io/fault_injecting_file_system.h"
#include "store/columnar/io/posix_file_system.h"
#include "store/event_columns.h"
#include "store/testing/random_events.h"
#include "support/temp_dir.h"

namespace cdp::columnar {
namespace {

using testing::RandomEvents;

// A scanned row: its message id and the value of each requested column.
using Row = std::vector<ScalarValue>;

ScalarValue ValueAt(const ColumnData& column, uint32_t row) {
  return std::visit(
      [&](const auto& data) -> ScalarValue {
        using T = std::decay_t<decltype(data)>;
        if constexpr (std::is_same_v<T, std::monostate>) {
          return std::monostate{};
        } else {
          if (data.nulls.IsNull(row)) return std::monostate{};
          if constexpr (std::is_same_v<T, StringColumn>) {
            return std::string(data.dictionary[data.codes[row]]);
          } else if constexpr (std::is_same_v<T, TimeColumn>) {
            return TimeValue{data.micros[row]};
          } else if constexpr (std::is_same_v<T, NumberColumn>) {
            return data.values[row];
          } else {
            return data.values[row] != 0;
          }
        }
      },
      column);
}

std::vector<std::string> AllColumns() {
  std::vector<std::string> columns = {"message_id"};
  for (const StoredColumn& column : FixedEventColumns()) {
    if (column.name != "message_id") columns.push_back(column.name);
  }
  for (std::string& column : testing::RandomEventColumns()) columns.push_back(std::move(column));
  return columns;
}

// Every row a scan returns, sorted (message ids are unique).
std::vector<Row> ScanRows(EventStore& store, const ScanRequest& request, int parallelism = 2) {
  std::vector<std::vector<Row>> per_worker(parallelism);
  const Status status = store.Scan(request, parallelism, [&](int worker, const ScanBatch& batch) {
    for (const uint32_t row : batch.selection) {
      Row& out = per_worker[worker].emplace_back();
      for (const ColumnData& column : batch.columns) out.push_back(ValueAt(column, row));
    }
    return Status::Ok();
  });
  EXPECT_TRUE(status.ok()) << status.ToString();
  std::vector<Row> rows;
  for (auto& worker : per_worker) rows.insert(rows.end(), worker.begin(), worker.end());
  std::sort(rows.begin(), rows.end(), [](const Row& a, const Row& b) {
    return std::get<std::string>(a[0]) < std::get<std::string>(b[0]);
  });
  return rows;
}

// What the scan must return: the naive filter over the events.
std::vector<Row> ReferenceRows(const std::vector<Event>& events, const ScanRequest& request) {
  std::vector<Row> rows;
  for (const Event& event : events) {
    if (event.workspace_id != request.workspace_id || event.timestamp < request.from ||
        event.timestamp >= request.to) {
      continue;
    }
    const bool match = std::all_of(
        request.predicates.begin(), request.predicates.end(), [&](const Predicate& predicate) {
          return SatisfiesPredicate(ColumnValueOf(event, predicate.column), predicate);
        });
    if (!match) continue;
    Row& row = rows.emplace_back();
    for (const std::string& column : request.columns) row.push_back(ColumnValueOf(event, column));
  }
  std::sort(rows.begin(), rows.end(), [](const Row& a, const Row& b) {
    return std::get<std::string>(a[0]) < std::get<std::string>(b[0]);
  });
  return rows;
}

// The first difference between two sorted row lists, or "" when equal.
std::string FirstDifference(const std::vector<Row>& actual, const std::vector<Row>& expected,
                            const std::vector<std::string>& columns) {
  if (actual.size() != expected.size()) {
    return "rows: " + std::to_string(actual.size()) + " instead of " +
           std::to_string(expected.size());
  }
  for (size_t row = 0; row < actual.size(); ++row) {
    for (size_t column = 0; column < columns.size(); ++column) {
      if (actual[row][column] != expected[row][column]) {
        return "row " + std::to_string(row) + " (" + std::get<std::string>(expected[row][0]) +
               ") differs in " + columns[column];
      }
    }
  }
  return "";
}

ScanRequest WholeWorkspace(std::string workspace) {
  ScanRequest request;
  request.workspace_id = std::move(workspace);
  request.from = FromUnixMicros(0);
  request.to = FromUnixMicros(int64_t{4'000'000'000} * 1'000'000);
  request.columns = AllColumns();
  return request;
}

class ColumnarEventStoreTest : public ::testing::Test {
 protected:
  ColumnarStoreOptions SmallBlocks() {
    ColumnarStoreOptions options;
    options.block_rows = 97;  // many blocks, and a short last one
    options.background_merges = false;
    return options;
  }

  std::unique_ptr<ColumnarEventStore> OpenStore(ColumnarStoreOptions options) {
    auto store = ColumnarEventStore::Open(fs_, dir_.path() + "/store", options);
    EXPECT_TRUE(store.ok()) << store.status().ToString();
    return store.ok() ? std::move(store).value() : nullptr;
  }

  void ExpectScansMatch(EventStore& store, const std::vector<Event>& events) {
    for (const char* workspace : {"ws_a", "ws_b"}) {
      const ScanRequest request = WholeWorkspace(workspace);
      const std::vector<Row> expected = ReferenceRows(events, request);
      ASSERT_FALSE(expected.empty());
      ASSERT_EQ(FirstDifference(ScanRows(store, request), expected, request.columns), "")
          << workspace;
    }
  }

  // The crashes are simulated by FaultInjectingFileSystem: real fsyncs would
  // only make the tests slow.
  cdp::testing::TempDir dir_ = cdp::testing::TempDir::InMemory();
  PosixFileSystem fs_;
};

TEST_F(ColumnarEventStoreTest, FlushedEventsScanBackWithEveryValue) {
  std::mt19937_64 random(1);
  testing::RandomEventOptions options;
  options.odd_type_rate = 0;
  const std::vector<Event> events = RandomEvents(random, 4000, options);
  auto store = OpenStore(SmallBlocks());
  ASSERT_TRUE(store->Append(events, {{0, 4000}}).ok());
  // Not visible before the flush.
  EXPECT_TRUE(ScanRows(*store, WholeWorkspace("ws_a")).empty());
  ASSERT_TRUE(store->Flush().ok());
  ExpectScansMatch(*store, events);
  EXPECT_EQ(store->FlushedOffsets().value(), (SourceOffsets{{0, 4000}}));

  // And after a restart.
  store.reset();
  store = OpenStore(SmallBlocks());
  ExpectScansMatch(*store, events);
  EXPECT_EQ(store->FlushedOffsets().value(), (SourceOffsets{{0, 4000}}));
  const StoreStats stats = store->Stats("ws_a").value();
  EXPECT_EQ(stats.partitions, 5u);  // five days
  EXPECT_EQ(stats.parts, 5u);
  EXPECT_GT(stats.bytes_on_disk, 0u);
}

TEST_F(ColumnarEventStoreTest, ScansWithPredicatesAndRangesMatchTheNaiveFilter) {
  std::mt19937_64 random(2);
  const std::vector<Event> events = RandomEvents(random, 5000);
  auto store = OpenStore(SmallBlocks());
  // Several flushes: several parts per partition.
  for (size_t start = 0; start < events.size(); start += 1000) {
    const std::span<const Event> slice(events.data() + start, 1000);
    ASSERT_TRUE(store->Append(slice, {}).ok());
    ASSERT_TRUE(store->Flush().ok());
  }
  const std::vector<std::string> columns = AllColumns();
  const auto random_value = [&](const std::string& column) -> ScalarValue {
    // A value some event has in that column (or a miss now and then).
    for (int attempt = 0; attempt < 20; ++attempt) {
      ScalarValue value = ColumnValueOf(events[random() % events.size()], column);
      if (!std::holds_alternative<std::monostate>(value)) return value;
    }
    return std::string("nothing");
  };
  for (int round = 0; round < 150; ++round) {
    ScanRequest request = WholeWorkspace(random() % 2 ? "ws_a" : "ws_b");
    const int64_t start = UnixMicros(testing::RandomEventOptions().from);
    request.from = FromUnixMicros(start + int64_t(random() % 6) * 43'200'000'000 - 1);
    request.to = request.from + std::chrono::hours(1 + random() % 72);
    for (size_t i = random() % 3; i > 0; --i) {
      Predicate predicate;
      predicate.column = columns[random() % columns.size()];
      predicate.op = static_cast<CompareOp>(random() % (int(CompareOp::kNotRegex) + 1));
      if (predicate.op == CompareOp::kRegex || predicate.op == CompareOp::kNotRegex) {
        predicate = *RegexPredicate(predicate.column, random() % 2 ? "^[a-m]" : "o",
                                    predicate.op == CompareOp::kNotRegex, "filter");
      } else {
        predicate.values.push_back(random_value(predicate.column));
      }
      if (predicate.op == CompareOp::kIn)
        predicate.values.push_back(random_value(predicate.column));
      request.predicates.push_back(std::move(predicate));
    }
    ASSERT_EQ(FirstDifference(ScanRows(*store, request, 1 + round % 3),
                              ReferenceRows(events, request), request.columns),
              "")
        << "round " << round;
  }
}

TEST_F(ColumnarEventStoreTest, MergesKeepEveryRowOnceAndSurviveRestarts) {
  std::mt19937_64 random(3);
  const std::vector<Event> events = RandomEvents(random, 3000);
  auto store = OpenStore(SmallBlocks());
  for (size_t start = 0; start < events.size(); start += 500) {
    ASSERT_TRUE(store->Append(std::span(events.data() + start, 500), {}).ok());
    ASSERT_TRUE(store->Flush().ok());
  }
  EXPECT_EQ(store->PartCount(), 6u * 5u * 2u);  // 6 flushes x 5 days x 2 workspaces
  size_t merges = 0;
  while (store->MergeOnce().value()) ++merges;
  EXPECT_EQ(store->PartCount(), 10u);  // one part per partition
  EXPECT_EQ(merges, 10u);
  ExpectScansMatch(*store, events);
  store.reset();
  store = OpenStore(SmallBlocks());
  EXPECT_EQ(store->PartCount(), 10u);
  ExpectScansMatch(*store, events);
}

// Size-tiered merges: a large part is merged again only once the small parts
// after it add up to its size, so a row is not rewritten at every flush.
TEST_F(ColumnarEventStoreTest, TieredMergesLeaveALargePartAloneUntilTheSmallOnesCatchUp) {
  std::mt19937_64 random(10);
  testing::RandomEventOptions options;
  options.workspaces = {"ws_a"};
  options.days = 1;
  const std::vector<Event> events = RandomEvents(random, 1600, options);
  ColumnarStoreOptions store_options = SmallBlocks();
  store_options.merge_min_parts = 2;
  auto store = OpenStore(store_options);
  const auto flush = [&](size_t start, size_t count) {
    ASSERT_TRUE(store->Append(std::span(events.data() + start, count), {}).ok());
    ASSERT_TRUE(store->Flush().ok());
  };
  flush(0, 800);
  flush(800, 200);
  flush(1000, 200);
  // 800 + 200 + 200: the large part is more than the others together; the
  // two small ones merge.
  EXPECT_TRUE(store->MergeOnce().value());
  EXPECT_EQ(store->PartCount(), 2u);
  EXPECT_FALSE(store->MergeOnce().value());  // 800 + 400
  flush(1200, 400);
  EXPECT_TRUE(store->MergeOnce().value());  // 800 + 400 + 400
  EXPECT_EQ(store->PartCount(), 1u);
  flush(1600 - 1, 1);
  EXPECT_FALSE(store->MergeOnce().value());
  // Everything, when asked.
  EXPECT_TRUE(store->MergeOnce(ColumnarEventStore::MergePolicy::kEverything).value());
  EXPECT_EQ(store->PartCount(), 1u);
  std::vector<Event> stored(events.begin(), events.end());
  stored.push_back(events.back());  // flushed twice: stored twice (the store does not dedup)
  const ScanRequest request = WholeWorkspace("ws_a");
  EXPECT_EQ(ScanRows(*store, request).size(), stored.size());
}

TEST_F(ColumnarEventStoreTest, StartUpRemovesDebrisOfUncommittedFlushesAndMerges) {
  std::mt19937_64 random(4);
  testing::RandomEventOptions options;
  options.workspaces = {"ws_a"};
  options.days = 1;
  const std::vector<Event> events = RandomEvents(random, 1000, options);
  ColumnarStoreOptions store_options = SmallBlocks();
  store_options.merge_min_parts = 2;
  auto store = OpenStore(store_options);
  ASSERT_TRUE(store->Append(std::span(events.data(), 500), {{0, 500}}).ok());
  ASSERT_TRUE(store->Flush().ok());
  ASSERT_TRUE(store->Append(std::span(events.data() + 500, 500), {{0, 1000}}).ok());
  ASSERT_TRUE(store->Flush().ok());
  const std::string partition = dir_.path() + "/store/parts/ws_a/20260101";
  const auto files = [&] { return fs_.ListDirectory(partition).value(); };
  ASSERT_EQ(files(), (std::vector<std::string>{"1_1_0.part", "2_2_0.part"}));

  // Keep copies of the merge's inputs, merge, and put the inputs back: as if
  // the process died before removing them.
  const auto copy = [&](const std::string& from, const std::string& to) {
    auto mapped = fs_.Map(from).value();
    auto file = fs_.NewWritableFile(to).value();
    ASSERT_TRUE(file->Append(mapped->data()).ok());
    ASSERT_TRUE(file->Close().ok());
  };
  copy(partition + "/1_1_0.part", dir_.path() + "/a");
  copy(partition + "/2_2_0.part", dir_.path() + "/b");
  ASSERT_TRUE(store->MergeOnce().value());
  store.reset();
  ASSERT_EQ(files(), (std::vector<std::string>{"1_2_1.part"}));
  copy(dir_.path() + "/a", partition + "/1_1_0.part");
  copy(dir_.path() + "/b", partition + "/2_2_0.part");
  // And a part of a flush that never committed, and a temporary file.
  copy(dir_.path() + "/a", partition + "/3_3_0.part");
  copy(dir_.path() + "/a", partition + "/tmp_4_4_0.part");

  store = OpenStore(SmallBlocks());
  EXPECT_EQ(files(), (std::vector<std::string>{"1_2_1.part"}));
  const ScanRequest request = WholeWorkspace("ws_a");
  EXPECT_EQ(
      FirstDifference(ScanRows(*store, request), ReferenceRows(events, request), request.columns),
      "");
  EXPECT_EQ(store->FlushedOffsets().value(), (SourceOffsets{{0, 1000}}));
}

TEST_F(ColumnarEventStoreTest, DropBeforeRemovesWholeDays) {
  std::mt19937_64 random(5);
  const std::vector<Event> events = RandomEvents(random, 2000);
  auto store = OpenStore(SmallBlocks());
  ASSERT_TRUE(store->Append(events, {}).ok());
  ASSERT_TRUE(store->Flush().ok());
  const TimePoint day3 = testing::RandomEventOptions().from + std::chrono::hours(48);
  // Mid-day: that day is kept whole.
  ASSERT_TRUE(store->DropBefore("ws_a", day3 + std::chrono::hours(5)).ok());
  std::vector<Event> kept;
  for (const Event& event : events) {
    if (event.workspace_id != "ws_a" || event.timestamp >= day3) kept.push_back(event);
  }
  ExpectScansMatch(*store, kept);
  EXPECT_EQ(store->Stats("ws_a").value().partitions, 3u);
  EXPECT_EQ(store->Stats("ws_b").value().partitions, 5u);
  store.reset();
  store = OpenStore(SmallBlocks());
  ExpectScansMatch(*store, kept);
}

TEST_F(ColumnarEventStoreTest, ColumnsListFixedThenPropertyColumnsWithKinds) {
  std::mt19937_64 random(6);
  testing::RandomEventOptions options;
  options.odd_type_rate = 0;
  auto store = OpenStore(SmallBlocks());
  ASSERT_TRUE(store->Append(RandomEvents(random, 2000, options), {}).ok());
  ASSERT_TRUE(store->Flush().ok());
  const std::vector<StoredColumn> columns = store->Columns("ws_a").value();
  ASSERT_GE(columns.size(), FixedEventColumns().size());
  EXPECT_TRUE(std::equal(FixedEventColumns().begin(), FixedEventColumns().end(), columns.begin()));
  const auto kind_of = [&](std::string_view name) -> std::optional<ColumnKind> {
    for (const StoredColumn& column : columns) {
      if (column.name == name) return column.kind;
    }
    return std::nullopt;
  };
  EXPECT_EQ(kind_of("properties.price"), ColumnKind::kNumber);
  EXPECT_EQ(kind_of("properties.plan"), ColumnKind::kString);
  EXPECT_EQ(kind_of("properties.first_order"), ColumnKind::kBoolean);
  EXPECT_EQ(kind_of("properties.shipped_at"), ColumnKind::kTime);
  EXPECT_EQ(kind_of("traits_set_once.first_seen"), ColumnKind::kTime);
  EXPECT_TRUE(store->Columns("ws_nobody").value().size() == FixedEventColumns().size());
}

// A crash at every point of a flush: after restart the store holds either
// none or all of the flush's events, and offsets that say which.
TEST_F(ColumnarEventStoreTest, CrashAtAnyPointOfAFlushLosesOrKeepsItWhole) {
  std::mt19937_64 random(7);
  testing::RandomEventOptions options;
  options.workspaces = {"ws_a"};
  options.days = 2;
  const std::vector<Event> events = RandomEvents(random, 600, options);
  // Few blocks, few operations to cut between: every one of them is tried.
  ColumnarStoreOptions store_options = SmallBlocks();
  store_options.block_rows = 1000;
  const std::span<const Event> first(events.data(), 300);
  const std::span<const Event> second(events.data() + 300, 300);
  for (uint64_t halt_after = 0;; ++halt_after) {
    SCOPED_TRACE(halt_after);
    const std::string root = dir_.path() + "/crash" + std::to_string(halt_after);
    FaultInjectingFileSystem faulty(fs_);
    {
      auto store = ColumnarEventStore::Open(faulty, root, store_options).value();
      ASSERT_TRUE(store->Append(first, {{0, 300}}).ok());
      ASSERT_TRUE(store->Flush().ok());
      ASSERT_TRUE(store->Append(second, {{0, 600}}).ok());
      faulty.HaltAfter(halt_after);
      const Status flushed = store->Flush();
      if (flushed.ok() && !faulty.halted()) {
        // The flush finished before the halt: every point was covered.
        ASSERT_GT(halt_after, 3u);
        break;
      }
    }
    ASSERT_TRUE(faulty.SimulateCrash(FaultInjectingFileSystem::CrashMode::kUndoUnsyncedNames).ok());
    auto store = ColumnarEventStore::Open(fs_, root, store_options).value();
    const SourceOffsets offsets = store->FlushedOffsets().value();
    ASSERT_EQ(offsets.size(), 1u);
    const size_t loaded = offsets.at(0);
    ASSERT_TRUE(loaded == 300 || loaded == 600) << loaded;
    const std::vector<Event> expected(events.begin(), events.begin() + loaded);
    for (const char* workspace : {"ws_a", "ws_b"}) {
      const ScanRequest request = WholeWorkspace(workspace);
      ASSERT_EQ(FirstDifference(ScanRows(*store, request), ReferenceRows(expected, request),
                                request.columns),
                "");
    }
  }
}

// A crash at every point of a merge: after restart every row is there once,
// from the inputs or from the merged part.
TEST_F(ColumnarEventStoreTest, CrashAtAnyPointOfAMergeKeepsEveryRowOnce) {
  std::mt19937_64 random(9);
  testing::RandomEventOptions options;
  options.workspaces = {"ws_a"};
  options.days = 1;
  const std::vector<Event> events = RandomEvents(random, 600, options);
  ColumnarStoreOptions store_options = SmallBlocks();
  store_options.block_rows = 1000;
  store_options.merge_min_parts = 2;
  for (uint64_t halt_after = 0;; ++halt_after) {
    SCOPED_TRACE(halt_after);
    const std::string root = dir_.path() + "/merge" + std::to_string(halt_after);
    FaultInjectingFileSystem faulty(fs_);
    {
      auto store = ColumnarEventStore::Open(faulty, root, store_options).value();
      for (size_t start = 0; start < events.size(); start += 200) {
        ASSERT_TRUE(store->Append(std::span(events.data() + start, 200), {}).ok());
        ASSERT_TRUE(store->Flush().ok());
      }
      faulty.HaltAfter(halt_after);
      const Result<bool> merged = store->MergeOnce();
      if (merged.ok() && !faulty.halted()) {
        ASSERT_TRUE(*merged);
        ASSERT_GT(halt_after, 3u);
        break;
      }
    }
    ASSERT_TRUE(faulty.SimulateCrash(FaultInjectingFileSystem::CrashMode::kUndoUnsyncedNames).ok());
    auto store = ColumnarEventStore::Open(fs_, root, store_options).value();
    const ScanRequest request = WholeWorkspace("ws_a");
    ASSERT_EQ(
        FirstDifference(ScanRows(*store, request), ReferenceRows(events, request), request.columns),
        "");
  }
}

// A flush that fails (disk full, failing writes) changes nothing visible, and
// a retry stores everything exactly once.
TEST_F(ColumnarEventStoreTest, FailedFlushesCanBeRetried) {
  std::mt19937_64 random(8);
  const std::vector<Event> events = RandomEvents(random, 800);
  FaultInjectingFileSystem faulty(fs_);
  auto store = ColumnarEventStore::Open(faulty, dir_.path() + "/store", SmallBlocks()).value();
  ASSERT_TRUE(store->Append(std::span(events.data(), 400), {{0, 400}}).ok());
  ASSERT_TRUE(store->Flush().ok());
  ASSERT_TRUE(store->Append(std::span(events.data() + 400, 400), {{0, 800}}).ok());
  for (uint64_t budget : {0u, 100u, 5000u, 20000u}) {
    faulty.LimitAppendedBytes(budget, ENOSPC);
    EXPECT_FALSE(store->Flush().ok());
    faulty.ClearFaults();
    const std::vector<Event> visible(events.begin(), events.begin() + 400);
    ExpectScansMatch(*store, visible);
    EXPECT_EQ(store->FlushedOffsets().value(), (SourceOffsets{{0, 400}}));
  }
  ASSERT_TRUE(store->Flush().ok());
  ExpectScansMatch(*store, events);
  store.reset();
  store = ColumnarEventStore::Open(fs_, dir_.path() + "/store", SmallBlocks()).value();
  ExpectScansMatch(*store, events);
  EXPECT_EQ(store->FlushedOffsets().value(), (SourceOffsets{{0, 800}}));
}

}  // namespace
}  // namespace cdp::columnar
