#include "query/funnel/funnel_engine.h"

#include <algorithm>
#include <memory>
#include <optional>
#include <string>
#include <unordered_map>
#include <variant>

#include "query/funnel/funnel_breakdown_key.h"
#include "query/funnel/funnel_walk.h"
#include "query/person_key.h"
#include "query/person_rows.h"
#include "query/time_buckets.h"
#include "store/batch_filter.h"

namespace cdp::query {

namespace {

constexpr int64_t kMicrosPerSecond = 1'000'000;

// ---- What each row is: selectors, deduplicated, with the bits they set ----

bool SameSelector(const EventSelector& a, const EventSelector& b) {
  if (a.type != b.type || a.event != b.event || a.filters.size() != b.filters.size()) return false;
  for (size_t i = 0; i < a.filters.size(); ++i) {
    const PropertyFilter& x = a.filters[i];
    const PropertyFilter& y = b.filters[i];
    if (x.column != y.column || x.op != y.op || x.operands != y.operands) return false;
  }
  return true;
}

// One distinct selector of the request: its event name (compared per
// dictionary entry), its other predicates, and the step and exclusion bits
// of the rows it matches.
struct SelectorPlan {
  const EventSelector* selector = nullptr;
  int name = -1;                     // index in RowPlan::names; -1: any event
  std::vector<Predicate> rest;       // type and filters
  std::vector<size_t> rest_columns;  // batch column of each
  uint64_t steps = 0;
  uint64_t exclusions = 0;
};

struct RowPlan {
  std::vector<SelectorPlan> selectors;
  std::vector<std::string> names;  // distinct event names of the selectors
  // By name; the keys view the request's strings, which outlive the plan.
  std::unordered_map<std::string_view, int> name_index;
  // Bits of the selectors without other predicates: by event name, and
  // those naming no event (they match every row).
  std::vector<uint64_t> name_steps, name_exclusions;
  uint64_t any_steps = 0, any_exclusions = 0;
  std::vector<size_t> filtered;  // the selectors with other predicates
  bool every_selector_names_event = true;
};

Result<RowPlan> PlanRows(const FunnelRequest& request, const ColumnCatalog& catalog) {
  RowPlan plan;
  const auto add = [&](const EventSelector& selector, uint64_t steps,
                       uint64_t exclusions) -> Status {
    for (SelectorPlan& known : plan.selectors) {
      if (SameSelector(*known.selector, selector)) {
        known.steps |= steps;
        known.exclusions |= exclusions;
        return Status::Ok();
      }
    }
    SelectorPlan added;
    added.selector = &selector;
    added.steps = steps;
    added.exclusions = exclusions;
    EventSelector without_event = selector;
    without_event.event.reset();
    CDP_ASSIGN_OR_RETURN(added.rest, ToPredicates(without_event, catalog));
    if (selector.event) {
      const auto [it, inserted] =
          plan.name_index.try_emplace(*selector.event, static_cast<int>(plan.names.size()));
      if (inserted) plan.names.push_back(*selector.event);
      added.name = it->second;
    } else {
      plan.every_selector_names_event = false;
    }
    plan.selectors.push_back(std::move(added));
    return Status::Ok();
  };
  for (size_t k = 0; k < request.steps.size(); ++k) {
    CDP_RETURN_IF_ERROR(add(request.steps[k].selector, FunnelStepBit(static_cast<int>(k)), 0));
  }
  for (size_t x = 0; x < request.exclusions.size(); ++x) {
    CDP_RETURN_IF_ERROR(add(request.exclusions[x].selector, 0, uint64_t{1} << x));
  }
  plan.name_steps.assign(plan.names.size(), 0);
  plan.name_exclusions.assign(plan.names.size(), 0);
  for (size_t s = 0; s < plan.selectors.size(); ++s) {
    const SelectorPlan& selector = plan.selectors[s];
    if (!selector.rest.empty()) {
      plan.filtered.push_back(s);
    } else if (selector.name >= 0) {
      plan.name_steps[selector.name] |= selector.steps;
      plan.name_exclusions[selector.name] |= selector.exclusions;
    } else {
      plan.any_steps |= selector.steps;
      plan.any_exclusions |= selector.exclusions;
    }
  }
  return plan;
}

// ---- Per-thread totals ----

struct GroupTotals {
  std::vector<uint64_t> persons;                        // by step
  std::vector<std::vector<int64_t>> conversion_micros;  // by step; step 0's stays empty

