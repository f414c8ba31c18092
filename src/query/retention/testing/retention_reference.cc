#include "query/retention/testing/retention_reference.h"

#include <algorithm>
#include <map>
#include <optional>
#include <set>
#include <string>

#include "query/event_filter.h"
#include "query/person_key.h"

namespace cdp::query::testing {

namespace {

// The wall-clock start of the period holding `civil`, computed here rather
// than with the query layer's helpers.
cctz::civil_second PeriodFloor(const cctz::civil_second& civil, Interval period) {
  const cctz::civil_day day(civil);
  switch (period) {
    case Interval::kWeek: {
      cctz::civil_day monday = day;
      while (cctz::get_weekday(monday) != cctz::weekday::monday) monday -= 1;
      return monday;
    }
    case Interval::kMonth:
      return cctz::civil_second(civil.year(), civil.month(), 1);
    default:
      return day;
  }
}

cctz::civil_second PeriodAfter(const cctz::civil_second& start, Interval period) {
  const cctz::civil_day day(start);
  switch (period) {
    case Interval::kWeek:
      return day + 7;
    case Interval::kMonth:
      return cctz::civil_second(cctz::civil_month(start) + 1);
    default:
      return day + 1;
  }
}

struct Person {
  std::set<int> start_periods;
  std::set<int> return_periods;
  std::optional<TimePoint> first_start;  // ever, before `to`
};

}  // namespace

RetentionTable ReferenceRetention(std::span<const Event> events, const RetentionRequest& request,
                                  std::span<const Predicate> start_event,
                                  std::span<const Predicate> return_event,
                                  const PersonMap& person_map) {
  const TimeZone& zone = request.time_zone;
  // starts[p] is where period p begins; starts[periods] where the last ends.
  std::vector<TimePoint> starts;
  cctz::civil_second civil = PeriodFloor(zone.Civil(request.from), request.period);
  for (int p = 0; p <= request.periods; ++p) {
    starts.push_back(zone.Instant(civil));
    civil = PeriodAfter(civil, request.period);
  }
  const TimePoint to = request.to ? std::min(*request.to, starts.back()) : starts.back();
  int begun = 0;  // the periods that begin before `to`
  while (begun < request.periods && starts[size_t(begun)] < to) ++begun;
  const auto period_of = [&](TimePoint t) {
    if (t >= to) return -1;
    for (int p = 0; p < begun; ++p) {
      if (starts[size_t(p)] <= t && t < starts[size_t(p) + 1]) return p;
    }
    return -1;
  };

  std::map<PersonKey, Person> persons;
  for (const Event& event : events) {
    const PersonKey key = PersonOf(event, person_map);
    if (key == 0) continue;
    Person& person = persons[key];
    const int period = period_of(event.timestamp);
    if (EventMatches(event, start_event)) {
      if (period >= 0) person.start_periods.insert(period);
      if (event.timestamp < to && (!person.first_start || event.timestamp < *person.first_start)) {
        person.first_start = event.timestamp;
      }
    }
    if (EventMatches(event, return_event) && period >= 0) person.return_periods.insert(period);
  }

  RetentionTable table;
  for (int c = 0; c < begun; ++c) table.persons.emplace_back(size_t(begun - c), 0);
  for (const auto& [key, person] : persons) {
    std::set<int> cohorts;
    if (request.cohort == RetentionCohort::kRecurring) {
      cohorts = person.start_periods;
    } else if (person.first_start && period_of(*person.first_start) >= 0) {
      cohorts.insert(period_of(*person.first_start));
    }
    for (const int c : cohorts) {
      ++table.persons[size_t(c)][0];
      for (int k = 1; c + k < begun; ++k) {
        bool returned = false;
        for (const int r : person.return_periods) {
          if (request.returning == RetentionReturning::kOn ? r == c + k : r >= c + k) {
            returned = true;
          }
        }
        if (returned) ++table.persons[size_t(c)][size_t(k)];
      }
    }
  }
  return table;
}

}  // namespace cdp::query::testing
