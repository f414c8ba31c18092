#include "query/funnel/testing/funnel_reference.h"

#include <algorithm>
#include <map>
#include <string>
#include <vector>

#include "query/funnel/funnel_breakdown_key.h"
#include "query/person_key.h"
#include "query/time_buckets.h"
#include "store/event_columns.h"

namespace cdp::query::testing {

namespace {

// One event of a person, with what the definitions ask of it.
struct PersonEvent {
  int64_t micros = 0;
  std::vector<bool> steps;       // [k]: matches step k
  std::vector<bool> exclusions;  // [x]: matches exclusion x
  ScalarValue breakdown;         // its value of the breakdown property
  // With a breakdown, of an event that can start a chain: its value's key.
  uint64_t tie_key = 0;
};

using Chain = std::vector<size_t>;  // indices of the chain's events, c_1 first

bool AnyStep(const PersonEvent& event) {
  return std::find(event.steps.begin(), event.steps.end(), true) != event.steps.end();
}

// "Order": by time; then, at the lowest step that one matches and the other
// does not, the one that matches first; then by the breakdown key.
bool ComesBefore(const PersonEvent& a, const PersonEvent& b) {
  if (a.micros != b.micros) return a.micros < b.micros;
  for (size_t k = 0; k < a.steps.size(); ++k) {
    if (a.steps[k] != b.steps[k]) return a.steps[k];
  }
  return a.tie_key < b.tie_key;
}

// Whether every event of `events` can be given a different step it matches.
bool CanGiveEachAStep(const std::vector<PersonEvent>& person, const std::vector<size_t>& events,
                      size_t next, std::vector<bool>& taken) {
  if (next == events.size()) return true;
  const PersonEvent& event = person[events[next]];
  for (size_t k = 0; k < event.steps.size(); ++k) {
    if (!event.steps[k] || taken[k]) continue;
    taken[k] = true;
    const bool done = CanGiveEachAStep(person, events, next + 1, taken);
    taken[k] = false;
    if (done) return true;
  }
  return false;
}

// The chain the definitions pick from `start` (earliest next events).
Chain ChainFrom(const std::vector<PersonEvent>& person, size_t start,
                const FunnelRequest& request) {
  const size_t steps = request.steps.size();
  const int64_t last_micros = person[start].micros + request.window_micros;
  Chain chain = {start};
  switch (request.order) {
    case FunnelOrder::kOrdered:
      for (size_t next = start + 1; next < person.size() && chain.size() < steps; ++next) {
        if (person[next].micros > last_micros) break;
        if (person[next].steps[chain.size()]) chain.push_back(next);
      }
      break;
    case FunnelOrder::kStrict:
      for (size_t next = start + 1; next < person.size() && chain.size() < steps; ++next) {
        if (person[next].micros > last_micros || !person[next].steps[chain.size()]) break;
        chain.push_back(next);
      }
      break;
    case FunnelOrder::kUnordered:
      for (size_t next = start + 1; next < person.size() && chain.size() < steps; ++next) {
        if (person[next].micros > last_micros) break;
        if (!AnyStep(person[next])) continue;
        Chain longer = chain;
        longer.push_back(next);
        std::vector<bool> taken(steps, false);
        if (CanGiveEachAStep(person, longer, 0, taken)) chain = std::move(longer);
      }
      break;
  }
  return chain;
}

// The counted chain: the first start whose chain is the longest.
Chain CountedChain(const std::vector<PersonEvent>& person, const FunnelRequest& request) {
  Chain best;
  for (size_t start = 0; start < person.size(); ++start) {
    const bool starts =
        request.order == FunnelOrder::kUnordered ? AnyStep(person[start]) : person[start].steps[0];
    if (!starts) continue;
    Chain chain = ChainFrom(person, start, request);
    if (chain.size() > best.size()) best = std::move(chain);
  }
  return best;
}

bool Excluded(const std::vector<PersonEvent>& person, const Chain& chain,
              const FunnelRequest& request) {
  for (size_t x = 0; x < request.exclusions.size(); ++x) {
    const size_t from_step = static_cast<size_t>(request.exclusions[x].from_step);
    const size_t to_step = static_cast<size_t>(request.exclusions[x].to_step);
    if (chain.size() <= from_step) continue;
    const int64_t after = person[chain[from_step]].micros;
    for (const PersonEvent& event : person) {
      if (!event.exclusions[x]) continue;
      if (chain.size() > to_step) {
        if (event.micros > after && event.micros < person[chain[to_step]].micros) return true;
      } else if (event.micros > after &&
                 event.micros <= person[chain[0]].micros + request.window_micros) {
        return true;
      }
    }
  }
  return false;
}

// Persons per step and the conversion times of one group of persons.
struct Tally {
  std::vector<uint64_t> persons;
  std::vector<std::vector<int64_t>> micros;

