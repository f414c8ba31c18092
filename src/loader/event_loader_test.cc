#include "loader/event_loader.h"

#include <gtest/gtest.h>

#include <future>
#include <random>
#include <set>
#include <thread>

#include "log/local/local_event_log.h"
#include "model/event_codec.h"
#include "store/columnar/columnar_event_store.h"
#include "store/columnar/io/posix_file_system.h"
#include "store/testing/random_events.h"
#include "support/temp_dir.h"

namespace cdp {
namespace {

class EventLoaderTest : public ::testing::Test {
 protected:
  void SetUp() override {
    OpenLog();
    OpenStore();
  }

  void OpenLog() {
    log_.reset();
    LocalEventLog::Options options;
    options.dir = dir_.path() + "/log";
    options.partitions = 3;
    log_ = LocalEventLog::Open(options).value();
  }

  void OpenStore() {
    store_.reset();
    columnar::ColumnarStoreOptions options;
    options.background_merges = false;
    store_ = columnar::ColumnarEventStore::Open(fs_, dir_.path() + "/store", options).value();
  }

  void AppendToLog(const std::vector<Event>& events) {
    std::vector<LogAppend> records;
    for (const Event& event : events) records.push_back({EventLogKey(event), EncodeEvent(event)});
    AppendRecords(std::move(records));
  }

  void AppendRecords(std::vector<LogAppend> records) {
    std::promise<Status> done;
    log_->Append(std::move(records),
                 [&](const Status& status, std::vector<LogPosition>) { done.set_value(status); });
    ASSERT_TRUE(done.get_future().get().ok());
  }

