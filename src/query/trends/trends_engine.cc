// The trends engine over EventStore scans.
//
// Plan. Series with the same selector (type, event, filters) share one scan:
// one ScanRequest per distinct selector, its predicates pushed into the
// store, reading only `timestamp`, the person columns when some series of it
// counts persons, the breakdown column and the numeric properties its maths
// read. The scan covers the range, the previous period with compare, and the
// days before them that wau / mau windows reach back to.
//
// Time. TrendsTimeline cuts the axis into slices at every bucket, period and
// window edge; accumulators are kept per cell = (breakdown group << bits) |
// slice, and
// a bucket (a period, a window) is a run of slices summed at the end. A
// row's slice is one table lookup.
//
// Scan (per worker, no locks): breakdown values become group ids through
// the block's dictionary (BreakdownGroups: each code looked up once per
// block); then per row: its cell; an event count per cell; for property
// maths Moments per cell (sum / avg / min / max) or the (cell, value) pairs
// (exact quantiles); for person maths a PersonRecord (person, cell, count),
// the person resolved under the query's one snapshot (PersonKeyReader: once
// per dictionary entry of the block),
// consecutive rows of one person in one cell merged (the store keeps a
// person's rows together), spread over partitions by the key's top bits.
//
// Groups. Group ids are each worker's own. After the scans, values are
// merged by text, ranked by their event count over the range (summed over
// series) and the top N kept; the rest map to "other" (or are dropped when
// no period has one). With very many distinct values (more cells than
// TrendsEngineOptions::cell_budget) the first scan is abandoned: a counting
// pass ranks the values, and the scans rerun with the groups closed to the
// top N and "other".
//
// Finish. Counts and Moments are summed over workers into the answer's
// groups; quantile values are grouped by cell with a counting sort, so a
// bucket's values are one span (nth_element, exact); person records are
// brought together per partition, in parallel, by a counting sort on the
// next bits of the person key and a tiny sort per run, and each person's
// cells give its buckets, totals and merged window runs (PersonCounts): exact
// distinct counts with no shared hash set and no full sort.
//
// Cost (cdp_query_trends_benchmark, 2 M events, 200 k persons, 30 days, one
// part per day, 2 threads): a daily count about 3 ns of CPU per event, DAU
// about 50, DAU by country about 60, a daily p90 of a property about 26.
#include "query/trends/trends_engine.h"

#include <fmt/format.h>

#include <algorithm>
#include <atomic>
#include <map>
#include <memory>
#include <optional>

#include "query/person_key.h"
#include "query/trends/breakdown_groups.h"
#include "query/trends/trends_accumulators.h"
#include "query/trends/trends_person_counts.h"
#include "query/trends/trends_timeline.h"

