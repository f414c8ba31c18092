#pragma once

#include <cstdint>
#include <functional>
#include <map>
#include <span>
#include <string>
#include <string_view>
#include <vector>

#include "core/clock.h"
#include "core/result.h"
#include "model/event.h"
#include "store/scan.h"

namespace cdp {

// How far the store has loaded a source (the event log): per log partition,
// the first offset not yet in the store.
using SourceOffsets = std::map<int, uint64_t>;

// One column a workspace's events have, with its value kind.
struct StoredColumn {
  std::string name;  // "event", "properties.plan", ...
  ColumnKind kind = ColumnKind::kString;
  friend bool operator==(const StoredColumn&, const StoredColumn&) = default;
};

// What a workspace's stored events take.
struct StoreStats {
  uint64_t rows = 0;
  uint64_t bytes_on_disk = 0;
  uint64_t parts = 0;
  uint64_t partitions = 0;
  TimePoint min_timestamp{};  // of the stored rows; both epoch when none
  TimePoint max_timestamp{};
};

// Columnar storage of accepted events and the scans analyses run on
// (ARCHITECTURE.md, "The embedded event store"); ClickHouse implements it
// too.
//
// Writes are buffered: Append adds events with the log position they were
// read up to, Flush makes everything appended so far durable and visible to
// scans at once, together with those positions. After a crash the store
// holds exactly the flushed events, and SourceOffsets says where to resume
// reading the log: every event is stored exactly once.
//
// Thread safety: every method may be called from any thread; Append and
// Flush are meant for one writer (the loader); scans run concurrently with
// them and with background merges.
class EventStore {
 public:
  EventStore() = default;
  EventStore(const EventStore&) = delete;
  EventStore& operator=(const EventStore&) = delete;
  virtual ~EventStore() = default;

  // Buffers `events`, which were read from the log up to `through` (merged
  // into the offsets Flush will record; a partition not named keeps its
  // offset). Not yet visible to scans.
  virtual Status Append(std::span<const Event> events, const SourceOffsets& through) = 0;
  // Makes every appended event durable and visible, with the offsets.
  virtual Status Flush() = 0;
  // The offsets recorded by the last successful Flush (empty before any).
  virtual Result<SourceOffsets> FlushedOffsets() = 0;

  // Calls `consume(worker, batch)` for the matching rows of every block that
  // may hold some, from up to `parallelism` threads at once; `worker` is in
  // [0, parallelism) and no two concurrent calls share one, so callers keep
  // per-worker state without locks. Blocks come in no particular order. A
  // non-ok status from `consume` stops the scan and is returned.
  using ScanConsumer = std::function<Status(int worker, const ScanBatch& batch)>;
  virtual Status Scan(const ScanRequest& request, int parallelism, const ScanConsumer& consume) = 0;

  // The columns the workspace's stored events have (fixed ones first).
  virtual Result<std::vector<StoredColumn>> Columns(std::string_view workspace_id) = 0;
  virtual Result<StoreStats> Stats(std::string_view workspace_id) = 0;

  // Drops the workspace's events whose day (UTC) ends at or before
  // `keep_from`: whole partitions, so the cut is a day boundary.
  virtual Status DropBefore(std::string_view workspace_id, TimePoint keep_from) = 0;
};

}  // namespace cdp
