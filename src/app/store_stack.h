#pragma once

#include <memory>

#include "core/config.h"
#include "core/periodic_task.h"
#include "core/result.h"
#include "loader/event_loader.h"
#include "log/event_log.h"
#include "meta/meta_store.h"
#include "store/columnar/columnar_event_store.h"
#include "store/columnar/io/posix_file_system.h"

namespace cdp {

// The event store of the embedded setup and what feeds and trims it: the
// columnar store in <data-dir>/store, the loader that moves the event log
// into it, and the retention task that drops each workspace's days older than
// its retention (hourly).
class StoreStack {
 public:
  // REQUIRES: `log` and `meta` outlive this.
  static Result<std::unique_ptr<StoreStack>> Open(const Config& config, EventLog& log,
                                                  MetaStore& meta);
  ~StoreStack();

  EventStore& store() { return *store_; }

  // Stops retention and the loader, after a last load of what the log holds
  // (appends still being written are loaded at the next start). Call before
  // the log closes.
  void Close();

  // Drops, in every workspace, the days older than its retention.
  Status ApplyRetention();

 private:
  explicit StoreStack(MetaStore& meta) : meta_(meta) {}

  MetaStore& meta_;
  columnar::PosixFileSystem fs_;
  std::unique_ptr<columnar::ColumnarEventStore> store_;
  std::unique_ptr<EventLoader> loader_;
  std::unique_ptr<PeriodicTask> retention_;
};

}  // namespace cdp
