#pragma once

// `cdp gen`'s data: a seeded, deterministic stream of Segment messages from a
// synthetic product's visitors and customers (docs/gen.md).

#include <cstdint>
#include <string>

#include "core/clock.h"
#include "core/status.h"
#include "gen/segment_json.h"
#include "gen/simulation.h"

namespace cdp::gen {

struct GeneratorOptions {
  uint64_t seed = 42;
  uint64_t persons = 1000;
  int64_t days = 30;
  TimePoint start;  // the window's first instant (UTC)
};

inline constexpr uint64_t kMaxPersons = 100'000'000;  // ~100 bytes each in memory
inline constexpr int64_t kMaxDays = 3650;

// BadRequest naming the option ("persons", "days", "start") when one is out
// of range: persons in [1, kMaxPersons], days in [1, kMaxDays], and the
// window within the years 1970 to 2200.
Status ValidateGeneratorOptions(const GeneratorOptions& options);

// Thread safety: none; one thread drives a Generator. Memory: O(persons).
class Generator {
 public:
  // REQUIRES: ValidateGeneratorOptions(options).ok().
  explicit Generator(const GeneratorOptions& options);

  // Appends the next message (one JSON object, no newline) to `out`; false
  // when every event has been produced. Messages come in time order (ties by
  // person), so each person's events are in time order as well. The same
  // options always give the same messages, byte for byte.
  bool Next(std::string& out);

  uint64_t events() const { return events_; }
  // Share of the time window generated so far, in [0, 1].
  double progress() const { return simulation_.progress(); }
  uint32_t persons_arrived() const { return simulation_.persons_arrived(); }

 private:
  Simulation simulation_;
  SegmentJsonWriter writer_;
  SimEvent event_;
  uint64_t events_ = 0;
};

}  // namespace cdp::gen
