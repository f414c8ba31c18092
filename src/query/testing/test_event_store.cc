#include "query/testing/test_event_store.h"

#include <algorithm>
#include <cstdlib>
#include <iostream>

namespace cdp::query::testing {

namespace {

// Test set-up cannot fail quietly: a store that did not open or flush would
// make every comparison vacuous.
void Check(const Status& status, const char* what) {
  if (!status.ok()) {
    std::cerr << "TestEventStore: " << what << ": " << status.message() << " " << status.cause()
              << "\n";
    std::abort();
  }
}

}  // namespace

TestEventStore::TestEventStore(std::span<const Event> events, int flushes, size_t block_rows)
    : dir_(cdp::testing::TempDir::InMemory()) {
  auto store = columnar::ColumnarEventStore::Open(
      fs_, dir_.path(), {.block_rows = block_rows, .background_merges = false});
  Check(store.status(), "open");
  store_ = std::move(*store);
  const size_t per_flush =
      std::max<size_t>(1, (events.size() + flushes - 1) / std::max(1, flushes));
  for (size_t first = 0; first < events.size(); first += per_flush) {
    const size_t count = std::min(per_flush, events.size() - first);
    Check(store_->Append(events.subspan(first, count), {}), "append");
    Check(store_->Flush(), "flush");
  }
}

}  // namespace cdp::query::testing
