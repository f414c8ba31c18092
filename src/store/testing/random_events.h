#pragma once

#include <cstdint>
#include <random>
#include <string>
#include <vector>

#include "core/clock.h"
#include "model/event.h"

namespace cdp::testing {

// Random but plausible events for store tests: a few workspaces, persons with
// anonymous and user ids, a small vocabulary of event names and properties of
// every type (strings, numbers, booleans, timestamps, nulls), values repeated
// often enough that predicates match some rows and miss others, and now and
// then a property whose type differs from its usual one.
struct RandomEventOptions {
  std::vector<std::string> workspaces = {"ws_a", "ws_b"};
  int persons = 50;
  TimePoint from = FromUnixMicros(int64_t{1'767'225'600} * 1'000'000);  // 2026-01-01
  int days = 5;
  double odd_type_rate = 0;  // a value of another type than the property's usual one
};

std::vector<Event> RandomEvents(std::mt19937_64& random, size_t count,
                                const RandomEventOptions& options = {});

// The property names RandomEvents uses, as store columns ("properties.plan").
std::vector<std::string> RandomEventColumns();

}  // namespace cdp::testing
