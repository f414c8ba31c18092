#include "query/trends/testing/trends_reference.h"

#include <algorithm>
#include <map>
#include <set>

#include "query/person_key.h"
#include "store/event_columns.h"

namespace cdp::query::testing {

namespace {

int64_t MicrosOf(const Event* event) { return UnixMicros(event->timestamp); }

// The value of one math over a set of events.
std::optional<double> MathOf(const TrendsSeries& series, const std::vector<const Event*>& events,
                             const PersonMap& persons) {
  const TrendsMath math = series.math;
  if (math == TrendsMath::kTotal) return double(events.size());
  if (IsPersonMath(math)) {
    std::map<PersonKey, double> per_person;
    for (const Event* event : events) {
      const PersonKey person = PersonOf(*event, persons);
      if (person != 0) per_person[person] += 1;
    }
    if (math == TrendsMath::kCountPerPersonAvg) {
      if (per_person.empty()) return 0.0;
      double sum = 0;
      for (const auto& [person, count] : per_person) sum += count;
      return sum / double(per_person.size());
    }
    if (const std::optional<double> quantile = QuantileOf(math)) {
      if (per_person.empty()) return 0.0;
      std::vector<double> counts;
      for (const auto& [person, count] : per_person) counts.push_back(count);
      return ReferenceQuantile(std::move(counts), *quantile);
    }
    return double(per_person.size());  // unique_persons, dau; wau / mau totals
  }
  std::vector<double> values;
  for (const Event* event : events) {
    const ScalarValue value = ColumnValueOf(*event, series.math_property);
    if (const double* number = std::get_if<double>(&value)) values.push_back(*number);
  }
  if (values.empty()) return std::nullopt;
  double sum = 0;
  for (const double value : values) sum += value;
  switch (math) {
    case TrendsMath::kSum:
      return sum;
    case TrendsMath::kAvg:
      return sum / double(values.size());
    case TrendsMath::kMin:
      return *std::min_element(values.begin(), values.end());
    case TrendsMath::kMax:
      return *std::max_element(values.begin(), values.end());
    default:
      return ReferenceQuantile(std::move(values), *QuantileOf(math));
  }
}

}  // namespace

TrendsResult ReferenceTrends(const TrendsRequest& request, std::span<const Event> events,
                             std::string_view workspace_id, const PersonMap& persons) {
  // The events of each series, and each event's breakdown value.
  std::vector<std::vector<const Event*>> matching(request.series.size());
  std::map<const Event*, std::optional<std::string>> value_of;
  for (const Event& event : events) {
    if (event.workspace_id != workspace_id) continue;
    if (request.breakdown) {
      value_of[&event] = BreakdownText(ColumnValueOf(event, request.breakdown->column));
    }
    for (size_t series = 0; series < request.series.size(); ++series) {
      if (EventMatches(event, request.series[series].predicates)) {
        matching[series].push_back(&event);
      }
    }
  }
  const auto in_period = [&](const Event* event, const TrendsPeriod& period) {
    return event->timestamp >= period.from && event->timestamp < period.to;
  };

  TrendsResult result;
  // Breakdown groups: the top N values by event count over the range, summed
  // over the series; "other" when a period has an event of another value.
  std::set<std::optional<std::string>> top;
  bool other = false;
  if (request.breakdown) {
    std::map<std::optional<std::string>, int64_t> counts;
    for (const auto& series_events : matching) {
      for (const Event* event : series_events) {
        if (in_period(event, request.periods[0])) ++counts[value_of[event]];
      }
    }
    std::vector<std::pair<int64_t, std::optional<std::string>>> ranked;
    for (const auto& [value, count] : counts) ranked.emplace_back(-count, value);
    std::sort(ranked.begin(), ranked.end());  // nullopt sorts before every string
    for (size_t i = 0; i < ranked.size() && i < request.breakdown->limit; ++i) {
      result.groups.push_back({ranked[i].second, false});
      top.insert(ranked[i].second);
    }
    for (const auto& series_events : matching) {
      for (const Event* event : series_events) {
        for (const TrendsPeriod& period : request.periods) {
          other = other || (in_period(event, period) && !top.contains(value_of[event]));
        }
      }
    }
    if (other) result.groups.push_back({std::nullopt, true});
  } else {
    result.groups.push_back({});
  }
  const auto in_group = [&](const Event* event, const TrendsGroup& group) {
    if (!request.breakdown) return true;
    const std::optional<std::string>& value = value_of[event];
    return group.other ? !top.contains(value) : value == group.value;
  };

  for (const TrendsPeriod& period : request.periods) {
    auto& period_series = result.series.emplace_back();
    for (size_t index = 0; index < request.series.size(); ++index) {
      const TrendsSeries& series = request.series[index];
      auto& groups = period_series.emplace_back();
      for (const TrendsGroup& group : result.groups) {
        std::vector<const Event*> rows;
        for (const Event* event : matching[index]) {
          if (in_group(event, group)) rows.push_back(event);
        }
        TrendsValues& values = groups.emplace_back();
        const size_t buckets = period.buckets.size();
        for (size_t bucket = 0; bucket < buckets; ++bucket) {
          const TimePoint end = bucket + 1 < buckets ? period.buckets.start(bucket + 1) : period.to;
          std::vector<const Event*> in_bucket;
          if (const int days = WindowDaysOf(series.math)) {
            const TimePoint window_start = WindowStart(request.time_zone, end, days);
            for (const Event* event : rows) {
              if (event->timestamp >= window_start && event->timestamp < end) {
                in_bucket.push_back(event);
              }
            }
          } else {
            for (const Event* event : rows) {
              if (in_period(event, period) &&
                  period.buckets.Index(MicrosOf(event)) == static_cast<int>(bucket)) {
                in_bucket.push_back(event);
              }
            }
          }
          values.values.push_back(MathOf(series, in_bucket, persons));
        }
        std::vector<const Event*> in_range;
        for (const Event* event : rows) {
          if (in_period(event, period)) in_range.push_back(event);
        }
        values.total = MathOf(series, in_range, persons);
      }
    }
  }
  AddFormulaValues(request, result);
  return result;
}

}  // namespace cdp::query::testing