namespace cdp::query {

namespace {

constexpr int kPersonPartitionBits = 8;
constexpr size_t kPersonPartitions = size_t(1) << kPersonPartitionBits;

// A numeric property some series of a scan reads.
struct PropertyPlan {
  std::string column;
  size_t column_index = 0;  // in the scan's columns
  bool moments = false;     // sum / avg / min / max
  bool values = false;      // quantiles
};

// One scan: the series that share a selector, and what they need.
struct ScanPlan {
  std::vector<Predicate> predicates;
  std::vector<size_t> series;  // request indices
  std::vector<std::string> columns;
  TimePoint from{};
  bool persons = false;
  PersonCounts::Needs person_needs;
  std::vector<PropertyPlan> properties;
  int breakdown_column = -1;
  size_t anonymous_id_column = 0;
  size_t user_id_column = 0;
};

// Series share a scan when their selectors say the same thing.
std::string SelectorKey(const EventSelector& selector) {
  std::string key = fmt::format("{}|{}|", selector.type ? int(*selector.type) : -1,
                                selector.event ? *selector.event : std::string("\x01"));
  for (const PropertyFilter& filter : selector.filters) {
    key += fmt::format("{}\x02{}", filter.column, int(filter.op));
    for (const ScalarValue& operand : filter.operands) {
      key +=
          fmt::format("\x03{}:{}", operand.index(), BreakdownText(operand).value_or(std::string()));
    }
    key += '\x04';
  }
  return key;
}

std::vector<ScanPlan> MakePlans(const TrendsRequest& request) {
  std::vector<ScanPlan> plans;
  std::map<std::string, size_t> plan_of_selector;
  for (size_t index = 0; index < request.series.size(); ++index) {
    const TrendsSeries& series = request.series[index];
    const auto [found, added] =
        plan_of_selector.emplace(SelectorKey(series.selector), plans.size());
    if (added) {
      plans.emplace_back();
      plans.back().predicates = series.predicates;
    }
    ScanPlan& plan = plans[found->second];
    plan.series.push_back(index);
    if (IsPersonMath(series.math)) {
      plan.persons = true;
      if (QuantileOf(series.math)) plan.person_needs.count_lists = true;
      if (const int days = WindowDaysOf(series.math)) {
        plan.person_needs.windows[days == 7 ? 0 : 1] = true;
      }
    }
    if (IsPropertyMath(series.math)) {
      auto property = std::find_if(plan.properties.begin(), plan.properties.end(),
                                   [&](const auto& p) { return p.column == series.math_property; });
      if (property == plan.properties.end()) {
        plan.properties.push_back(PropertyPlan{.column = series.math_property});
        property = plan.properties.end() - 1;
      }
      (QuantileOf(series.math) ? property->values : property->moments) = true;
    }
  }
  for (ScanPlan& plan : plans) {
    plan.columns.push_back("timestamp");
    if (plan.persons) {
      plan.anonymous_id_column = plan.columns.size();
      plan.user_id_column = plan.anonymous_id_column + 1;
      for (const std::string_view column : kPersonColumns) plan.columns.emplace_back(column);
    }
    if (request.breakdown) {
      plan.breakdown_column = static_cast<int>(plan.columns.size());
      plan.columns.push_back(request.breakdown->column);
    }
    for (PropertyPlan& property : plan.properties) {
      property.column_index = plan.columns.size();
      plan.columns.push_back(property.column);
    }
    // The earliest period, or earlier: the first window of a period starts
    // before any other of it.
    plan.from = request.periods.back().from;
    for (const TrendsPeriod& period : request.periods) {
      const TimePoint first_end = period.buckets.size() > 1 ? period.buckets.start(1) : period.to;
      for (int w = 0; w < 2; ++w) {
        if (!plan.person_needs.windows[w]) continue;
        plan.from = std::min(plan.from, WindowStart(request.time_zone, first_end, w == 0 ? 7 : 30));
      }
    }
  }
  return plans;
}

// One worker's accumulators for one scan. Cell arrays are laid out group by
// group ([group][slice]), so a new group appends without moving the others.
struct WorkerState {
  BreakdownGroups groups;
  size_t group_capacity = 0;
  std::vector<uint64_t> counts;                                  // per cell
  std::vector<std::vector<Moments>> moments;                     // per property, per cell
  std::vector<std::vector<std::pair<uint32_t, double>>> values;  // per property
  std::vector<std::vector<PersonRecord>> persons;                // per partition
  // Scratch, reused from block to block.
  std::vector<uint32_t> group_ids;
  std::vector<uint32_t> cells;
  std::vector<PersonKey> keys;
  std::optional<PersonKeyReader> person_reader;  // the plans that count persons
};

// Runs one plan's scan and keeps its per-worker accumulators.
class PlanScan {
 public:
  // REQUIRES: `persons` (the query's snapshot) outlives the scan.
  PlanScan(const ScanPlan& plan, const TrendsTimeline& timeline, int workers,
           const PersonMap& persons)
      : plan_(plan), timeline_(timeline), workers_(size_t(workers)) {
    for (WorkerState& worker : workers_) {
      worker.moments.resize(plan.properties.size());
      worker.values.resize(plan.properties.size());
      if (plan.persons) {
        worker.persons.resize(kPersonPartitions);
        worker.person_reader.emplace(persons);
      }
      if (plan.breakdown_column < 0) Reserve(worker, 1);
    }
  }

