// The retention engine over the EventStore's scans.
//
// Design, for speed (the benchmark's 8-week retention over 10 M events):
//  1. One scan of [start of period 0, to) reading only timestamp, the person
//     columns (resolved to persons under the query's one snapshot, once per
//     dictionary entry of a block) and the filters' columns. Predicates both selectors share are
//     pushed into the ScanRequest, and when both name an event (or a type),
//     `event IN (start, return)` is too, so the store skips blocks and rows
//     of other events by its dictionary and min/max stats. Each selector's
//     own predicates then narrow the batch's selection (FilterSelection: a
//     string predicate costs one test per dictionary entry, not per row).
//  2. Each selected row becomes (person, period, is_start, is_return), the
//     period found by binary search in at most 101 period starts, and is
//     appended as one 64-bit word to a per-worker, per-partition buffer
//     (PersonPeriods): no locks, sequential writes, no sort.
//  3. first_time only: a second scan, over start events alone, from the first
//     stored event to period 0, marks the persons who started before it (the
//     reserved period 127), so that their later start events open no cohort.
//  4. Each partition is folded into a cache-sized hash table: per person two
//     128-bit sets (periods with a start event, with a return event). Per
//     person, per cohort c (every start period, or the first one), bit
//     operations fill the table: "on" adds 1 at each return period after c;
//     "on or after" only records the person's LAST return period d (returned
//     on or after c + k  <=>  k <= d - c), and suffix sums at the end turn
//     those into counts. Per-thread tables, summed once: exact counts.
#include "query/retention/retention_engine.h"

#include <algorithm>
#include <bit>

#include "query/person_key.h"
#include "query/retention/person_periods.h"
#include "store/batch_filter.h"

namespace cdp::query {

namespace {

// first_time: the period of a start event before period 0; above any real
// period, so KeepBelow(periods) drops it from the cohorts.
constexpr int kBeforeFirstPeriod = PersonPeriods::kMaxPeriod;
static_assert(kBeforeFirstPeriod >= kMaxRetentionPeriods);

// The scan's fixed columns come first, in this order.
constexpr size_t kTimestampColumn = 0;
constexpr size_t kAnonymousIdColumn = 1;
constexpr size_t kUserIdColumn = 2;

bool SamePredicate(const Predicate& a, const Predicate& b) {
  return a.column == b.column && a.op == b.op && a.values == b.values;
}

bool Contains(const std::vector<Predicate>& predicates, const Predicate& predicate) {
  return std::any_of(predicates.begin(), predicates.end(),
                     [&](const Predicate& p) { return SamePredicate(p, predicate); });
}

// The operand of an `equals` predicate on `column`, if there is one.
const ScalarValue* EqualsOperand(const std::vector<Predicate>& predicates,
                                 std::string_view column) {
  for (const Predicate& predicate : predicates) {
    if (predicate.column == column && predicate.op == CompareOp::kEquals &&
        predicate.values.size() == 1) {
      return &predicate.values[0];
    }
  }
  return nullptr;
}

size_t ColumnIndex(std::vector<std::string>& columns, const std::string& name) {
  const auto found = std::find(columns.begin(), columns.end(), name);
  if (found != columns.end()) return size_t(found - columns.begin());
  columns.push_back(name);
  return columns.size() - 1;
}

// The period of an instant in [start of period 0, to) in constant time, for
// the scan's hot loop: a table indexed by slots of 2^shift microseconds, no
// longer than the shortest period, so that a slot holds at most one period
// boundary and one comparison settles it. A few hundred bytes at most.
class PeriodLookup {
 public:
  PeriodLookup(const TimeBuckets& periods, TimePoint to) {
    for (size_t i = 0; i < periods.size(); ++i) bounds_.push_back(periods.start_micros(i));
    bounds_.push_back(UnixMicros(to));
    first_ = bounds_[0];
    // Only the starts of periods 1 .. n-1 are boundaries inside the range.
    int64_t shortest = bounds_.back() - first_;
    for (size_t i = 0; i + 2 < bounds_.size(); ++i) {
      shortest = std::min(shortest, bounds_[i + 1] - bounds_[i]);
    }
    shift_ = std::bit_width(uint64_t(std::max<int64_t>(1, shortest))) - 1;
    const size_t slots = size_t((bounds_.back() - first_) >> shift_) + 1;
    size_t period = 0;
    for (size_t slot = 0; slot < slots; ++slot) {
      const int64_t start = first_ + (int64_t(slot) << shift_);
      while (period + 2 < bounds_.size() && bounds_[period + 1] <= start) ++period;
      slot_periods_.push_back(uint8_t(period));
    }
  }