  explicit GroupTotals(size_t steps) : persons(steps), conversion_micros(steps) {}
  void Merge(GroupTotals&& other) {
    for (size_t k = 0; k < persons.size(); ++k) {
      persons[k] += other.persons[k];
      conversion_micros[k].insert(conversion_micros[k].end(), other.conversion_micros[k].begin(),
                                  other.conversion_micros[k].end());
      std::vector<int64_t>().swap(other.conversion_micros[k]);
    }
  }
};

struct ThreadTotals {
  GroupTotals all;
  std::vector<int64_t> completion_micros;            // first to last step, of persons who completed
  std::vector<uint64_t> entered, completed;          // by over-time bucket
  std::unordered_map<uint64_t, GroupTotals> groups;  // by breakdown key

  ThreadTotals(size_t steps, size_t buckets) : all(steps), entered(buckets), completed(buckets) {}
};

FunnelStepStats Summarize(uint64_t persons, std::vector<int64_t>& micros) {
  FunnelStepStats stats;
  stats.persons = persons;
  if (micros.empty()) return stats;
  const size_t n = micros.size();
  const auto middle = micros.begin() + static_cast<ptrdiff_t>(n / 2);
  std::nth_element(micros.begin(), middle, micros.end());
  double median = double(*middle);
  if (n % 2 == 0) median = (median + double(*std::max_element(micros.begin(), middle))) / 2;
  __int128 sum = 0;
  for (const int64_t value : micros) sum += value;
  stats.median_seconds = median / kMicrosPerSecond;
  stats.average_seconds = double(sum) / double(n) / kMicrosPerSecond;
  return stats;
}

std::vector<FunnelStepStats> SummarizeGroup(GroupTotals& group) {
  std::vector<FunnelStepStats> steps;
  for (size_t k = 0; k < group.persons.size(); ++k) {
    steps.push_back(Summarize(group.persons[k], group.conversion_micros[k]));
  }
  return steps;
}

std::vector<FunnelHistogramBin> Histogram(const std::vector<int64_t>& micros, int bins) {
  std::vector<FunnelHistogramBin> histogram;
  if (micros.empty()) return histogram;
  const auto [least, most] = std::minmax_element(micros.begin(), micros.end());
  const int64_t lo = *least / kMicrosPerSecond * kMicrosPerSecond;  // times are >= 0
  const int64_t per_bin = int64_t{bins} * kMicrosPerSecond;
  const int64_t width =
      std::max<int64_t>(1, (*most - lo + per_bin - 1) / per_bin) * kMicrosPerSecond;
  const auto bin_of = [&](int64_t value) {
    return static_cast<size_t>(std::min<int64_t>(bins - 1, (value - lo) / width));
  };
  histogram.resize(bin_of(*most) + 1);
  for (size_t b = 0; b < histogram.size(); ++b) {
    histogram[b].from_seconds = (lo + int64_t(b) * width) / kMicrosPerSecond;
    histogram[b].to_seconds = (lo + int64_t(b + 1) * width) / kMicrosPerSecond;
  }
  for (const int64_t value : micros) ++histogram[bin_of(value)].persons;
  return histogram;
}

// The order of breakdown groups of equal size: by kind, then by value.
bool ValueLess(const ScalarValue& a, const ScalarValue& b) {
  if (a.index() != b.index()) return a.index() < b.index();
  if (const auto* text = std::get_if<std::string>(&a)) return *text < std::get<std::string>(b);
  if (const auto* time = std::get_if<TimeValue>(&a))
    return time->micros < std::get<TimeValue>(b).micros;
  if (const auto* number = std::get_if<double>(&a)) return *number < std::get<double>(b);
  if (const auto* boolean = std::get_if<bool>(&a)) return *boolean < std::get<bool>(b);
  return false;
}

// ---- The scan ----

// Per scan worker, reused from block to block.
struct ScanWorker {
  explicit ScanWorker(const PersonMap& persons) : person_reader(persons) {}

