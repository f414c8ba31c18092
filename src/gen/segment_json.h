#pragma once

#include <cstdint>
#include <string>

#include "gen/simulation.h"
#include "gen/synthetic_ids.h"

namespace cdp::gen {

// Writes simulated events as Segment messages (what analytics.js and
// analytics-node send): one JSON object each, keys in a fixed order, every
// property name always with the same JSON type. See docs/gen.md for the
// messages. Thread safety: none (it caches the last date it formatted).
class SegmentJsonWriter {
 public:
  explicit SegmentJsonWriter(uint64_t seed) : ids_(seed) {}

  // Appends `event`'s message to `out` (no newline). `person` is the event's person.
  void Write(const SimEvent& event, const Person& person, std::string& out);

  // "2026-10-01T12:34:56.789Z" into `out` (24 characters, no terminator).
  void FormatTimestamp(int64_t unix_ms, char* out);

 private:
  SyntheticIds ids_;
  int64_t cached_day_ = INT64_MIN;
  char cached_date_[11] = {};  // "YYYY-MM-DDT"
};

}  // namespace cdp::gen
