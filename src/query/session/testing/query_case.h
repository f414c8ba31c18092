#pragma once

#include <string>
#include <string_view>
#include <vector>

#include "core/result.h"
#include "model/event.h"

namespace cdp::query::testing {

// The workspace of every data-driven case's events.
inline constexpr std::string_view kCaseWorkspace = "ws_test";

// One data-driven case, tests/queries/<kind>/<name>.json:
//   {"description": "...", "events": [{event}, ...], "request": {...},
//    "expected": {<the analysis's result object>}}
// An event object: {"type": "track", "event": "Signed Up", "anonymous_id",
// "user_id", "timestamp": "2026-03-01T10:00:00Z", "properties": {...},
// "context": {...}, "traits": {...}}; absent keys are empty, the type is
// track unless given, message ids are generated, nested objects flatten to
// parent_child names (keys are taken as written).
struct QueryCase {
  std::string name;  // the file's name without .json
  std::string description;
  std::vector<Event> events;
  std::string request;   // JSON text
  std::string expected;  // JSON text
};

// The cases of tests/queries/<kind>/, by file name. Errors name the file and
// what is wrong with it.
Result<std::vector<QueryCase>> LoadQueryCases(std::string_view kind);

// "" when `actual` and `expected` hold the same JSON value (object keys in
// any order; numbers equal within a relative `tolerance`); otherwise where
// and how they first differ ("over_time[2].sessions: 3, expected 4").
std::string JsonDifference(std::string_view actual, std::string_view expected,
                           double tolerance = 1e-9);

}  // namespace cdp::query::testing