  PersonKeyReader person_reader;
  std::vector<PersonKey> persons;
  FilterScratch scratch;
  std::vector<uint32_t> selection;
  std::vector<int32_t> code_names;  // by event code: index in RowPlan::names, or -1
  std::vector<uint64_t> code_steps, code_exclusions;
  std::vector<uint64_t> row_steps, row_exclusions;  // by row of the block
  std::vector<uint64_t> value_keys;                 // by breakdown code; 0: not computed yet
  uint64_t last_value_key = 0;
  std::unordered_map<uint64_t, ScalarValue> values;  // by breakdown key
};

// The batch columns the funnel reads.
struct ColumnLayout {
  std::vector<std::string> names;
  size_t timestamp = 0, anonymous_id = 0, user_id = 0;
  std::optional<size_t> event;
  std::optional<size_t> breakdown;

  size_t Add(const std::string& name) {
    const auto it = std::find(names.begin(), names.end(), name);
    if (it != names.end()) return static_cast<size_t>(it - names.begin());
    names.push_back(name);
    return names.size() - 1;
  }
};

// The breakdown key of `row`, remembering the value of each new key.
uint64_t BreakdownKeyAt(const ColumnData& column, uint32_t row, ScanWorker& worker) {
  const auto remember = [&](uint64_t key, auto make_value) {
    if (key != worker.last_value_key) {
      worker.values.try_emplace(key, make_value());
      worker.last_value_key = key;
    }
    return key;
  };
  switch (column.index()) {
    case 1: {
      const auto& strings = std::get<StringColumn>(column);
      if (strings.nulls.IsNull(row)) return 0;
      const uint32_t code = strings.codes[row];
      if (worker.value_keys[code] == 0) {
        const std::string_view text = strings.dictionary[code];
        worker.value_keys[code] = FunnelStringKey(text);
        worker.values.try_emplace(worker.value_keys[code], std::string(text));
      }
      return worker.value_keys[code];
    }
    case 2: {
      const auto& times = std::get<TimeColumn>(column);
      if (times.nulls.IsNull(row)) return 0;
      const int64_t micros = times.micros[row];
      return remember(FunnelTimeKey(micros), [&] { return ScalarValue(TimeValue{micros}); });
    }
    case 3: {
      const auto& numbers = std::get<NumberColumn>(column);
      if (numbers.nulls.IsNull(row)) return 0;
      const double number = numbers.values[row] == 0 ? 0.0 : numbers.values[row];
      return remember(FunnelNumberKey(number), [&] { return ScalarValue(number); });
    }
    case 4: {
      const auto& booleans = std::get<BooleanColumn>(column);
      if (booleans.nulls.IsNull(row)) return 0;
      const bool value = booleans.values[row] != 0;
      return remember(FunnelBooleanKey(value), [&] { return ScalarValue(value); });
    }
    default:
      return 0;
  }
}

inline CompactFunnelPayload MakePayload(CompactFunnelPayload*, uint64_t steps, uint64_t, uint64_t) {
  return ~steps;
}
inline FullFunnelPayload MakePayload(FullFunnelPayload*, uint64_t steps, uint64_t breakdown,
                                     uint64_t exclusions) {
  return FullFunnelPayload{~steps, breakdown, exclusions};
}

class FunnelRun {
 public:
  FunnelRun(const QueryContext& context, const FunnelRequest& request, RowPlan plan,
            TimeBuckets buckets)
      : context_(context),
        request_(request),
        plan_(std::move(plan)),
        buckets_(std::move(buckets)),
        persons_(PersonSnapshotOf(context)),
        parallelism_(std::max(1, context.parallelism)),
        steps_(static_cast<int>(request.steps.size())) {}

  template <typename Payload>
  Result<FunnelResult> Run(EventStore& store);

 private:
  ScanRequest MakeScanRequest();
  template <typename Payload>
  Status Consume(int worker_index, const ScanBatch& batch, PersonRows<Payload>& rows);
  void MarkRows(const ScanBatch& batch, ScanWorker& worker, const StringColumn* events);
  template <typename Payload>
  void Walk(PersonRows<Payload>& rows, std::vector<ThreadTotals>& totals);
  FunnelResult Finish(std::vector<ThreadTotals>& totals);

