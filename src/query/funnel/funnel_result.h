#pragma once

#include <cstdint>
#include <optional>
#include <string>
#include <vector>

#include "query/funnel/funnel_request.h"
#include "query/query_kind.h"
#include "store/scan.h"

namespace cdp::query {

// What a funnel answers (funnel_engine.h defines each number); engines and
// the reference both produce it, and WriteFunnelResult turns it into the
// response.
struct FunnelStepStats {
  uint64_t persons = 0;
  // Seconds from the previous step's event, over the persons who reached
  // this step; none for step 0 or when nobody reached it.
  std::optional<double> median_seconds;
  std::optional<double> average_seconds;
};

struct FunnelHistogramBin {
  int64_t from_seconds = 0;  // inclusive
  int64_t to_seconds = 0;    // exclusive
  uint64_t persons = 0;
};

struct FunnelOverTimePoint {
  std::string bucket;  // TimeBuckets::Label
  uint64_t entered = 0;
  uint64_t completed = 0;
};

struct FunnelBreakdownGroup {
  ScalarValue value;   // null for the group of persons without one, and for "other"
  bool other = false;  // the groups beyond the limit, together
  std::vector<FunnelStepStats> steps;
};

struct FunnelResult {
  std::vector<FunnelStepStats> steps;
  std::vector<FunnelHistogramBin> time_to_convert;
  std::vector<FunnelOverTimePoint> over_time;
  std::optional<std::vector<FunnelBreakdownGroup>> breakdown;  // when asked
};

// The result object of POST /query/funnel:
//   {"steps": [{"index", "name", "event", "persons", "conversion_from_first",
//               "conversion_from_previous", "median_seconds_to_convert",
//               "average_seconds_to_convert"}, ...],
//    "time_to_convert": {"bins": [{"from_seconds", "to_seconds", "persons"}, ...]},
//    "over_time": [{"bucket", "entered", "completed", "conversion"}, ...],
//    "breakdown": [{"value", "other", "steps": [...as above]}, ...]}   only when asked
// Conversions are ratios from 0 to 1, and 0 when their denominator is; a
// breakdown value is written as its kind (a time as an ISO-8601 string).
// `rows`: the step objects (top level and per group), histogram bins and
// over-time points written.
QueryOutput WriteFunnelResult(const FunnelRequest& request, const FunnelResult& result);

}  // namespace cdp::query
