#pragma once

#include <atomic>
#include <cstdint>
#include <string>

#include "core/result.h"
#include "store/event_store.h"

namespace cdp::query {

// How far a running query is, for GET /query/async/{id}: rows scanned
// against the rows its scans are expected to read (an estimate from the
// store's stats, so the fraction is approximate and held below 1 until the
// query finishes). Safe to update and read from any thread.
class QueryProgress {
 public:
  void AddExpectedRows(uint64_t rows) { expected_.fetch_add(rows, std::memory_order_relaxed); }
  void AddScannedRows(uint64_t rows) { scanned_.fetch_add(rows, std::memory_order_relaxed); }
  uint64_t scanned_rows() const { return scanned_.load(std::memory_order_relaxed); }
  // From 0 to 0.99.
  double Fraction() const;

 private:
  std::atomic<uint64_t> expected_{0};
  std::atomic<uint64_t> scanned_{0};
};

// What an analysis runs for: one workspace (every scan is bound to it), with
// a scan parallelism, and optionally a cancellation flag and a progress to
// report to (async queries set both).
struct QueryContext {
  std::string workspace_id;
  int parallelism = 2;
  const std::atomic<bool>* cancelled = nullptr;
  QueryProgress* progress = nullptr;

  bool Cancelled() const {
    return cancelled != nullptr && cancelled->load(std::memory_order_relaxed);
  }
};

// The status a cancelled query ends with.
Status CancelledStatus();

// EventStore::Scan for an analysis: forces the context's workspace onto the
// request, stops with CancelledStatus() once the context is cancelled, and
// reports the rows it reads to the context's progress.
Status ScanForQuery(EventStore& store, const QueryContext& context, ScanRequest request,
                    const EventStore::ScanConsumer& consume);

}  // namespace cdp::query