  // The message ids the store holds for a workspace (a multiset).
  std::multiset<std::string> StoredIds(const std::string& workspace) {
    ScanRequest request;
    request.workspace_id = workspace;
    request.from = FromUnixMicros(0);
    request.to = FromUnixMicros(int64_t{4'000'000'000} * 1'000'000);
    request.columns = {"message_id"};
    std::multiset<std::string> ids;
    const Status status = store_->Scan(request, 1, [&](int, const ScanBatch& batch) {
      const auto& column = std::get<StringColumn>(batch.columns[0]);
      for (const uint32_t row : batch.selection) {
        ids.emplace(column.dictionary[column.codes[row]]);
      }
      return Status::Ok();
    });
    EXPECT_TRUE(status.ok()) << status.ToString();
    return ids;
  }

  std::multiset<std::string> AllStoredIds() {
    std::multiset<std::string> ids = StoredIds("ws_a");
    ids.merge(StoredIds("ws_b"));
    return ids;
  }

  static std::multiset<std::string> IdsOf(const std::vector<Event>& events) {
    std::multiset<std::string> ids;
    for (const Event& event : events) ids.insert(event.message_id);
    return ids;
  }

  testing::TempDir dir_ = testing::TempDir::InMemory();
  columnar::PosixFileSystem fs_;
  std::unique_ptr<LocalEventLog> log_;
  std::unique_ptr<columnar::ColumnarEventStore> store_;
  std::mt19937_64 random_{42};
};

TEST_F(EventLoaderTest, LoadsEveryEventOnceAndResumesWhereTheStoreStopped) {
  const std::vector<Event> first = testing::RandomEvents(random_, 2000);
  AppendToLog(first);
  {
    EventLoader loader(*log_, *store_, {});
    EXPECT_EQ(loader.LoadAvailable().value(), 2000u);
    EXPECT_EQ(loader.LoadAvailable().value(), 0u);
  }
  EXPECT_EQ(AllStoredIds(), IdsOf(first));
  for (int partition = 0; partition < 3; ++partition) {
    EXPECT_EQ(store_->FlushedOffsets().value()[partition], log_->EndOffset(partition).value());
    EXPECT_EQ(log_->Committed("loader", partition).value(), log_->EndOffset(partition).value());
  }

  // A restart of everything, then more events: only those are loaded.
  OpenLog();
  OpenStore();
  const std::vector<Event> second = testing::RandomEvents(random_, 500);
  AppendToLog(second);
  EventLoader loader(*log_, *store_, {});
  EXPECT_EQ(loader.LoadAvailable().value(), 500u);
  std::multiset<std::string> all = IdsOf(first);
  all.merge(IdsOf(second));
  EXPECT_EQ(AllStoredIds(), all);
}

TEST_F(EventLoaderTest, TheStoreNotTheLogConsumerOffsetSaysWhereToResume) {
  const std::vector<Event> events = testing::RandomEvents(random_, 1000);
  AppendToLog(events);
  {
    EventLoader loader(*log_, *store_, {});
    ASSERT_EQ(loader.LoadAvailable().value(), 1000u);
  }
  // As if the process died after the store's flush and before the log's
  // consumer commit.
  for (int partition = 0; partition < 3; ++partition) {
    ASSERT_TRUE(log_->Commit("loader", partition, 0).ok());
  }
  EventLoader loader(*log_, *store_, {});
  EXPECT_EQ(loader.LoadAvailable().value(), 0u);
  EXPECT_EQ(AllStoredIds(), IdsOf(events));
}

TEST_F(EventLoaderTest, UnflushedEventsAreLoadedAgainAfterACrash) {
  const std::vector<Event> events = testing::RandomEvents(random_, 1000);
  AppendToLog(events);
  EventLoader::Options options;
  options.max_buffered_events = 1'000'000;
  // Appended to the store's buffer but never flushed: the store is dropped
  // without a flush, as a crash would.
  ASSERT_TRUE(
      store_->Append(std::vector<Event>(events.begin(), events.begin() + 10), {{0, 10}}).ok());
  OpenStore();
  EventLoader loader(*log_, *store_, options);
  EXPECT_EQ(loader.LoadAvailable().value(), 1000u);
  EXPECT_EQ(AllStoredIds(), IdsOf(events));
}

TEST_F(EventLoaderTest, RunningLoaderMakesNewEventsVisibleWithoutBeingAsked) {
  EventLoader::Options options;
  options.flush_interval = std::chrono::milliseconds(200);
  EventLoader loader(*log_, *store_, options);
  loader.Start();
  const std::vector<Event> events = testing::RandomEvents(random_, 300);
  AppendToLog(events);
  const auto start = std::chrono::steady_clock::now();
  while (AllStoredIds().size() < events.size() &&
         std::chrono::steady_clock::now() - start < std::chrono::seconds(30)) {
    std::this_thread::sleep_for(std::chrono::milliseconds(10));
  }
  EXPECT_EQ(AllStoredIds(), IdsOf(events));
  loader.Stop();
  EXPECT_EQ(loader.loaded(), 300u);
}

TEST_F(EventLoaderTest, StopLoadsWhatTheLogHoldsBeforeReturning) {
  EventLoader::Options options;
  options.poll_interval = std::chrono::hours(1);
  options.flush_interval = std::chrono::hours(1);
  EventLoader loader(*log_, *store_, options);
  loader.Start();
  const std::vector<Event> events = testing::RandomEvents(random_, 100);
  AppendToLog(events);
  loader.Stop();
  EXPECT_EQ(AllStoredIds(), IdsOf(events));
}

TEST_F(EventLoaderTest, AnUnreadableRecordStopsTheLoaderInsteadOfBeingSkipped) {
  const std::vector<Event> events = testing::RandomEvents(random_, 50);
  AppendToLog(events);
  AppendRecords({{"ws_a/x", "{\"v\":99}"}});
  AppendToLog(testing::RandomEvents(random_, 50));
  EventLoader loader(*log_, *store_, {});
  const Result<uint64_t> loaded = loader.LoadAvailable();
  ASSERT_FALSE(loaded.ok());
  EXPECT_NE(loaded.status().cause().find("cannot decode log record"), std::string::npos);
  // Nothing was flushed past it: the store still resumes before the record.
  EXPECT_TRUE(store_->FlushedOffsets().value().empty());
  EXPECT_TRUE(AllStoredIds().empty());
}

}  // namespace
}  // namespace cdp
