#include "log/local/local_event_log.h"

#include <fcntl.h>
#include <gtest/gtest.h>
#include <unistd.h>

#include <filesystem>
#include <fstream>
#include <future>
#include <set>
#include <thread>

#include "support/temp_dir.h"

namespace cdp {
namespace {

namespace fs = std::filesystem;

class LocalEventLogTest : public ::testing::Test {
 protected:
  std::unique_ptr<LocalEventLog> OpenLog(int partitions = 4, uint64_t segment_bytes = 64 << 20) {
    auto log = LocalEventLog::Open({dir_.File("log"), partitions, segment_bytes});
    EXPECT_TRUE(log.ok()) << log.status().ToString();
    return log.ok() ? std::move(log).value() : nullptr;
  }

  // Appends and waits for durability.
  static std::vector<LogPosition> AppendAndWait(EventLog& log, std::vector<LogAppend> records) {
    std::promise<std::pair<Status, std::vector<LogPosition>>> done;
    log.Append(std::move(records), [&done](const Status& status, std::vector<LogPosition> p) {
      done.set_value({status, std::move(p)});
    });
    auto [status, positions] = done.get_future().get();
    EXPECT_TRUE(status.ok()) << status.ToString();
    return positions;
  }

  static std::vector<LogRecord> ReadAll(EventLog& log, int partition, uint64_t from = 0) {
    std::vector<LogRecord> all;
    while (true) {
      auto batch = log.Read(partition, from, 1 << 20);
      EXPECT_TRUE(batch.ok()) << batch.status().ToString();
      if (!batch.ok() || batch->records.empty()) return all;
      for (auto& record : batch->records) all.push_back(std::move(record));
      from = batch->next_offset;
    }
  }

  std::string NewestSegmentOf(int partition) {
    std::vector<std::string> files;
    for (const auto& entry :
         fs::directory_iterator(dir_.File("log") + "/p000" + std::to_string(partition))) {
      files.push_back(entry.path().string());
    }
    std::sort(files.begin(), files.end());
    return files.back();
  }