  const QueryContext& context_;
  const FunnelRequest& request_;
  RowPlan plan_;  // rest_columns are filled in by MakeScanRequest
  const TimeBuckets buckets_;
  // Every row's person is resolved with this one snapshot.
  const std::shared_ptr<const PersonMap> persons_;
  const int parallelism_;
  const int steps_;
  ColumnLayout layout_;
  std::vector<ScanWorker> workers_;
};

ScanRequest FunnelRun::MakeScanRequest() {
  layout_.timestamp = layout_.Add("timestamp");
  layout_.anonymous_id = layout_.Add(std::string(kPersonColumns[0]));
  layout_.user_id = layout_.Add(std::string(kPersonColumns[1]));
  if (!plan_.names.empty()) layout_.event = layout_.Add("event");
  for (const size_t s : plan_.filtered) {
    SelectorPlan& selector = plan_.selectors[s];
    selector.rest_columns.clear();
    for (const Predicate& predicate : selector.rest) {
      selector.rest_columns.push_back(layout_.Add(predicate.column));
    }
  }
  if (request_.breakdown) layout_.breakdown = layout_.Add(request_.breakdown->column);
  ScanRequest scan;
  scan.workspace_id = context_.workspace_id;
  scan.from = request_.from;
  scan.to = request_.to;
  scan.columns = layout_.names;
  if (request_.order != FunnelOrder::kStrict && plan_.every_selector_names_event) {
    Predicate names{.column = "event", .op = CompareOp::kIn, .values = {}, .regex = nullptr};
    for (const std::string& name : plan_.names) names.values.emplace_back(name);
    scan.predicates.push_back(std::move(names));
  }
  return scan;
}

// Selectors with filters: each narrows a copy of the selection to its rows
// and ORs its bits into the per-row masks, which start from the
// event-name-only selectors' bits.
void FunnelRun::MarkRows(const ScanBatch& batch, ScanWorker& worker, const StringColumn* events) {
  worker.row_steps.resize(batch.block_rows);
  worker.row_exclusions.resize(batch.block_rows);
  const auto name_of = [&](uint32_t row) {
    return events == nullptr || events->nulls.IsNull(row) ? -1
                                                          : worker.code_names[events->codes[row]];
  };
  for (const uint32_t row : batch.selection) {
    const int name = name_of(row);
    worker.row_steps[row] = plan_.any_steps | (name >= 0 ? plan_.name_steps[name] : 0);
    worker.row_exclusions[row] =
        plan_.any_exclusions | (name >= 0 ? plan_.name_exclusions[name] : 0);
  }
  for (const size_t s : plan_.filtered) {
    const SelectorPlan& selector = plan_.selectors[s];
    worker.selection.clear();
    for (const uint32_t row : batch.selection) {
      if (selector.name < 0 || name_of(row) == selector.name) worker.selection.push_back(row);
    }
    for (size_t p = 0; p < selector.rest.size() && !worker.selection.empty(); ++p) {
      FilterSelection(batch.columns[selector.rest_columns[p]], selector.rest[p], worker.selection,
                      worker.scratch);
    }
    for (const uint32_t row : worker.selection) {
      worker.row_steps[row] |= selector.steps;
      worker.row_exclusions[row] |= selector.exclusions;
    }
  }
}

template <typename Payload>
Status FunnelRun::Consume(int worker_index, const ScanBatch& batch, PersonRows<Payload>& rows) {
  ScanWorker& worker = workers_[worker_index];
  const auto* times = std::get_if<TimeColumn>(&batch.columns[layout_.timestamp]);
  if (times == nullptr) return Status::Internal("funnel: the timestamp column is not a time");
  worker.persons.clear();
  worker.person_reader.Read(batch, layout_.anonymous_id, layout_.user_id, worker.persons);

  // Each event name of the block compared once with the selectors' names.
  const StringColumn* events =
      layout_.event ? std::get_if<StringColumn>(&batch.columns[*layout_.event]) : nullptr;
  if (events != nullptr) {
    const size_t codes = events->dictionary.size();
    worker.code_names.resize(codes);
    worker.code_steps.resize(codes);
    worker.code_exclusions.resize(codes);
    for (size_t code = 0; code < codes; ++code) {
      const auto it = plan_.name_index.find(events->dictionary[code]);
      const int name = it == plan_.name_index.end() ? -1 : it->second;
      worker.code_names[code] = name;
      worker.code_steps[code] = plan_.any_steps | (name >= 0 ? plan_.name_steps[name] : 0);
      worker.code_exclusions[code] =
          plan_.any_exclusions | (name >= 0 ? plan_.name_exclusions[name] : 0);
    }
  }
  const bool filtered = !plan_.filtered.empty();
  if (filtered) MarkRows(batch, worker, events);

  const ColumnData* breakdown = layout_.breakdown ? &batch.columns[*layout_.breakdown] : nullptr;
  if (breakdown != nullptr) {
    worker.last_value_key = 0;
    if (const auto* strings = std::get_if<StringColumn>(breakdown)) {
      worker.value_keys.assign(strings->dictionary.size(), 0);
    }
  }
  const bool keep_every_row = request_.order == FunnelOrder::kStrict;
  // The rows that can start a chain, whose breakdown value may be reported.
  const uint64_t start_steps =
      request_.order == FunnelOrder::kUnordered ? FunnelStepsMask(steps_) : FunnelStepBit(0);
  const std::span<const uint32_t> selection = batch.selection;
  const int64_t* micros = times->micros.data();
  for (size_t i = 0; i < selection.size(); ++i) {
    const uint32_t row = selection[i];
    const PersonKey person = worker.persons[i];
    uint64_t steps = 0;
    uint64_t exclusions = 0;
    if (filtered) {
      steps = worker.row_steps[row];
      exclusions = worker.row_exclusions[row];
    } else if (events != nullptr && !events->nulls.IsNull(row)) {
      steps = worker.code_steps[events->codes[row]];
      exclusions = worker.code_exclusions[events->codes[row]];
    } else {
      steps = plan_.any_steps;
      exclusions = plan_.any_exclusions;
    }
    if (person == 0 || ((steps | exclusions) == 0 && !keep_every_row)) continue;
    uint64_t breakdown_key = 0;
    if (breakdown != nullptr && (steps & start_steps) != 0) {
      breakdown_key = BreakdownKeyAt(*breakdown, row, worker);
    }
    rows.Add(worker_index, person, micros[row],
             MakePayload(static_cast<Payload*>(nullptr), steps, breakdown_key, exclusions));
  }
  return Status::Ok();
}

template <typename Payload>
void FunnelRun::Walk(PersonRows<Payload>& rows, std::vector<ThreadTotals>& totals) {
  std::vector<std::pair<int, int>> exclusions;
  for (const FunnelExclusion& exclusion : request_.exclusions) {
    exclusions.emplace_back(exclusion.from_step, exclusion.to_step);
  }
  std::vector<std::unique_ptr<FunnelWalker>> walkers;
  for (int thread = 0; thread < parallelism_; ++thread) {
    walkers.push_back(
        std::make_unique<FunnelWalker>(steps_, request_.window_micros, request_.order, exclusions));
  }
  using Row = typename PersonRows<Payload>::Row;
  rows.ForEachPerson(parallelism_, [&](int thread, std::span<const Row> person_rows) {
    PersonFunnel person;
    walkers[thread]->Walk(person_rows, person);
    if (person.level == 0 || person.excluded) return;
    ThreadTotals& total = totals[thread];
    const auto add = [&](GroupTotals& group) {
      for (int k = 0; k < person.level; ++k) ++group.persons[k];
      for (int k = 1; k < person.level; ++k) {
        group.conversion_micros[k].push_back(person_rows[person.rows[k]].micros -
                                             person_rows[person.rows[k - 1]].micros);
      }
    };
    add(total.all);
    const Row& first = person_rows[person.rows[0]];
    if (request_.breakdown) {
      add(total.groups.try_emplace(BreakdownKeyOf(first.payload), steps_).first->second);
    }
    const bool completed = person.level == steps_;
    if (completed) {
      total.completion_micros.push_back(person_rows[person.rows[steps_ - 1]].micros - first.micros);
    }
    const int bucket = buckets_.Index(first.micros);
    if (bucket >= 0) {  // always: c_1 is in [from, to)
      ++total.entered[bucket];
      if (completed) ++total.completed[bucket];
    }
  });
}

FunnelResult FunnelRun::Finish(std::vector<ThreadTotals>& totals) {
  ThreadTotals& merged = totals[0];
  for (size_t t = 1; t < totals.size(); ++t) {
    ThreadTotals& other = totals[t];
    merged.all.Merge(std::move(other.all));
    merged.completion_micros.insert(merged.completion_micros.end(), other.completion_micros.begin(),
                                    other.completion_micros.end());
    for (size_t b = 0; b < merged.entered.size(); ++b) {
      merged.entered[b] += other.entered[b];
      merged.completed[b] += other.completed[b];
    }
    for (auto& [key, group] : other.groups) {
      merged.groups.try_emplace(key, steps_).first->second.Merge(std::move(group));
    }
  }
  FunnelResult result;
  result.steps = SummarizeGroup(merged.all);
  result.time_to_convert = Histogram(merged.completion_micros, request_.histogram_bins);
  for (size_t b = 0; b < buckets_.size(); ++b) {
    result.over_time.push_back({buckets_.Label(b), merged.entered[b], merged.completed[b]});
  }
  if (!request_.breakdown) return result;

  std::unordered_map<uint64_t, ScalarValue> values;
  for (ScanWorker& worker : workers_) values.merge(worker.values);
  struct Group {
    ScalarValue value;
    GroupTotals* totals;
  };
  std::vector<Group> groups;
  for (auto& [key, group] : merged.groups) {
    const auto value = values.find(key);
    groups.push_back({value == values.end() ? ScalarValue() : value->second, &group});
  }
  std::sort(groups.begin(), groups.end(), [](const Group& a, const Group& b) {
    if (a.totals->persons[0] != b.totals->persons[0]) {
      return a.totals->persons[0] > b.totals->persons[0];
    }
    return ValueLess(a.value, b.value);
  });
  result.breakdown.emplace();
  const size_t limit = static_cast<size_t>(request_.breakdown->limit);
  for (size_t g = 0; g < std::min(limit, groups.size()); ++g) {
    result.breakdown->push_back({groups[g].value, false, SummarizeGroup(*groups[g].totals)});
  }
  if (groups.size() > limit) {
    GroupTotals other(static_cast<size_t>(steps_));
    for (size_t g = limit; g < groups.size(); ++g) other.Merge(std::move(*groups[g].totals));
    result.breakdown->push_back({ScalarValue(), true, SummarizeGroup(other)});
  }
  return result;
}

template <typename Payload>
Result<FunnelResult> FunnelRun::Run(EventStore& store) {
  const ScanRequest scan = MakeScanRequest();
  workers_.reserve(static_cast<size_t>(parallelism_));
  for (int worker = 0; worker < parallelism_; ++worker) workers_.emplace_back(*persons_);
  PersonRows<Payload> rows(parallelism_);
  CDP_RETURN_IF_ERROR(ScanForQuery(store, context_, scan, [&](int worker, const ScanBatch& batch) {
    return Consume(worker, batch, rows);
  }));
  if (context_.Cancelled()) return CancelledStatus();
  std::vector<ThreadTotals> totals;
  for (int thread = 0; thread < parallelism_; ++thread) {
    totals.emplace_back(static_cast<size_t>(steps_), buckets_.size());
  }
  Walk(rows, totals);
  if (context_.Cancelled()) return CancelledStatus();
  return Finish(totals);
}

}  // namespace

Result<FunnelResult> RunFunnel(const QueryContext& context, EventStore& store,
                               const FunnelRequest& request) {
  CDP_ASSIGN_OR_RETURN(
      const TimeBuckets buckets,
      TimeBuckets::Make(request.time_zone, request.interval, request.from, request.to, "interval"));
  CDP_ASSIGN_OR_RETURN(const ColumnCatalog catalog,
                       ColumnCatalog::Load(store, context.workspace_id));
  CDP_ASSIGN_OR_RETURN(RowPlan plan, PlanRows(request, catalog));
  FunnelRun run(context, request, std::move(plan), buckets);
  if (request.exclusions.empty() && !request.breakdown) {
    return run.Run<CompactFunnelPayload>(store);
  }
  return run.Run<FullFunnelPayload>(store);
}

}  // namespace cdp::query
