#pragma once

#include <cstdint>
#include <random>
#include <string>
#include <vector>

#include "core/clock.h"
#include "model/event.h"

namespace cdp::query::testing {

// Random events for session and paths tests, shaped to hit their edge cases:
// each person's events follow one another with gaps of exactly the timeout,
// one microsecond more or less, none at all (same-instant events) or
// anything shorter or longer; some fall exactly on `from`, on `to` and just
// outside; some persons have a single event; some pages and screens have no
// name. Events otherwise come from store::testing::RandomEvents (names,
// types, properties), in workspace kCaseWorkspace and, a few, in another.
struct SessionEventOptions {
  TimePoint from{};
  TimePoint to{};
  int64_t timeout_micros = 30LL * 60 * 1'000'000;
  int persons = 30;
  size_t events = 1500;
};

std::vector<Event> SessionEvents(std::mt19937_64& random, const SessionEventOptions& options);

// "2026-03-01T10:00:00.000001Z": a request time to the microsecond.
std::string FormatMicros(int64_t micros);

}  // namespace cdp::query::testing
