#pragma once

#include <simdjson.h>

#include <cstdint>
#include <string_view>
#include <vector>

#include "core/clock.h"
#include "core/result.h"
#include "query/event_filter.h"
#include "query/request_json.h"
#include "query/time_buckets.h"

namespace cdp::query {

// POST /query/session, the body:
//   {"from": "2026-03-01", "to": "2026-03-08",   required; from < to
//    "timeout_minutes": 30,                      1..1440
//    "interval": "day",                          hour | day | week | month
//    "time_zone": "UTC",                         IANA name, for "interval"
//    "filters": [{"property", "operator", "value"}, ...],
//                                                which events count; all when absent
//    "entry_exit_limit": 10}                     1..1000 entry and exit events listed
// Unknown keys are refused.
struct SessionRequest {
  TimePoint from{};
  TimePoint to{};
  int64_t timeout_micros = 0;
  Interval interval = Interval::kDay;
  TimeZone time_zone = TimeZone::Utc();
  std::vector<PropertyFilter> filters;
  size_t entry_exit_limit = 10;
};

// Errors: BadRequest naming the field.
Result<SessionRequest> ParseSessionRequest(std::string_view body);

// What session and paths requests share, read from `body`:
// "timeout_minutes" (1..1440, default 30), in microseconds.
Result<int64_t> ParseSessionTimeout(const RequestObject& body);

}  // namespace cdp::query
