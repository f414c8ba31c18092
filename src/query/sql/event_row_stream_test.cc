#include "query/sql/event_row_stream.h"

#include <fmt/format.h>
#include <gtest/gtest.h>

#include <algorithm>
#include <atomic>
#include <random>
#include <thread>

#include "query/person_key.h"
#include "query/testing/random_persons.h"
#include "query/testing/static_person_directory.h"
#include "query/testing/test_event_store.h"
#include "store/testing/random_events.h"

namespace cdp::query {
namespace {

Status NeverInterrupted() { return Status::Ok(); }

ScanRequest AllOf(std::vector<std::string> columns) {
  ScanRequest request;
  request.from = TimePoint::min();
  request.to = TimePoint::max();
  request.columns = std::move(columns);
  return request;
}

// Every row comes through once, whatever the chunk size, with the values the
// sources ask for.
TEST(EventRowStreamTest, StreamsEveryRow) {
  std::mt19937_64 random(41);
  const std::vector<Event> events = cdp::testing::RandomEvents(random, 3000);
  query::testing::TestEventStore store(events, 3, 256);
  QueryContext context;
  context.workspace_id = "ws_a";
  // Persons resolved with some ids merged, once per dictionary entry.
  const query::testing::StaticPersonDirectory directory =
      query::testing::RandomPersonDirectory(random, events);
  const PersonMap& persons = *directory.Snapshot("ws_a");
  for (const size_t chunk_bytes : {size_t{1}, size_t{700}, size_t{1} << 20}) {
    SqlMemoryBudget budget(64 << 20);
    std::vector<std::string> rows;
    {
      EventRowStream stream(
          store.store(), context,
          AllOf({"message_id", "timestamp", "anonymous_id", "user_id", "properties.first_order"}),
          {{CellSource::Kind::kValue, 0},
           {CellSource::Kind::kTimestampMicros, 1},
           {CellSource::Kind::kPersonId, 2, 3, &persons},
           {CellSource::Kind::kValue, 1},
           {CellSource::Kind::kValue, 4}},
          &budget, {.queue_chunks = 2, .chunk_bytes = chunk_bytes});
      while (true) {
        Result<EventRowStream::Chunk> chunk = stream.Next(NeverInterrupted);
        ASSERT_TRUE(chunk.ok()) << chunk.status().ToString();
        if (chunk->rows == nullptr) break;
        EXPECT_GT(budget.used(), 0);
        const RowChunk& c = *chunk->rows;
        for (size_t row = 0; row < c.rows(); ++row) {
          const auto text = [&](size_t field) {
            const SqlCell& cell = c.cell(row, field);
            return cell.kind == SqlCell::Kind::kText ? std::string(c.Text(cell)) : "<null>";
          };
          ASSERT_EQ(c.cell(row, 1).kind, SqlCell::Kind::kInteger);
          ASSERT_EQ(c.cell(row, 3).kind, SqlCell::Kind::kTime);
          ASSERT_EQ(c.cell(row, 1).integer, c.cell(row, 3).integer);
          const SqlCell& flag = c.cell(row, 4);
          rows.push_back(fmt::format(
              "{} {} {} {}", text(0), c.cell(row, 1).integer, text(2),
              flag.kind == SqlCell::Kind::kNull ? std::string("-") : std::to_string(flag.integer)));
        }
      }
    }
    EXPECT_EQ(budget.used(), 0);  // every chunk's charge was released
    std::vector<std::string> expected;
    for (const Event& event : events) {
      if (event.workspace_id != "ws_a") continue;
      std::string flag = "-";
      for (const Property& property : event.properties) {
        if (property.name == "first_order" && std::holds_alternative<bool>(property.value)) {
          flag = std::get<bool>(property.value) ? "1" : "0";
        }
      }
      const PersonKey person = PersonOf(event, persons);
      expected.push_back(fmt::format("{} {} {} {}", event.message_id, UnixMicros(event.timestamp),
                                     person == 0 ? "<null>" : ProfileIdOf(person), flag));
    }
    std::sort(rows.begin(), rows.end());
    std::sort(expected.begin(), expected.end());
    EXPECT_EQ(rows, expected) << chunk_bytes;
  }
}

// A stream let go after one chunk stops its scan: the queue is bounded, so the
// scan cannot have read much further.
TEST(EventRowStreamTest, StopsWhenDestroyed) {
  std::mt19937_64 random(42);
  cdp::testing::RandomEventOptions options;
  options.workspaces = {"ws_a"};
  const std::vector<Event> events = cdp::testing::RandomEvents(random, 20'000, options);
  query::testing::TestEventStore store(events, 2, 256);
  QueryProgress progress;
  QueryContext context;
  context.workspace_id = "ws_a";
  context.progress = &progress;
  {
    EventRowStream stream(store.store(), context, AllOf({"message_id"}),
                          {{CellSource::Kind::kValue, 0}}, nullptr);
    Result<EventRowStream::Chunk> chunk = stream.Next(NeverInterrupted);
    ASSERT_TRUE(chunk.ok());
    ASSERT_NE(chunk->rows, nullptr);
  }
  EXPECT_LT(progress.scanned_rows(), 20'000u / 4);
}

TEST(EventRowStreamTest, ChunksCountAgainstTheBudget) {
  std::mt19937_64 random(43);
  const std::vector<Event> events = cdp::testing::RandomEvents(random, 500);
  query::testing::TestEventStore store(events);
  QueryContext context;
  context.workspace_id = "ws_a";
  SqlMemoryBudget budget(1024);
  EventRowStream stream(store.store(), context, AllOf({"message_id"}),
                        {{CellSource::Kind::kValue, 0}}, &budget);
  Result<EventRowStream::Chunk> chunk = stream.Next(NeverInterrupted);
  ASSERT_FALSE(chunk.ok());
  EXPECT_EQ(chunk.status().message(), budget.ExceededStatus().message());
  EXPECT_TRUE(budget.exceeded());
}

// A store whose scan produces nothing until released, or produces forever.
class ScriptedStore final : public EventStore {
 public:
  std::atomic<bool> release{false};
  std::atomic<bool> endless{false};
  std::atomic<int> batches{0};

  Status Append(std::span<const Event>, const SourceOffsets&) override { return Status::Ok(); }
  Status Flush() override { return Status::Ok(); }
  Result<SourceOffsets> FlushedOffsets() override { return SourceOffsets{}; }
  Status Scan(const ScanRequest&, int, const ScanConsumer& consume) override {
    const std::string_view dictionary[] = {"x"};
    const uint32_t codes[] = {0};
    const uint32_t selection[] = {0};
    const ColumnData columns[] = {StringColumn{dictionary, codes, NullMask()}};
    ScanBatch batch{1, selection, columns};
    while (endless) {
      ++batches;
      if (Status status = consume(0, batch); !status.ok()) return status;
    }
    while (!release) std::this_thread::sleep_for(std::chrono::milliseconds(1));
    return Status::Ok();
  }
  Result<std::vector<StoredColumn>> Columns(std::string_view) override {
    return std::vector<StoredColumn>{};
  }
  Result<StoreStats> Stats(std::string_view) override { return StoreStats{}; }
  Status DropBefore(std::string_view, TimePoint) override { return Status::Ok(); }
};

TEST(EventRowStreamTest, WaitingCanBeInterrupted) {
  ScriptedStore store;
  QueryContext context;
  context.workspace_id = "ws_a";
  EventRowStream stream(store, context, AllOf({"message_id"}), {{CellSource::Kind::kValue, 0}},
                        nullptr);
  int checks = 0;
  Result<EventRowStream::Chunk> chunk = stream.Next([&] {
    return ++checks < 3 ? Status::Ok() : Status::UnprocessableEntity("too slow", "query");
  });
  ASSERT_FALSE(chunk.ok());
  EXPECT_EQ(chunk.status().message(), "too slow");
  store.release = true;  // lets the destructor's join finish
}

TEST(EventRowStreamTest, AnEndlessScanStopsWithTheStream) {
  ScriptedStore store;
  store.endless = true;
  QueryContext context;
  context.workspace_id = "ws_a";
  {
    EventRowStream stream(store, context, AllOf({"message_id"}), {{CellSource::Kind::kValue, 0}},
                          nullptr, {.queue_chunks = 2, .chunk_bytes = 1});
    for (int i = 0; i < 10; ++i) {
      Result<EventRowStream::Chunk> chunk = stream.Next(NeverInterrupted);
      ASSERT_TRUE(chunk.ok());
      ASSERT_EQ(chunk->rows->rows(), 1u);
    }
  }
  // Ten read, two queued, one waiting to be queued.
  EXPECT_LE(store.batches.load(), 13);
}

}  // namespace
}  // namespace cdp::query
