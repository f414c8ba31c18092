#pragma once

#include <cstdint>
#include <optional>
#include <string>
#include <vector>

#include "query/trends/trends_request.h"
#include "store/scan.h"

namespace cdp::query {

// One breakdown group of a trends answer: a value of the breakdown property
// (nullopt: events without it), or "other", every value outside the top N.
// Without a breakdown there is one group, all events.
struct TrendsGroup {
  std::optional<std::string> value;
  bool other = false;
  friend bool operator==(const TrendsGroup&, const TrendsGroup&) = default;
};

// A line of the chart: a value per bucket (nullopt: null) and the math over
// the whole period.
struct TrendsValues {
  std::vector<std::optional<double>> values;
  std::optional<double> total;
};

// What a trends request computes, before it is written as JSON: what the
// engine and the reference implementation both produce, so tests compare
// them directly.
struct TrendsResult {
  // Breakdown values by rank (total count over the range, summed over the
  // series, descending; ties by value, null first), then "other" when some
  // event of a period has a value outside the top N. One group {} without
  // a breakdown.
  std::vector<TrendsGroup> groups;
  // series[period][series index][group]; period 0 is the range, 1 the
  // previous period (compare).
  std::vector<std::vector<std::vector<TrendsValues>>> series;
  // formula[period][group]; empty without a formula.
  std::vector<std::vector<TrendsValues>> formula;
};

// The text a breakdown groups a value by: strings as they are, numbers in
// shortest round-trip form ("4.5", "3"), booleans "true" / "false", times as
// FormatIso8601; nullopt for null.
std::optional<std::string> BreakdownText(const ScalarValue& value);

// Fills result.formula from result.series by evaluating the request's
// formula bucket by bucket (and on the totals). No-op without a formula.
void AddFormulaValues(const TrendsRequest& request, TrendsResult& result);

// The result object of POST /query/trends:
//   {"from": "2026-03-01T00:00:00.000Z", "to": ..., "interval": "day",
//    "time_zone": "Europe/Paris",
//    "buckets": ["2026-03-01T00:00:00+01:00", ...],
//    "previous": {"from": ..., "to": ..., "buckets": [...]},      compare only
//    "series": [{"index": 0, "name": "Revenue", "math": "sum",
//                "math_property": "properties.price",            property maths
//                "breakdown_value": "pro", "breakdown_other": false, breakdown only
//                "compare": "current",                           compare only
//                "values": [12.5, null, ...], "total": 40.25}, ...],
//    "formula": {"expression": "A / B * 100",
//                "series": [{"breakdown_value"..., "compare"..., "values": [...],
//                            "total": ...}]}}                      formula only
// Series entries come period by period (current, then previous), then by
// series index, then by group. "breakdown_value" is the value, null for
// events without the property, and "other" for the other group (which
// "breakdown_other": true tells apart from a value spelled "other").
// Counting maths are JSON integers, the others doubles. `points` is set to
// the number of values written (for the query log).
std::string WriteTrendsResult(const TrendsRequest& request, const TrendsResult& result,
                              uint64_t& points);

}  // namespace cdp::query