  // Closes every worker's groups to `values` (and "other" after them).
  void CloseGroups(const std::vector<std::optional<std::string>>& values) {
    for (WorkerState& worker : workers_) {
      worker.groups.Close(values);
      Reserve(worker, worker.groups.size());
    }
  }

  // The scan; `budget` bounds each worker's open cells (0: no bound). Sets
  // over_budget() and stops early when a worker passes it.
  Status Run(const QueryContext& context, EventStore& store, TimePoint to, size_t budget) {
    budget_ = budget;
    ScanRequest scan{.workspace_id = context.workspace_id,
                     .from = plan_.from,
                     .to = to,
                     .columns = plan_.columns,
                     .predicates = plan_.predicates};
    return ScanForQuery(store, context, std::move(scan),
                        [this](int worker, const ScanBatch& batch) {
                          return Consume(workers_[size_t(worker)], batch);
                        });
  }
  bool over_budget() const { return over_budget_.load(std::memory_order_relaxed); }

  std::vector<WorkerState>& workers() { return workers_; }
  const ScanPlan& plan() const { return plan_; }

 private:
  void Reserve(WorkerState& worker, size_t groups) {
    if (groups <= worker.group_capacity) return;
    worker.group_capacity = std::max(groups, worker.group_capacity * 2);
    const size_t cells = worker.group_capacity * timeline_.cells_per_group();
    worker.counts.resize(cells, 0);
    for (size_t p = 0; p < plan_.properties.size(); ++p) {
      if (plan_.properties[p].moments) worker.moments[p].resize(cells);
    }
  }

  Status Consume(WorkerState& worker, const ScanBatch& batch) {
    const std::span<const uint32_t> selection = batch.selection;
    if (selection.empty()) return Status::Ok();
    const auto* times = std::get_if<TimeColumn>(&batch.columns[0]);
    if (times == nullptr) return Status::Internal("trends: the timestamp column holds no times");
    const int slice_bits = timeline_.slice_bits();

    worker.cells.resize(selection.size());
    if (plan_.breakdown_column >= 0) {
      worker.group_ids.clear();
      worker.groups.Map(batch.columns[size_t(plan_.breakdown_column)], selection, worker.group_ids);
      if (budget_ != 0 && worker.groups.size() * timeline_.cells_per_group() > budget_) {
        over_budget_.store(true, std::memory_order_relaxed);
        return Status::Unavailable("trends: breakdown over the cell budget",
                                   std::chrono::seconds(0));
      }
      Reserve(worker, worker.groups.size());
      for (size_t i = 0; i < selection.size(); ++i) {
        const int slice = timeline_.SliceOf(times->micros[selection[i]]);
        if (slice < 0) return Status::Internal("trends: a row outside the scanned range");
        worker.cells[i] = (worker.group_ids[i] << slice_bits) | uint32_t(slice);
      }
    } else {
      for (size_t i = 0; i < selection.size(); ++i) {
        const int slice = timeline_.SliceOf(times->micros[selection[i]]);
        if (slice < 0) return Status::Internal("trends: a row outside the scanned range");
        worker.cells[i] = uint32_t(slice);
      }
    }

    uint64_t* counts = worker.counts.data();
    for (const uint32_t cell : worker.cells) ++counts[cell];

    for (size_t p = 0; p < plan_.properties.size(); ++p) {
      const PropertyPlan& property = plan_.properties[p];
      // A part where the property is not numeric (absent, or its type was
      // changed) has no numbers for it: its rows are skipped.
      const auto* numbers = std::get_if<NumberColumn>(&batch.columns[property.column_index]);
      if (numbers == nullptr) continue;
      Moments* moments = property.moments ? worker.moments[p].data() : nullptr;
      auto& values = worker.values[p];
      for (size_t i = 0; i < selection.size(); ++i) {
        const uint32_t row = selection[i];
        if (numbers->nulls.IsNull(row)) continue;
        const double value = numbers->values[row];
        if (moments != nullptr) moments[worker.cells[i]].Add(value);
        if (property.values) values.emplace_back(worker.cells[i], value);
      }
    }

    if (plan_.persons) {
      worker.keys.clear();
      worker.person_reader->Read(batch, plan_.anonymous_id_column, plan_.user_id_column,
                                 worker.keys);
      for (size_t i = 0; i < selection.size(); ++i) {
        const PersonKey person = worker.keys[i];
        if (person == 0) continue;  // no person: counts for "total" only
        const uint32_t cell = worker.cells[i];
        std::vector<PersonRecord>& partition =
            worker.persons[person >> (64 - kPersonPartitionBits)];
        if (!partition.empty() && partition.back().person == person &&
            partition.back().cell == cell) {
          ++partition.back().count;
        } else {
          partition.push_back({person, cell, 1});
        }
      }
    }
    return Status::Ok();
  }

