#pragma once

#include <cstdint>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include "core/clock.h"
#include "core/result.h"
#include "query/event_filter.h"
#include "query/time_buckets.h"

namespace cdp::query {

// A funnel request, validated (POST /query/funnel). The body:
//
//   {"from": "2026-03-01", "to": "2026-03-31",             required, from < to
//    "steps": [{"event": "Signed Up", "type"?, "filters"?, "name"?: "label"}, ...],  2 to 64
//    "window": {"value": 7, "unit": "minute" | "hour" | "day" | "week"},  default 14 days
//    "order": "ordered" (default) | "strict" | "unordered",
//    "exclusions": [{"event": ..., "type"?, "filters"?, "from_step": 0, "to_step": 2}],
//                  0-based step indices, from_step < to_step; at most 64
//    "breakdown": {"property": "properties.plan", "limit": 25},  limit 1 to 1000
//    "interval": "hour" | "day" (default) | "week" | "month",  for over_time
//    "time_zone": "UTC" (default) or an IANA name,            for over_time
//    "histogram_bins": 10 (default, 1 to 100)}
//
// Every problem is a BadRequest naming the field ("steps[2].event",
// "exclusions[0].to_step"); unknown keys are refused. funnel_engine.h says
// what the funnel computes.

enum class FunnelOrder { kOrdered, kStrict, kUnordered };

inline constexpr size_t kMinFunnelSteps = 2;
inline constexpr size_t kMaxFunnelSteps = 64;
inline constexpr size_t kMaxFunnelExclusions = 64;

struct FunnelStep {
  EventSelector selector;
  // What responses call the step: the request's "name", else its event
  // name, else "Step <n>" (1-based).
  std::string name;
};

struct FunnelExclusion {
  EventSelector selector;
  int from_step = 0;  // 0-based, from_step < to_step
  int to_step = 1;
};

struct FunnelBreakdown {
  std::string column;  // a store column: "properties.plan", "context.country", "type"
  int limit = 25;
};

struct FunnelRequest {
  TimePoint from{};
  TimePoint to{};
  std::vector<FunnelStep> steps;
  int64_t window_micros = int64_t{14} * 86'400 * 1'000'000;
  FunnelOrder order = FunnelOrder::kOrdered;
  std::vector<FunnelExclusion> exclusions;
  std::optional<FunnelBreakdown> breakdown;
  Interval interval = Interval::kDay;
  TimeZone time_zone = TimeZone::Utc();
  int histogram_bins = 10;
};

Result<FunnelRequest> ParseFunnelRequest(std::string_view body);

std::string_view FunnelOrderName(FunnelOrder order);  // "ordered", "strict", "unordered"

}  // namespace cdp::query
