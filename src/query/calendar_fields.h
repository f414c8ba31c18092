#pragma once

#include "core/clock.h"
#include "core/result.h"
#include "query/request_json.h"
#include "query/time_buckets.h"

namespace cdp::query {

// The request fields every analysis over a calendar reads the same way.

// "from" and "to", both required, with from < to (else BadRequest on "to").
struct TimeRange {
  TimePoint from{};
  TimePoint to{};
};
Result<TimeRange> ParseTimeRange(const RequestObject& object);

// "interval": hour, day, week or month; day when absent.
Result<Interval> ParseInterval(const RequestObject& object);

// "time_zone": an IANA name; UTC when absent.
Result<TimeZone> ParseTimeZone(const RequestObject& object);

}  // namespace cdp::query
