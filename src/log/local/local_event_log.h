#pragma once

#include <atomic>
#include <chrono>
#include <condition_variable>
#include <map>
#include <memory>
#include <mutex>
#include <shared_mutex>
#include <string>
#include <thread>
#include <vector>

#include "log/event_log.h"

namespace cdp::local_log {
class Segment;
}

namespace cdp {

// The embedded EventLog: append-only segment files in a directory.
//
//   <dir>/partitions            the partition count, fixed at creation
//   <dir>/p0003/<offset>.log    segments of partition 3, by first offset
//   <dir>/consumers/<name>      a consumer's committed offsets
//
// One writer thread takes every append queued while it was busy and commits
// them as a group: one write and one fdatasync per touched partition (the
// fdatasyncs at the same time, on helper threads), then the callbacks.
// Segments roll at `segment_bytes`; segments that every consumer (every name
// that has committed at least once) has fully committed and that are older
// than `min_retention` are deleted. Opening recovers from a crash by cutting
// the torn tail of each partition's newest segment.
class LocalEventLog final : public EventLog {
 public:
  struct Options {
    std::string dir;
    int partitions = 4;
    uint64_t segment_bytes = 64 << 20;
    // A consumed segment is deleted only once it has not been written for
    // this long: ingestion rebuilds its 24 h dedup index from the log, so the
    // log keeps at least that much whatever the consumers did.
    std::chrono::seconds min_retention{0};
  };

  // Opens or creates the log. InvalidArgument-like BadRequest when the
  // directory holds a log with another partition count.
  static Result<std::unique_ptr<LocalEventLog>> Open(const Options& options);
  // Finishes every append already queued, then stops the writer.
  ~LocalEventLog() override;

  int partition_count() const override { return static_cast<int>(partitions_.size()); }
  void Append(std::vector<LogAppend> records, AppendDone done) override;
  Result<LogReadBatch> Read(int partition, uint64_t from_offset, size_t max_bytes) override;
  Result<uint64_t> EndOffset(int partition) override;
  Status Commit(std::string_view consumer, int partition, uint64_t next_offset) override;
  Result<uint64_t> Committed(std::string_view consumer, int partition) override;

  // Deletes, in every partition, the segments that every consumer has
  // committed and that are older than min_retention. Commit does this for its
  // partition; call it periodically too, since time alone can make segments
  // deletable.
  void ApplyRetention();

  // Segment files currently kept for `partition` (for tests and stats).
  size_t SegmentCount(int partition) const;

 private:
  struct Partition {
    std::string dir;
    mutable std::shared_mutex mu;
    std::vector<std::shared_ptr<local_log::Segment>> segments;  // GUARDED_BY(mu), by offset
    std::atomic<uint64_t> durable_end{0};                       // readers see offsets below this
    uint64_t next_offset = 0;                                   // writer thread only
  };
  struct PendingAppend {
    std::vector<LogAppend> records;
    AppendDone done;
  };
  class SyncWorkers;

  explicit LocalEventLog(Options options);
  Status OpenPartitions();
  Status LoadConsumers();
  void WriterLoop();
  void CommitGroup(std::vector<PendingAppend>& group);
  Status RollIfFull(Partition& partition);
  void DropConsumedSegments(int partition);
  Status CheckPartition(int partition) const;

  Options options_;
  std::vector<std::unique_ptr<Partition>> partitions_;

  // Writer thread only: the helpers that sync partitions at once, each
  // partition's framed records of the current group (kept between groups to
  // spare the allocation), and the partition of each of the group's records.
  std::unique_ptr<SyncWorkers> workers_;
  std::vector<std::string> frames_;
  std::vector<int> record_partitions_;

  std::mutex queue_mu_;
  std::condition_variable queue_cv_;
  std::vector<PendingAppend> queue_;  // GUARDED_BY(queue_mu_)
  bool stopping_ = false;             // GUARDED_BY(queue_mu_)
  std::thread writer_;

  mutable std::mutex consumers_mu_;
  std::map<std::string, std::vector<uint64_t>, std::less<>>
      committed_;  // GUARDED_BY(consumers_mu_)
};

}  // namespace cdp