  testing::TempDir dir_;
};

TEST_F(LocalEventLogTest, AppendsAreReadBackInOrderWithConsecutiveOffsets) {
  auto log = OpenLog(1);
  std::vector<LogAppend> records;
  for (int i = 0; i < 100; ++i)
    records.push_back({"k" + std::to_string(i), "payload " + std::to_string(i)});
  const auto positions = AppendAndWait(*log, records);
  ASSERT_EQ(positions.size(), 100u);
  for (int i = 0; i < 100; ++i) EXPECT_EQ(positions[i].offset, static_cast<uint64_t>(i));
  const auto read = ReadAll(*log, 0);
  ASSERT_EQ(read.size(), 100u);
  for (int i = 0; i < 100; ++i) {
    EXPECT_EQ(read[i].offset, static_cast<uint64_t>(i));
    EXPECT_EQ(read[i].key, "k" + std::to_string(i));
    EXPECT_EQ(read[i].payload, "payload " + std::to_string(i));
  }
  EXPECT_EQ(*log->EndOffset(0), 100u);
}

TEST_F(LocalEventLogTest, OneKeyAlwaysLandsInOnePartitionInOrder) {
  auto log = OpenLog(8);
  for (int round = 0; round < 20; ++round) {
    AppendAndWait(*log, {{"person-a", "a" + std::to_string(round)},
                         {"person-b", "b" + std::to_string(round)}});
  }
  const int partition_a = PartitionOfKey("person-a", 8);
  std::vector<std::string> seen;
  for (const auto& record : ReadAll(*log, partition_a)) {
    if (record.key == "person-a") seen.push_back(record.payload);
  }
  ASSERT_EQ(seen.size(), 20u);
  for (int round = 0; round < 20; ++round) EXPECT_EQ(seen[round], "a" + std::to_string(round));
}

TEST_F(LocalEventLogTest, AcknowledgedRecordsSurviveReopening) {
  {
    auto log = OpenLog();
    for (int i = 0; i < 50; ++i) AppendAndWait(*log, {{"key" + std::to_string(i), "v"}});
  }
  auto reopened = OpenLog();
  size_t total = 0;
  for (int p = 0; p < 4; ++p) total += ReadAll(*reopened, p).size();
  EXPECT_EQ(total, 50u);
  // Offsets continue where they stopped.
  const auto positions = AppendAndWait(*reopened, {{"key0", "after"}});
  const int p = positions[0].partition;
  EXPECT_EQ(positions[0].offset, ReadAll(*reopened, p).size() - 1);
}

TEST_F(LocalEventLogTest, ConcurrentAppendersGetUniqueOffsetsAndEverythingIsKept) {
  auto log = OpenLog(4);
  constexpr int kThreads = 4;
  constexpr int kAppendsPerThread = 500;
  std::vector<std::thread> threads;
  std::mutex mu;
  std::set<std::pair<int, uint64_t>> positions;
  for (int t = 0; t < kThreads; ++t) {
    threads.emplace_back([&, t] {
      for (int i = 0; i < kAppendsPerThread; ++i) {
        const std::string key = "t" + std::to_string(t) + "-" + std::to_string(i % 17);
        for (const auto& position : AppendAndWait(*log, {{key, std::to_string(i)}, {key, "x"}})) {
          std::lock_guard lock(mu);
          EXPECT_TRUE(positions.insert({position.partition, position.offset}).second);
        }
      }
    });
  }
  for (auto& thread : threads) thread.join();
  EXPECT_EQ(positions.size(), static_cast<size_t>(kThreads * kAppendsPerThread * 2));
  size_t total = 0;
  for (int p = 0; p < 4; ++p) total += ReadAll(*log, p).size();
  EXPECT_EQ(total, positions.size());
}

TEST_F(LocalEventLogTest, SegmentsRollAndReadsCrossThem) {
  auto log = OpenLog(1, /*segment_bytes=*/4096);
  for (int i = 0; i < 200; ++i) AppendAndWait(*log, {{"k", std::string(100, 'a' + i % 26)}});
  EXPECT_GT(log->SegmentCount(0), 3u);
  const auto read = ReadAll(*log, 0, 37);
  ASSERT_EQ(read.size(), 163u);
  EXPECT_EQ(read.front().offset, 37u);
  EXPECT_EQ(read.back().offset, 199u);
  auto reopened = (log.reset(), OpenLog(1, 4096));
  EXPECT_EQ(ReadAll(*reopened, 0).size(), 200u);
}

TEST_F(LocalEventLogTest, ReadHonoursMaxBytesButReturnsAtLeastOneRecord) {
  auto log = OpenLog(1);
  for (int i = 0; i < 10; ++i) AppendAndWait(*log, {{"k", std::string(1000, 'x')}});
  auto small = log->Read(0, 0, 2500);
  ASSERT_TRUE(small.ok());
  EXPECT_EQ(small->records.size(), 3u);
  EXPECT_EQ(small->next_offset, 3u);
  auto tiny = log->Read(0, 5, 1);
  ASSERT_TRUE(tiny.ok());
  ASSERT_EQ(tiny->records.size(), 1u);
  EXPECT_EQ(tiny->records[0].offset, 5u);
  auto past_end = log->Read(0, 10, 1000);
  ASSERT_TRUE(past_end.ok());
  EXPECT_TRUE(past_end->records.empty());
  EXPECT_EQ(past_end->next_offset, 10u);
}

TEST_F(LocalEventLogTest, TornTailIsCutOffAndWritingContinues) {
  {
    auto log = OpenLog(1);
    for (int i = 0; i < 10; ++i) AppendAndWait(*log, {{"k", "record " + std::to_string(i)}});
  }
  // A crash in the middle of a write: half a record at the end of the file.
  const std::string segment = NewestSegmentOf(0);
  const auto intact_size = fs::file_size(segment);
  {
    std::ofstream out(segment, std::ios::app | std::ios::binary);
    out << std::string("\x40\x00\x00\x00\x12\x34", 6) << "partial record";
  }
  auto log = OpenLog(1);
  EXPECT_EQ(fs::file_size(segment), intact_size);
  EXPECT_EQ(*log->EndOffset(0), 10u);
  const auto positions = AppendAndWait(*log, {{"k", "after the crash"}});
  EXPECT_EQ(positions[0].offset, 10u);
  const auto read = ReadAll(*log, 0);
  ASSERT_EQ(read.size(), 11u);
  EXPECT_EQ(read[9].payload, "record 9");
  EXPECT_EQ(read[10].payload, "after the crash");
}

TEST_F(LocalEventLogTest, GarbageTailAfterValidRecordsIsCutOff) {
  {
    auto log = OpenLog(1);
    AppendAndWait(*log, {{"k", "one"}, {"k", "two"}});
  }
  const std::string segment = NewestSegmentOf(0);
  {
    std::ofstream out(segment, std::ios::app | std::ios::binary);
    out << std::string(100, '\xff');
  }
  auto log = OpenLog(1);
  EXPECT_EQ(ReadAll(*log, 0).size(), 2u);
}

TEST_F(LocalEventLogTest, CorruptionInAnOlderSegmentRefusesToOpen) {
  {
    auto log = OpenLog(1, 1024);
    for (int i = 0; i < 50; ++i) AppendAndWait(*log, {{"k", std::string(100, 'z')}});
  }
  std::vector<std::string> files;
  for (const auto& entry : fs::directory_iterator(dir_.File("log") + "/p0000")) {
    files.push_back(entry.path().string());
  }
  std::sort(files.begin(), files.end());
  ASSERT_GT(files.size(), 2u);
  {
    const int fd = ::open(files[0].c_str(), O_WRONLY);
    ASSERT_GE(fd, 0);
    ASSERT_EQ(::pwrite(fd, "XXXX", 4, 30), 4);
    ::close(fd);
  }
  auto log = LocalEventLog::Open({dir_.File("log"), 1, 1024});
  ASSERT_FALSE(log.ok());
  EXPECT_NE(log.status().cause().find("corrupt"), std::string::npos) << log.status().ToString();
}

TEST_F(LocalEventLogTest, PartitionCountIsFixedAtCreation) {
  OpenLog(4).reset();
  auto other = LocalEventLog::Open({dir_.File("log"), 8, 64 << 20});
  ASSERT_FALSE(other.ok());
  EXPECT_EQ(other.status().field(), "partitions");
}

TEST_F(LocalEventLogTest, ConsumerOffsetsPersist) {
  {
    auto log = OpenLog(2);
    AppendAndWait(*log, {{"a", "1"}, {"b", "2"}, {"c", "3"}});
    EXPECT_EQ(*log->Committed("loader", 0), 0u);
    const uint64_t end0 = *log->EndOffset(0);
    ASSERT_TRUE(log->Commit("loader", 0, end0).ok());
    EXPECT_EQ(*log->Committed("loader", 0), end0);
    EXPECT_FALSE(log->Commit("loader", 0, end0 + 1).ok());  // past the end
    EXPECT_EQ(log->Commit("../etc", 0, 0).field(), "consumer");
    EXPECT_EQ(log->Commit("loader", 5, 0).field(), "partition");
  }
  auto log = OpenLog(2);
  EXPECT_EQ(*log->Committed("loader", 0), *log->EndOffset(0));
  EXPECT_EQ(*log->Committed("loader", 1), 0u);
  EXPECT_EQ(*log->Committed("someone-else", 0), 0u);
}

TEST_F(LocalEventLogTest, SegmentsEveryConsumerCommittedAreDeleted) {
  auto log = OpenLog(1, 1024);
  for (int i = 0; i < 100; ++i) AppendAndWait(*log, {{"k", std::string(100, 'r')}});
  const size_t segments = log->SegmentCount(0);
  ASSERT_GT(segments, 5u);

  // Retention counts the consumers that have committed at least once.
  ASSERT_TRUE(log->Commit("exporter", 0, 10).ok());
  ASSERT_TRUE(log->Commit("loader", 0, 100).ok());
  // The slower consumer holds the segments it has not finished.
  const size_t after_partial = log->SegmentCount(0);
  EXPECT_LT(after_partial, segments);
  EXPECT_GT(after_partial, 1u);
  EXPECT_EQ(ReadAll(*log, 0, 10).front().offset, 10u);

  ASSERT_TRUE(log->Commit("exporter", 0, 100).ok());
  EXPECT_EQ(log->SegmentCount(0), 1u);  // the active segment always stays
  // A reader from 0 starts at the oldest kept record, past the deleted ones.
  const auto kept = ReadAll(*log, 0, 0);
  ASSERT_FALSE(kept.empty());
  EXPECT_GT(kept.front().offset, 10u);
  const auto positions = AppendAndWait(*log, {{"k", "new"}});
  EXPECT_EQ(positions[0].offset, 100u);
  EXPECT_EQ(ReadAll(*log, 0, 0).back().payload, "new");
}

TEST_F(LocalEventLogTest, ConsumedSegmentsStayForTheMinimumRetention) {
  auto log = LocalEventLog::Open({dir_.File("log"), 1, 1024, std::chrono::hours(24)});
  ASSERT_TRUE(log.ok());
  for (int i = 0; i < 100; ++i) AppendAndWait(**log, {{"k", std::string(100, 'r')}});
  const size_t segments = (*log)->SegmentCount(0);
  ASSERT_GT(segments, 5u);
  ASSERT_TRUE((*log)->Commit("loader", 0, 100).ok());
  EXPECT_EQ((*log)->SegmentCount(0), segments);  // consumed, but written just now

  // Age every segment but the newest two by 25 hours: those go, the rest stay.
  std::vector<std::string> files;
  for (const auto& entry : fs::directory_iterator(dir_.File("log") + "/p0000")) {
    files.push_back(entry.path().string());
  }
  std::sort(files.begin(), files.end());
  for (size_t i = 0; i + 2 < files.size(); ++i) {
    fs::last_write_time(files[i], fs::file_time_type::clock::now() - std::chrono::hours(25));
  }
  (*log)->ApplyRetention();
  EXPECT_EQ((*log)->SegmentCount(0), 2u);
  EXPECT_EQ(ReadAll(**log, 0).back().offset, 99u);
}

TEST_F(LocalEventLogTest, OversizedRecordIsRefused) {
  auto log = OpenLog(1);
  std::promise<Status> done;
  log->Append({{"k", std::string((64 << 20) + 1, 'x')}},
              [&done](const Status& status, std::vector<LogPosition>) { done.set_value(status); });
  const Status status = done.get_future().get();
  EXPECT_EQ(status.code(), ErrorCode::kPayloadTooLarge);
  EXPECT_EQ(*log->EndOffset(0), 0u);
}

}  // namespace
}  // namespace cdp
