#pragma once

#include <cstdint>
#include <functional>
#include <string>
#include <string_view>
#include <utility>
#include <vector>

#include "core/result.h"

namespace cdp {

// One record to append. Records with the same key go to the same partition
// and keep the order in which they were appended.
struct LogAppend {
  std::string key;
  std::string payload;
};

// Where an appended record landed.
struct LogPosition {
  int partition = 0;
  uint64_t offset = 0;
};

struct LogRecord {
  uint64_t offset = 0;
  std::string key;
  std::string payload;
};

struct LogReadBatch {
  std::vector<LogRecord> records;
  uint64_t next_offset = 0;  // where the next read of this partition starts
};

// The durable buffer between ingestion and the event store (ARCHITECTURE.md):
// partitioned, append-only, with per-consumer committed offsets.
// Thread safety: every method may be called from any thread.
class EventLog {
 public:
  using AppendDone = std::function<void(const Status& status, std::vector<LogPosition> positions)>;

  EventLog() = default;
  EventLog(const EventLog&) = delete;
  EventLog& operator=(const EventLog&) = delete;
  virtual ~EventLog() = default;

  virtual int partition_count() const = 0;

  // Appends `records` and calls `done` once they are durable (positions in
  // the order of `records`) or once the append failed (nothing of it is then
  // visible to readers). `done` runs on a thread of the log: it must be
  // quick and must not call Append synchronously waiting for itself.
  virtual void Append(std::vector<LogAppend> records, AppendDone done) = 0;

  // Reads durable records of `partition` from `from_offset` on, up to about
  // `max_bytes` of payload (at least one record when there is one).
  virtual Result<LogReadBatch> Read(int partition, uint64_t from_offset, size_t max_bytes) = 0;
  // The offset the next record of `partition` will get.
  virtual Result<uint64_t> EndOffset(int partition) = 0;

  // A consumer's progress: the first offset it has not yet processed.
  virtual Status Commit(std::string_view consumer, int partition, uint64_t next_offset) = 0;
  // 0 for a consumer that never committed.
  virtual Result<uint64_t> Committed(std::string_view consumer, int partition) = 0;
};

// The partition of a key: a stable hash (the same across runs and machines).
int PartitionOfKey(std::string_view key, int partition_count);

// Where a consumer whose sink records its own progress (the event store, the
// identity store) resumes: the next offset of every partition, from the
// (partition, next offset) pairs the sink holds (0 where it holds none). The
// consumer is committed there at once, so that the log keeps everything the
// sink has not consumed yet even before its first batch. Internal error,
// naming `sink`, when the sink names a partition the log does not have.
Result<std::vector<uint64_t>> ResumeConsumer(EventLog& log, std::string_view consumer,
                                             const std::vector<std::pair<int, uint64_t>>& consumed,
                                             std::string_view sink);

}  // namespace cdp
