#pragma once

#include <optional>
#include <string_view>

#include "core/clock.h"
#include "core/result.h"
#include "query/event_filter.h"
#include "query/time_buckets.h"

namespace cdp::query {

// The request of POST /query/retention, its defaults and the definitions the
// engine and the reference implement: retention_query.h.
enum class RetentionCohort { kRecurring, kFirstTime };
enum class RetentionReturning { kOn, kOnOrAfter };

std::string_view RetentionCohortName(RetentionCohort cohort);
std::string_view RetentionReturningName(RetentionReturning returning);

inline constexpr int kMaxRetentionPeriods = 100;

struct RetentionRequest {
  TimePoint from{};
  std::optional<TimePoint> to;
  int periods = 8;
  Interval period = Interval::kWeek;
  TimeZone time_zone = TimeZone::Utc();
  EventSelector start_event;
  EventSelector return_event;
  RetentionCohort cohort = RetentionCohort::kRecurring;
  RetentionReturning returning = RetentionReturning::kOn;
};

// Parses and validates a request body; BadRequest naming the field (unknown
// keys included).
Result<RetentionRequest> ParseRetentionRequest(std::string_view body);

// The periods a request follows, and where its data stops counting.
struct RetentionRange {
  // Bucket i is period i: from the one holding `from` to the last one that
  // begins before `to` (at most `periods` of them; fewer when `to` cuts the
  // range, or in the odd zone that skipped a whole day).
  TimeBuckets periods;
  // The effective end (exclusive): the request's `to` or the end of the last
  // period, whichever comes first.
  TimePoint to{};
};

Result<RetentionRange> ResolveRetentionRange(const RetentionRequest& request);

}  // namespace cdp::query