  const ScanPlan& plan_;
  const TrendsTimeline& timeline_;
  std::vector<WorkerState> workers_;
  size_t budget_ = 0;
  std::atomic<bool> over_budget_{false};
};

// A breakdown value's event counts, summed over series: in the range (what
// ranks it) and in any period (whether "other" shows).
struct ValueCounts {
  uint64_t range = 0;
  uint64_t periods = 0;
};
using ValueCountMap = std::map<std::optional<std::string>, ValueCounts>;

// The answer's groups from every value's counts: the top `limit` values by
// range count (ties by value, null first), then "other" when some other
// value has events in a period.
std::vector<TrendsGroup> RankGroups(const ValueCountMap& counts, size_t limit) {
  std::vector<std::pair<uint64_t, const std::optional<std::string>*>> ranked;
  for (const auto& [value, count] : counts) {
    if (count.range > 0) ranked.emplace_back(count.range, &value);
  }
  std::sort(ranked.begin(), ranked.end(), [](const auto& a, const auto& b) {
    return a.first != b.first ? a.first > b.first : *a.second < *b.second;
  });
  std::vector<TrendsGroup> groups;
  for (size_t i = 0; i < ranked.size() && i < limit; ++i) groups.push_back({*ranked[i].second});
  // Every top value has events in the range, so some other value has events
  // in a period exactly when more values than the top have.
  const size_t in_periods = size_t(std::count_if(
      counts.begin(), counts.end(), [](const auto& entry) { return entry.second.periods > 0; }));
  if (in_periods > groups.size()) groups.push_back({std::nullopt, true});
  return groups;
}

// The counting pass of the fallback: each value's counts, with the groups
// left open and no time slices.
Result<ValueCountMap> CountBreakdownValues(const QueryContext& context, EventStore& store,
                                           const TrendsRequest& request,
                                           const std::vector<ScanPlan>& plans, int workers) {
  ValueCountMap counts;
  const int64_t range_from = UnixMicros(request.from);
  for (const ScanPlan& plan : plans) {
    struct Worker {
      BreakdownGroups groups;
      std::vector<uint32_t> ids;
      std::vector<ValueCounts> counts;
    };
    std::vector<Worker> state(static_cast<size_t>(workers));
    ScanRequest scan{.workspace_id = context.workspace_id,
                     .from = request.periods.back().from,
                     .to = request.to,
                     .columns = {"timestamp", request.breakdown->column},
                     .predicates = plan.predicates};
    CDP_RETURN_IF_ERROR(
        ScanForQuery(store, context, std::move(scan), [&](int index, const ScanBatch& batch) {
          Worker& worker = state[size_t(index)];
          const auto* times = std::get_if<TimeColumn>(&batch.columns[0]);
          if (times == nullptr)
            return Status::Internal("trends: the timestamp column holds no times");
          worker.ids.clear();
          worker.groups.Map(batch.columns[1], batch.selection, worker.ids);
          worker.counts.resize(worker.groups.size());
          for (size_t i = 0; i < batch.selection.size(); ++i) {
            ValueCounts& count = worker.counts[worker.ids[i]];
            ++count.periods;
            if (times->micros[batch.selection[i]] >= range_from) ++count.range;
          }
          return Status::Ok();
        }));
    const uint64_t series = plan.series.size();
    for (const Worker& worker : state) {
      for (size_t id = 0; id < worker.counts.size(); ++id) {
        ValueCounts& count = counts[worker.groups.values()[id]];
        count.range += worker.counts[id].range * series;
        count.periods += worker.counts[id].periods * series;
      }
    }
  }
  return counts;
}

// Sums `values[first, last)` of a worker-layout array into the answer's.
uint64_t SumOf(const std::vector<uint64_t>& values, size_t first, size_t last) {
  uint64_t sum = 0;
  for (size_t i = first; i < last; ++i) sum += values[i];
  return sum;
}

// A plan's accumulators in the answer's groups, every worker's summed.
struct PlanTotals {
  std::vector<uint64_t> counts;               // per cell
  std::vector<std::vector<Moments>> moments;  // per property, per cell
  std::vector<GroupedValues> values;          // per property, by cell
  std::optional<PersonCounts> persons;
};

PlanTotals Combine(PlanScan& scan, const TrendsTimeline& timeline, size_t groups,
                   const std::vector<std::vector<uint32_t>>& final_group, int parallelism) {
  const ScanPlan& plan = scan.plan();
  const int slice_bits = timeline.slice_bits();
  const uint32_t slice_mask = timeline.slice_mask();
  const size_t cells = groups << slice_bits;
  PlanTotals totals;
  totals.counts.assign(cells, 0);
  totals.moments.resize(plan.properties.size());
  for (size_t p = 0; p < plan.properties.size(); ++p) {
    if (plan.properties[p].moments) totals.moments[p].resize(cells);
  }
  std::vector<std::vector<std::pair<uint32_t, double>>> values(plan.properties.size());
  for (size_t w = 0; w < scan.workers().size(); ++w) {
    WorkerState& worker = scan.workers()[w];
    const std::vector<uint32_t>& group_of = final_group[w];
    const auto cell_of = [&](size_t local_cell) -> size_t {
      const uint32_t group = group_of[local_cell >> slice_bits];
      return group == kDroppedGroup ? SIZE_MAX
                                    : (size_t(group) << slice_bits) | (local_cell & slice_mask);
    };
    for (size_t cell = 0; cell < group_of.size() << slice_bits; ++cell) {
      const size_t final_cell = cell_of(cell);
      if (final_cell == SIZE_MAX) continue;
      totals.counts[final_cell] += worker.counts[cell];
      for (size_t p = 0; p < plan.properties.size(); ++p) {
        if (plan.properties[p].moments)
          totals.moments[p][final_cell].Merge(worker.moments[p][cell]);
      }
    }
    for (size_t p = 0; p < plan.properties.size(); ++p) {
      for (const auto& [cell, value] : worker.values[p]) {
        const size_t final_cell = cell_of(cell);
        if (final_cell != SIZE_MAX) values[p].emplace_back(uint32_t(final_cell), value);
      }
      std::vector<std::pair<uint32_t, double>>().swap(worker.values[p]);
    }
  }
  for (size_t p = 0; p < plan.properties.size(); ++p) {
    totals.values.emplace_back(cells, values[p]);
  }
  if (plan.persons) {
    std::vector<std::vector<std::vector<PersonRecord>>> records;
    for (WorkerState& worker : scan.workers()) records.push_back(std::move(worker.persons));
    totals.persons =
        CountPersons(parallelism, timeline, groups, plan.person_needs, records, final_group);
  }
  return totals;
}

// One series' values for one group and period, from its plan's totals.
TrendsValues SeriesValues(const TrendsSeries& series, const ScanPlan& plan, PlanTotals& totals,
                          const TrendsTimeline& timeline, size_t group, size_t period) {
  const size_t base = group << timeline.slice_bits();
  const std::vector<TrendsTimeline::Range>& buckets = timeline.buckets(period);
  const TrendsTimeline::Range whole = timeline.period(period);
  TrendsValues out;
  const TrendsMath math = series.math;

  if (math == TrendsMath::kTotal) {
    for (const TrendsTimeline::Range& bucket : buckets) {
      out.values.push_back(double(SumOf(totals.counts, base + bucket.first, base + bucket.last)));
    }
    out.total = double(SumOf(totals.counts, base + whole.first, base + whole.last));
    return out;
  }

  if (IsPropertyMath(math)) {
    const size_t p = size_t(std::find_if(plan.properties.begin(), plan.properties.end(),
                                         [&](const PropertyPlan& property) {
                                           return property.column == series.math_property;
                                         }) -
                            plan.properties.begin());
    std::vector<double> scratch;
    const auto value_of = [&](TrendsTimeline::Range range) -> std::optional<double> {
      if (const std::optional<double> quantile = QuantileOf(math)) {
        // A copy: Quantile reorders, and the spans of buckets and of the
        // whole period overlap.
        const std::span<const double> values =
            totals.values[p].Of(base + range.first, base + range.last);
        scratch.assign(values.begin(), values.end());
        return Quantile(scratch, *quantile);
      }
      Moments moments;
      for (size_t cell = base + range.first; cell < base + range.last; ++cell) {
        moments.Merge(totals.moments[p][cell]);
      }
      if (moments.count == 0) return std::nullopt;
      switch (math) {
        case TrendsMath::kSum:
          return moments.sum;
        case TrendsMath::kAvg:
          return moments.sum / double(moments.count);
        case TrendsMath::kMin:
          return moments.min;
        default:
          return moments.max;
      }
    };
    for (const TrendsTimeline::Range& bucket : buckets) out.values.push_back(value_of(bucket));
    out.total = value_of(whole);
    return out;
  }

  PersonCounts& persons = *totals.persons;
  const auto person_value = [&](uint64_t persons_count, uint64_t events,
                                std::span<double> per_person) -> double {
    if (persons_count == 0) return 0;
    if (math == TrendsMath::kCountPerPersonAvg) return double(events) / double(persons_count);
    if (const std::optional<double> quantile = QuantileOf(math)) {
      return Quantile(per_person, *quantile).value_or(0);
    }
    return double(persons_count);
  };
  const bool lists = persons.needs.count_lists;
  for (size_t bucket = 0; bucket < buckets.size(); ++bucket) {
    const size_t index = persons.BucketIndex(period, group, bucket);
    if (const int days = WindowDaysOf(math)) {
      out.values.push_back(double(persons.window_persons[days == 7 ? 0 : 1][index]));
      continue;
    }
    out.values.push_back(
        person_value(persons.persons[index], persons.events[index],
                     lists ? persons.per_person_events.Of(index, index + 1) : std::span<double>()));
  }
  const size_t index = persons.TotalIndex(period, group);
  out.total = person_value(
      persons.total_persons[index], persons.total_events[index],
      lists ? persons.total_per_person_events.Of(index, index + 1) : std::span<double>());
  if (WindowDaysOf(math) != 0) out.total = double(persons.total_persons[index]);
  return out;
}

}  // namespace

Result<TrendsResult> RunTrendsEngine(const QueryContext& context, EventStore& store,
                                     const TrendsRequest& request,
                                     const TrendsEngineOptions& options) {
  const int workers = std::max(1, context.parallelism);
  const TrendsTimeline timeline(request);
  const std::vector<ScanPlan> plans = MakePlans(request);
  // One snapshot for every scan, the fallback's second pass included.
  const std::shared_ptr<const PersonMap> persons = PersonSnapshotOf(context);
  std::vector<std::unique_ptr<PlanScan>> scans;
  const auto make_scans = [&] {
    scans.clear();
    for (const ScanPlan& plan : plans) {
      scans.push_back(std::make_unique<PlanScan>(plan, timeline, workers, *persons));
    }
  };

  TrendsResult result;
  // final_group[plan][worker][local group]: the answer's group.
  std::vector<std::vector<std::vector<uint32_t>>> final_group(plans.size());
  bool closed = false;
  if (request.breakdown) {
    make_scans();
    bool over_budget = false;
    for (const auto& scan : scans) {
      const Status status = scan->Run(context, store, request.to, options.cell_budget);
      if (scan->over_budget()) {
        over_budget = true;
        break;
      }
      CDP_RETURN_IF_ERROR(status);
    }
    ValueCountMap counts;
    if (over_budget) {
      CDP_ASSIGN_OR_RETURN(counts, CountBreakdownValues(context, store, request, plans, workers));
    } else {
      // Every worker's values with their counts, from the cells.
      for (const auto& scan : scans) {
        const TrendsTimeline::Range range = timeline.period(0);
        for (const WorkerState& worker : scan->workers()) {
          for (size_t id = 0; id < worker.groups.values().size(); ++id) {
            const size_t base = id << timeline.slice_bits();
            ValueCounts& count = counts[worker.groups.values()[id]];
            const uint64_t series = scan->plan().series.size();
            count.range += series * SumOf(worker.counts, base + range.first, base + range.last);
            for (size_t period = 0; period < timeline.periods(); ++period) {
              const TrendsTimeline::Range whole = timeline.period(period);
              count.periods += series * SumOf(worker.counts, base + whole.first, base + whole.last);
            }
          }
        }
      }
    }
    result.groups = RankGroups(counts, request.breakdown->limit);
    const bool has_other = !result.groups.empty() && result.groups.back().other;
    const size_t top = result.groups.size() - (has_other ? 1 : 0);
    if (over_budget) {
      std::vector<std::optional<std::string>> values;
      for (size_t group = 0; group < top; ++group) values.push_back(result.groups[group].value);
      make_scans();
      for (const auto& scan : scans) {
        scan->CloseGroups(values);
        CDP_RETURN_IF_ERROR(scan->Run(context, store, request.to, 0));
      }
      closed = true;
    }
    // Each worker's ids in the answer's groups.
    std::map<std::optional<std::string>, uint32_t> group_of_value;
    for (size_t group = 0; group < top; ++group) {
      group_of_value[result.groups[group].value] = uint32_t(group);
    }
    const uint32_t other = has_other ? uint32_t(top) : kDroppedGroup;
    for (size_t plan = 0; plan < plans.size(); ++plan) {
      for (const WorkerState& worker : scans[plan]->workers()) {
        std::vector<uint32_t>& map = final_group[plan].emplace_back();
        for (const std::optional<std::string>& value : worker.groups.values()) {
          const auto found = group_of_value.find(value);
          map.push_back(found != group_of_value.end() ? found->second : other);
        }
        if (closed) map.push_back(other);  // the closed groups' "other" id
      }
    }
  } else {
    make_scans();
    for (const auto& scan : scans) {
      CDP_RETURN_IF_ERROR(scan->Run(context, store, request.to, 0));
    }
    result.groups.push_back({});
    for (size_t plan = 0; plan < plans.size(); ++plan) {
      final_group[plan].assign(size_t(workers), std::vector<uint32_t>{0});
    }
  }

  const size_t groups = result.groups.size();
  result.series.assign(request.periods.size(),
                       std::vector<std::vector<TrendsValues>>(request.series.size()));
  for (size_t plan = 0; plan < plans.size(); ++plan) {
    PlanTotals totals =
        Combine(*scans[plan], timeline, groups, final_group[plan], context.parallelism);
    for (const size_t index : plans[plan].series) {
      for (size_t period = 0; period < request.periods.size(); ++period) {
        for (size_t group = 0; group < groups; ++group) {
          result.series[period][index].push_back(
              SeriesValues(request.series[index], plans[plan], totals, timeline, group, period));
        }
      }
    }
  }
  AddFormulaValues(request, result);
  return result;
}

}  // namespace cdp::query
