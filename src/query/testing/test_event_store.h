#pragma once

#include <memory>
#include <span>

#include "model/event.h"
#include "store/columnar/columnar_event_store.h"
#include "store/columnar/io/posix_file_system.h"
#include "support/temp_dir.h"

namespace cdp::query::testing {

// A real columnar event store in a temporary directory (in memory when the
// machine has /dev/shm) holding `events`: what analyses' tests compare with
// their reference implementations. The events go in `flushes` flushes (so
// scans cross parts of one partition) and small blocks (so they cross
// blocks), without merges.
class TestEventStore {
 public:
  explicit TestEventStore(std::span<const Event> events, int flushes = 3, size_t block_rows = 1024);
  EventStore& store() { return *store_; }

 private:
  cdp::testing::TempDir dir_;
  columnar::PosixFileSystem fs_;
  std::unique_ptr<columnar::ColumnarEventStore> store_;
};

}  // namespace cdp::query::testing
