#pragma once

#include <cstdint>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include "core/clock.h"
#include "core/result.h"
#include "query/event_filter.h"

namespace cdp::query {

// Which way paths go from their anchor event.
enum class PathDirection { kNext, kPrevious };

// POST /query/paths, the body:
//   {"from": "2026-03-01", "to": "2026-03-08",  required; from < to
//    "direction": "next",        next: what follows the anchor; previous: what leads to it
//    "start": {"event": "Signed Up", "type"?, "filters"?},
//                                next only: paths begin at the first matching event of each
//                                session; absent: at the session's first event
//    "end": {EventSelector},     previous only: paths lead up to the first matching event
//                                of each session; absent: to the session's last event
//    "steps": 5,                 1..20 steps after (before) the anchor
//    "timeout_minutes": 30,      1..1440, the sessions' inactivity timeout
//    "path_property": "context.page_path",
//                                the string property that names a step (events without it
//                                are left out); absent: the event's name ("$page"... when
//                                it has none)
//    "filters": [...],           which events count; all when absent
//    "limit": 50,                1..1000 transitions (and drop-offs) kept per step
//    "collapse_repeats": false}  true: an event named as the step before it is skipped
// Unknown keys are refused; start and end must select something (event,
// type or filters).
struct PathsRequest {
  TimePoint from{};
  TimePoint to{};
  PathDirection direction = PathDirection::kNext;
  std::optional<EventSelector> anchor;  // "start" (next) or "end" (previous)
  int steps = 5;
  int64_t timeout_micros = 0;
  std::optional<std::string> path_property;
  std::vector<PropertyFilter> filters;
  size_t limit = 50;
  bool collapse_repeats = false;
};

// Errors: BadRequest naming the field.
Result<PathsRequest> ParsePathsRequest(std::string_view body);

}  // namespace cdp::query