  explicit Tally(size_t steps) : persons(steps), micros(steps) {}
  void Add(const std::vector<PersonEvent>& person, const Chain& chain) {
    for (size_t k = 0; k < chain.size(); ++k) {
      ++persons[k];
      if (k > 0) micros[k].push_back(person[chain[k]].micros - person[chain[k - 1]].micros);
    }
  }
  void Add(const Tally& other) {
    for (size_t k = 0; k < persons.size(); ++k) {
      persons[k] += other.persons[k];
      micros[k].insert(micros[k].end(), other.micros[k].begin(), other.micros[k].end());
    }
  }
  std::vector<FunnelStepStats> Stats() const {
    std::vector<FunnelStepStats> stats(persons.size());
    for (size_t k = 0; k < persons.size(); ++k) {
      stats[k].persons = persons[k];
      std::vector<int64_t> sorted = micros[k];
      if (sorted.empty()) continue;
      std::sort(sorted.begin(), sorted.end());
      const size_t n = sorted.size();
      const double median = n % 2 == 1 ? double(sorted[n / 2])
                                       : (double(sorted[n / 2 - 1]) + double(sorted[n / 2])) / 2;
      long double sum = 0;
      for (const int64_t value : sorted) sum += value;
      stats[k].median_seconds = median / 1e6;
      stats[k].average_seconds = double(sum / n) / 1e6;
    }
    return stats;
  }
};

std::vector<FunnelHistogramBin> Histogram(const std::vector<int64_t>& micros, int bins) {
  std::vector<FunnelHistogramBin> histogram;
  if (micros.empty()) return histogram;
  const int64_t least = *std::min_element(micros.begin(), micros.end());
  const int64_t most = *std::max_element(micros.begin(), micros.end());
  const int64_t lo_seconds = least / 1'000'000;
  // The smallest whole-second width with `bins` bins reaching the largest.
  int64_t width_seconds = 1;
  while ((lo_seconds + bins * width_seconds) * 1'000'000 < most) ++width_seconds;
  for (int b = 0; b < bins; ++b) {
    const int64_t from = lo_seconds + b * width_seconds;
    if (from * 1'000'000 > most) break;
    FunnelHistogramBin bin{from, from + width_seconds, 0};
    const bool last = b == bins - 1;
    for (const int64_t value : micros) {
      const int64_t end = bin.to_seconds * 1'000'000;
      if (value >= from * 1'000'000 && (value < end || (last && value == end))) ++bin.persons;
    }
    histogram.push_back(bin);
  }
  return histogram;
}

bool ValueLess(const ScalarValue& a, const ScalarValue& b) {
  if (a.index() != b.index()) return a.index() < b.index();
  if (a.index() == 1) return std::get<std::string>(a) < std::get<std::string>(b);
  if (a.index() == 2) return std::get<TimeValue>(a).micros < std::get<TimeValue>(b).micros;
  if (a.index() == 3) return std::get<double>(a) < std::get<double>(b);
  if (a.index() == 4) return std::get<bool>(a) < std::get<bool>(b);
  return false;
}

struct ValueOrder {
  bool operator()(const ScalarValue& a, const ScalarValue& b) const { return ValueLess(a, b); }
};

}  // namespace

Result<FunnelResult> ReferenceFunnel(std::span<const Event> events, std::string_view workspace_id,
                                     const FunnelRequest& request, const ColumnCatalog& catalog,
                                     const PersonMap& persons_map) {
  const size_t steps = request.steps.size();
  std::vector<std::vector<Predicate>> step_predicates;
  for (const FunnelStep& step : request.steps) {
    CDP_ASSIGN_OR_RETURN(std::vector<Predicate> predicates, ToPredicates(step.selector, catalog));
    step_predicates.push_back(std::move(predicates));
  }
  std::vector<std::vector<Predicate>> exclusion_predicates;
  for (const FunnelExclusion& exclusion : request.exclusions) {
    CDP_ASSIGN_OR_RETURN(std::vector<Predicate> predicates,
                         ToPredicates(exclusion.selector, catalog));
    exclusion_predicates.push_back(std::move(predicates));
  }

  // Every counted event, by person.
  std::map<PersonKey, std::vector<PersonEvent>> persons;
  for (const Event& event : events) {
    const int64_t micros = UnixMicros(event.timestamp);
    const PersonKey person = PersonOf(event, persons_map);
    if (event.workspace_id != workspace_id || micros < UnixMicros(request.from) ||
        micros >= UnixMicros(request.to) || person == 0) {
      continue;
    }
    PersonEvent e;
    e.micros = micros;
    for (const auto& predicates : step_predicates)
      e.steps.push_back(EventMatches(event, predicates));
    for (const auto& predicates : exclusion_predicates) {
      e.exclusions.push_back(EventMatches(event, predicates));
    }
    if (request.breakdown) {
      e.breakdown = ColumnValueOf(event, request.breakdown->column);
      const bool starts = request.order == FunnelOrder::kUnordered ? AnyStep(e) : bool(e.steps[0]);
      if (starts) e.tie_key = FunnelBreakdownKey(e.breakdown);
    }
    persons[person].push_back(std::move(e));
  }

  CDP_ASSIGN_OR_RETURN(
      const TimeBuckets buckets,
      TimeBuckets::Make(request.time_zone, request.interval, request.from, request.to, "interval"));
  std::map<std::string, std::pair<uint64_t, uint64_t>> by_label;  // entered, completed
  Tally all(steps);
  std::vector<int64_t> completion_micros;
  std::map<ScalarValue, Tally, ValueOrder> groups;
  for (auto& [key, person] : persons) {
    std::sort(person.begin(), person.end(), ComesBefore);
    const Chain chain = CountedChain(person, request);
    if (chain.empty() || Excluded(person, chain, request)) continue;
    all.Add(person, chain);
    const PersonEvent& first = person[chain[0]];
    const bool completed = chain.size() == steps;
    if (completed) completion_micros.push_back(person[chain.back()].micros - first.micros);
    // The bucket: the start of the interval holding c_1 on the zone's clock.
    const TimeZone& zone = request.time_zone;
    const std::string label = zone.Format(
        zone.Instant(FloorToInterval(zone.Civil(FromUnixMicros(first.micros)), request.interval)));
    ++by_label[label].first;
    if (completed) ++by_label[label].second;
    if (request.breakdown)
      groups.try_emplace(first.breakdown, steps).first->second.Add(person, chain);
  }

  FunnelResult result;
  result.steps = all.Stats();
  result.time_to_convert = Histogram(completion_micros, request.histogram_bins);
  for (size_t b = 0; b < buckets.size(); ++b) {
    const auto counts = by_label.find(buckets.Label(b));
    FunnelOverTimePoint point{buckets.Label(b), 0, 0};
    if (counts != by_label.end()) {
      point.entered = counts->second.first;
      point.completed = counts->second.second;
      by_label.erase(counts);
    }
    result.over_time.push_back(point);
  }
  if (!by_label.empty()) {
    return Status::Internal("reference: a chain starts outside every bucket: " +
                            by_label.begin()->first);
  }
  if (!request.breakdown) return result;
  std::vector<std::pair<ScalarValue, const Tally*>> ordered;
  for (const auto& [value, tally] : groups) ordered.emplace_back(value, &tally);
  std::stable_sort(ordered.begin(), ordered.end(), [](const auto& a, const auto& b) {
    return a.second->persons[0] > b.second->persons[0];  // then by value: the map's order
  });
  result.breakdown.emplace();
  const size_t limit = static_cast<size_t>(request.breakdown->limit);
  Tally other(steps);
  for (size_t g = 0; g < ordered.size(); ++g) {
    if (g < limit) {
      result.breakdown->push_back({ordered[g].first, false, ordered[g].second->Stats()});
    } else {
      other.Add(*ordered[g].second);
    }
  }
  if (ordered.size() > limit) result.breakdown->push_back({ScalarValue(), true, other.Stats()});
  return result;
}

}  // namespace cdp::query::testing
