#pragma once

#include <atomic>
#include <cstdint>
#include <memory>
#include <mutex>
#include <string>
#include <vector>

#include "core/result.h"
#include "log/event_log.h"

namespace cdp::local_log {

// One segment file of a partition: records with consecutive offsets from
// `base_offset`, named <base_offset, 20 digits>.log.
// Thread safety: appends, syncs and truncations from one thread at a time
// (the log's writer thread, or a helper it waits for); reads (ReadFrom) from
// any thread, concurrently with appends, for offsets below the end the
// caller knows to be durable.
class Segment {
 public:
  ~Segment();
  Segment(const Segment&) = delete;
  Segment& operator=(const Segment&) = delete;

  // Creates an empty segment file (and syncs its directory). Appends reserve
  // disk blocks ahead of them up to `reserve_bytes` (see Append).
  static Result<std::unique_ptr<Segment>> Create(const std::string& dir, uint64_t base_offset,
                                                 uint64_t reserve_bytes = 0);
  // Opens an existing segment and scans it. With `is_last`, a torn or
  // corrupt tail (a crash during a write) is cut off; in an older segment it
  // is an error, since only the newest segment is ever written.
  static Result<std::unique_ptr<Segment>> Open(const std::string& path, uint64_t base_offset,
                                               bool is_last, uint64_t reserve_bytes = 0);

  uint64_t base_offset() const { return base_offset_; }
  // One past the last record's offset.
  uint64_t end_offset() const { return end_offset_.load(std::memory_order_acquire); }
  uint64_t size_bytes() const { return size_bytes_.load(std::memory_order_acquire); }
  const std::string& path() const { return path_; }

  // Writes framed records (holding offsets end_offset() .. end_offset()+count-1)
  // at the end of the file. Not durable before Sync(). Below the segment's
  // reserve_bytes, disk blocks are first reserved a few MiB ahead
  // (fallocate, keeping the file's size): the sync of an append then
  // allocates no blocks (13-23% less CPU per fdatasync in a micro-benchmark
  // on ext4). Best effort: without fallocate, or on a full disk, appends
  // simply go on without it.
  Status Append(const std::string& framed, uint64_t record_count);
  Status Sync();
  // Cuts the file back to `size_bytes` / `end_offset` after a failed append.
  Status Truncate(uint64_t size_bytes, uint64_t end_offset);

  // Records from `from_offset` (inclusive) to `until_offset` (exclusive),
  // stopping after about `max_bytes` of payload, appended to `out`.
  Status ReadFrom(uint64_t from_offset, uint64_t until_offset, size_t max_bytes,
                  std::vector<LogRecord>& out) const;

 private:
  Segment(std::string path, int fd, uint64_t base_offset, uint64_t reserve_bytes);
  Status Scan(bool is_last);
  // Reserves blocks so that the file can grow to `end` bytes without
  // allocating (up to reserve_limit_).
  void ReserveBlocksFor(uint64_t end);
  // The file position of a record at or before `offset` (sparse index).
  uint64_t PositionAtOrBefore(uint64_t offset) const;
  void MaybeIndex(uint64_t offset, uint64_t position);

  std::string path_;
  int fd_;
  uint64_t base_offset_;
  // Written by the writer thread, read by any.
  std::atomic<uint64_t> end_offset_;
  std::atomic<uint64_t> size_bytes_{0};
  // (offset, file position) every ~64 KiB, for reads that start mid-segment.
  mutable std::mutex index_mu_;
  std::vector<std::pair<uint64_t, uint64_t>> index_;  // GUARDED_BY(index_mu_)
  uint64_t last_indexed_position_ = 0;                // writer thread only
  uint64_t reserve_limit_;                            // appending thread only
  uint64_t reserved_bytes_ = 0;                       // appending thread only
};

// The file name of the segment starting at `base_offset`.
std::string SegmentFileName(uint64_t base_offset);

}  // namespace cdp::local_log
