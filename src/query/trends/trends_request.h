#pragma once

#include <cstddef>
#include <cstdint>
#include <optional>
#include <span>
#include <string>
#include <string_view>
#include <vector>

#include "core/clock.h"
#include "core/result.h"
#include "query/event_filter.h"
#include "query/time_buckets.h"
#include "query/trends/trends_formula.h"
#include "store/event_store.h"
#include "store/scan.h"

namespace cdp::query {

// What a trends series computes per time bucket (and once over the whole
// range, its "total"). The definitions every implementation follows:
//
//  total                  events.
//  unique_persons, dau    distinct persons (PersonOf) with an event in the
//                         bucket; both names mean the same.
//  wau, mau               distinct persons with an event in the 7 (30) days
//                         ending at the bucket's end: the window starts at the
//                         same wall-clock time 7 (30) calendar days earlier in
//                         the request's time zone (so it spans DST changes as
//                         the calendar does) and may reach back before `from`:
//                         events there are read for the windows only. Not for
//                         interval "month".
//  count_per_person_avg,  the distribution, over the persons with an event in
//  _median, _p90          the bucket, of how many events each did there.
//  sum, avg, min, max,    over the values of `math_property` of the bucket's
//  median, p90, p95, p99  events, skipping events where it is null or not a
//                         number.
//
// Quantiles are exact: linear interpolation between the closest ranks of the
// sorted values (numpy's default, Hyndman & Fan type 7): with n values x[0..n)
// and h = (n - 1) p, x[floor(h)] + (h - floor(h)) (x[floor(h) + 1] - x[floor(h)]).
//
// An empty bucket is 0 for the counting maths (total, unique persons, dau,
// wau, mau, count_per_person_*) and null for the property maths. Events
// without a person (no anonymous_id and no user_id) count for "total" only.
//
// "total" of a series is its math over the whole range at once: the distinct
// persons of the range (not a sum of daily uniques), the median of all its
// values; for wau and mau it is the distinct persons of the range too.
enum class TrendsMath : uint8_t {
  kTotal,
  kUniquePersons,
  kDau,
  kWau,
  kMau,
  kCountPerPersonAvg,
  kCountPerPersonMedian,
  kCountPerPersonP90,
  kSum,
  kAvg,
  kMin,
  kMax,
  kMedian,
  kP90,
  kP95,
  kP99,
};

std::string_view TrendsMathName(TrendsMath math);  // as requests spell it: "unique_persons"
// Maths over a numeric property (sum ... p99): they need math_property.
bool IsPropertyMath(TrendsMath math);
// Maths over persons (unique_persons, dau, wau, mau, count_per_person_*).
bool IsPersonMath(TrendsMath math);
// Maths whose values are whole counts, written as JSON integers.
bool IsCountMath(TrendsMath math);
// The rolling window of wau (7) and mau (30), in days; 0 for the others.
int WindowDaysOf(TrendsMath math);
// The quantile a math takes (0.5 for median and count_per_person_median, 0.9
// for p90, ...); nullopt for the maths that are no quantile.
std::optional<double> QuantileOf(TrendsMath math);

struct TrendsSeries {
  EventSelector selector;
  std::vector<Predicate> predicates;  // of `selector`, converted to the columns' kinds
  TrendsMath math = TrendsMath::kTotal;
  std::string math_property;  // a numeric column; property maths only
  std::string name;           // the request's, or the event name, or "all events"
};

struct TrendsBreakdown {
  static constexpr int64_t kDefaultLimit = 25;
  static constexpr int64_t kMaxLimit = 1000;
  std::string column;  // "properties.plan", "event", "context.country", ...
  size_t limit = kDefaultLimit;
};

// One time range the series are computed over: the request's [from, to),
// and with compare the period of the same length just before it.
struct TrendsPeriod {
  TimePoint from{};
  TimePoint to{};
  TimeBuckets buckets;
};

// A validated POST /query/trends body:
//   {"from": "2026-03-01", "to": "2026-04-01",      required; from < to
//    "interval": "day",                              hour | day | week | month
//    "time_zone": "Europe/Paris",                    IANA name, default UTC
//    "series": [{"event": "Order Completed", "type": "track", "filters": [...],
//                "math": "sum",                      default "total"
//                "math_property": "properties.price",
//                "name": "Revenue"}],                1 to 20 series
//    "breakdown": {"property": "properties.plan", "limit": 25},   1 to 1000
//    "formula": "A / B * 100",
//    "compare": true}                                default false
struct TrendsRequest {
  static constexpr size_t kMaxSeries = 20;
  // Series entries (breakdown values included) times buckets times periods.
  static constexpr size_t kMaxResultPoints = 2'000'000;

  TimePoint from{};
  TimePoint to{};
  Interval interval = Interval::kDay;
  TimeZone time_zone = TimeZone::Utc();
  std::vector<TrendsSeries> series;
  std::optional<TrendsBreakdown> breakdown;
  std::optional<TrendsFormula> formula;
  bool compare = false;
  // The range first, then (with compare) the previous period: [from - (to -
  // from), from), bucketed the same way.
  std::vector<TrendsPeriod> periods;
};

// Parses and validates a body against the workspace's stored columns (for
// filter operands and to check that math properties are numeric).
// BadRequest naming the field ("series[1].math_property") for every problem.
Result<TrendsRequest> ParseTrendsRequest(std::string_view body,
                                         std::span<const StoredColumn> columns);

// The instant a rolling window of `days` days ending at `end` starts: the
// same wall-clock time `days` calendar days earlier in `zone` (sub-second
// part kept), as TimeZone::Instant resolves wall-clock times.
TimePoint WindowStart(const TimeZone& zone, TimePoint end, int days);

}  // namespace cdp::query
