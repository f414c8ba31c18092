#pragma once

// How soon an acknowledged event is visible to scans of the event store,
// with the embedded pipeline's own parts: the local event log, the loader
// (default options, as `cdp serve` runs it) and the columnar store (with
// background merges).

#include <cstdint>
#include <string>

#include "core/result.h"
#include "event_source.h"

namespace cdp::bench {

struct FreshnessOptions {
  std::string dir;  // where the log and the store are created
  double seconds = 10;
  int events_per_second = 50'000;
  int batch_events = 500;  // per append, like a batch request
};

struct FreshnessReport {
  uint64_t events = 0;
  uint64_t batches = 0;
  // From a batch's durable append to the first scan that counts it.
  double p50_ms = 0;
  double p99_ms = 0;
  double max_ms = 0;
};

// Appends events of `reader` to the log at the given rate, while another
// thread counts the store's rows every 2 ms.
Result<FreshnessReport> MeasureFreshness(NdjsonEventReader& reader,
                                         const FreshnessOptions& options);

}  // namespace cdp::bench