  // -1 outside [start of period 0, to), which the scan's range excludes.
  int Of(int64_t micros) const {
    if (micros < first_ || micros >= bounds_.back()) return -1;
    const int period = slot_periods_[size_t((micros - first_) >> shift_)];
    return period + int(micros >= bounds_[size_t(period) + 1]);
  }

 private:
  std::vector<int64_t> bounds_;  // the periods' starts, then `to`
  int64_t first_ = 0;
  int shift_ = 0;
  std::vector<uint8_t> slot_periods_;  // the period holding each slot's start
};
static_assert(kMaxRetentionPeriods <= 255);

// The predicates of one selector that the scan does not already apply, with
// the batch column each one reads.
struct SelectorFilter {
  std::vector<Predicate> predicates;
  std::vector<size_t> columns;

  // Narrows `rows` (a copy of the batch's selection) to the rows passing.
  void Select(const ScanBatch& batch, std::vector<uint32_t>& rows, FilterScratch& scratch) const {
    rows.assign(batch.selection.begin(), batch.selection.end());
    for (size_t p = 0; p < predicates.size() && !rows.empty(); ++p) {
      FilterSelection(batch.columns[columns[p]], predicates[p], rows, scratch);
    }
  }
};

// The main scan: what it reads and pushes down, and what is left per selector.
struct ActivityScan {
  ScanRequest request;
  SelectorFilter start;
  SelectorFilter returned;
};

ActivityScan PlanActivityScan(const RetentionPlan& plan) {
  ActivityScan scan;
  scan.request.from = plan.periods.start(0);
  scan.request.to = plan.to;
  scan.request.columns = {"timestamp", "anonymous_id", "user_id"};
  for (const Predicate& predicate : plan.start_event) {
    if (Contains(plan.return_event, predicate)) {
      if (!Contains(scan.request.predicates, predicate))
        scan.request.predicates.push_back(predicate);
    } else {
      scan.start.predicates.push_back(predicate);
    }
  }
  for (const Predicate& predicate : plan.return_event) {
    if (!Contains(plan.start_event, predicate)) scan.returned.predicates.push_back(predicate);
  }
  // Rows of neither selector are never wanted: when both sides (beyond what
  // they share) name an event or a type, only those values can match.
  for (const std::string_view column : {"event", "type"}) {
    const ScalarValue* start = EqualsOperand(scan.start.predicates, column);
    const ScalarValue* returned = EqualsOperand(scan.returned.predicates, column);
    if (start != nullptr && returned != nullptr) {
      scan.request.predicates.push_back({.column = std::string(column),
                                         .op = CompareOp::kIn,
                                         .values = {*start, *returned},
                                         .regex = nullptr});
    }
  }
  for (SelectorFilter* filter : {&scan.start, &scan.returned}) {
    for (const Predicate& predicate : filter->predicates) {
      filter->columns.push_back(ColumnIndex(scan.request.columns, predicate.column));
    }
  }
  return scan;
}

// Per scan worker, reused from batch to batch.
struct ScanWorker {
  explicit ScanWorker(const PersonMap& persons_map) : persons(persons_map) {}

  PersonKeyReader persons;
  FilterScratch scratch;
  std::vector<PersonKey> keys;
  std::vector<uint32_t> start_rows;
  std::vector<uint32_t> return_rows;
};

Status ScanActivity(const QueryContext& context, EventStore& store, const RetentionPlan& plan,
                    const PersonMap& persons, PersonPeriods& activity) {
  const ActivityScan scan = PlanActivityScan(plan);
  const PeriodLookup periods(plan.periods, plan.to);
  const bool every_row_starts = scan.start.predicates.empty();
  const bool every_row_returns = scan.returned.predicates.empty();
  std::vector<ScanWorker> workers(std::max(1, context.parallelism), ScanWorker(persons));
  return ScanForQuery(
      store, context, scan.request, [&](int worker_index, const ScanBatch& batch) -> Status {
        ScanWorker& worker = workers[worker_index];
        const auto* times = std::get_if<TimeColumn>(&batch.columns[kTimestampColumn]);
        if (times == nullptr) return Status::Internal("retention: a batch without timestamps");
        worker.keys.clear();
        worker.persons.Read(batch, kAnonymousIdColumn, kUserIdColumn, worker.keys);
        if (!every_row_starts) scan.start.Select(batch, worker.start_rows, worker.scratch);
        if (!every_row_returns) scan.returned.Select(batch, worker.return_rows, worker.scratch);
        // Both row lists are ascending subsets of the selection: walk them
        // alongside it.
        size_t next_start = 0;
        size_t next_return = 0;
        // The store sorts rows by person, so a row often repeats the one
        // before it (same person, period and flags): it adds nothing.
        uint64_t previous_word = 0;
        PersonKey previous_person = 0;
        for (size_t i = 0; i < batch.selection.size(); ++i) {
          const uint32_t row = batch.selection[i];
          bool is_start = every_row_starts;
          if (!is_start && next_start < worker.start_rows.size() &&
              worker.start_rows[next_start] == row) {
            is_start = true;
            ++next_start;
          }
          bool is_return = every_row_returns;
          if (!is_return && next_return < worker.return_rows.size() &&
              worker.return_rows[next_return] == row) {
            is_return = true;
            ++next_return;
          }
          const PersonKey person = worker.keys[i];
          if ((!is_start && !is_return) || person == 0) continue;
          const int period = periods.Of(times->micros[row]);
          if (period < 0) continue;
          const uint64_t word = PersonPeriods::Row(person, period, is_start, is_return);
          if (word != previous_word || person != previous_person) {
            activity.Add(worker_index, person, word);
          }
          previous_word = word;
          previous_person = person;
        }
        return Status::Ok();
      });
}

// first_time: marks the persons with a start event before period 0.
Status ScanEarlierStarts(const QueryContext& context, EventStore& store, const RetentionPlan& plan,
                         const PersonMap& persons, PersonPeriods& activity) {
  CDP_ASSIGN_OR_RETURN(const StoreStats stats, store.Stats(context.workspace_id));
  const TimePoint first_period = plan.periods.start(0);
  if (stats.rows == 0 || stats.min_timestamp >= first_period) return Status::Ok();
  ScanRequest request{.workspace_id = context.workspace_id,
                      .from = stats.min_timestamp,
                      .to = first_period,
                      .columns = {"anonymous_id", "user_id"},
                      .predicates = plan.start_event};
  std::vector<PersonKeyReader> readers(std::max(1, context.parallelism), PersonKeyReader(persons));
  std::vector<std::vector<PersonKey>> keys(readers.size());
  return ScanForQuery(
      store, context, std::move(request), [&](int worker, const ScanBatch& batch) -> Status {
        keys[worker].clear();
        readers[worker].Read(batch, 0, 1, keys[worker]);
        PersonKey previous = 0;
        for (const PersonKey key : keys[worker]) {
          if (key != 0 && key != previous) {
            activity.Add(worker, key, PersonPeriods::Row(key, kBeforeFirstPeriod, true, false));
          }
          previous = key;
        }
        return Status::Ok();
      });
}

// The cohort table of some persons (one per thread), then of all.
class CohortCounter {
 public:
  CohortCounter(int periods, RetentionCohort cohort, RetentionReturning returning)
      : periods_(periods),
        cohort_(cohort),
        returning_(returning),
        counts_(size_t(periods) * size_t(periods), 0) {}

  void Add(const PersonActivity& person) {
    PeriodSet cohorts = person.start;
    cohorts.KeepBelow(periods_);
    if (cohorts.empty()) return;
    if (cohort_ == RetentionCohort::kFirstTime) {
      if (person.start.Has(kBeforeFirstPeriod)) return;
      const int first = cohorts.Lowest();
      cohorts = PeriodSet();
      cohorts.Add(first);
    }
    const PeriodSet& returned = person.returned;
    const int last_return = returned.Highest();
    cohorts.ForEach([&](int cohort) {
      uint64_t* row = &counts_[size_t(cohort) * size_t(periods_)];
      ++row[0];
      if (returning_ == RetentionReturning::kOnOrAfter) {
        if (last_return > cohort) ++row[last_return - cohort];
      } else {
        returned.ForEach([&](int period) {
          if (period > cohort) ++row[period - cohort];
        });
      }
    });
  }

  void AddTo(CohortCounter& total) const {
    for (size_t i = 0; i < counts_.size(); ++i) total.counts_[i] += counts_[i];
  }

  RetentionTable Table() const {
    RetentionTable table;
    table.persons.resize(size_t(periods_));
    for (int cohort = 0; cohort < periods_; ++cohort) {
      const uint64_t* row = &counts_[size_t(cohort) * size_t(periods_)];
      std::vector<uint64_t>& persons = table.persons[size_t(cohort)];
      persons.assign(row, row + (periods_ - cohort));
      if (returning_ == RetentionReturning::kOnOrAfter) {
        // row[d]: persons whose last return is d periods after the cohort.
        for (size_t k = persons.size() - 1; k >= 2; --k) persons[k - 1] += persons[k];
      }
    }
    return table;
  }

 private:
  int periods_;
  RetentionCohort cohort_;
  RetentionReturning returning_;
  // [cohort * periods_ + k]: k = 0 the cohort's size; k >= 1 "on": returned
  // in period cohort + k, "on_or_after": last returned in period cohort + k.
  std::vector<uint64_t> counts_;
};

}  // namespace

Result<RetentionTable> ComputeRetention(const QueryContext& context, EventStore& store,
                                        const RetentionPlan& plan) {
  const int periods = static_cast<int>(plan.periods.size());
  const int workers = std::max(1, context.parallelism);
  PersonPeriods activity(workers);
  // Both scans resolve persons with one snapshot: a person's earlier start
  // must be found under the same person as their later events.
  const std::shared_ptr<const PersonMap> persons = PersonSnapshotOf(context);
  CDP_RETURN_IF_ERROR(ScanActivity(context, store, plan, *persons, activity));
  if (plan.cohort == RetentionCohort::kFirstTime) {
    CDP_RETURN_IF_ERROR(ScanEarlierStarts(context, store, plan, *persons, activity));
  }
  if (context.Cancelled()) return CancelledStatus();
  std::vector<CohortCounter> counters(size_t(workers),
                                      CohortCounter(periods, plan.cohort, plan.returning));
  activity.ForEachPerson(workers, [&](int thread, std::span<const PersonActivity> persons) {
    for (const PersonActivity& person : persons) counters[size_t(thread)].Add(person);
  });
  if (context.Cancelled()) return CancelledStatus();
  for (size_t thread = 1; thread < counters.size(); ++thread) counters[thread].AddTo(counters[0]);
  return counters[0].Table();
}

}  // namespace cdp::query
