// The explorer's engine: one page of a workspace's events, filtered and in
// (timestamp, message_id) order, found in two phases of scans that each keep
// only the best rows.
//
// A page of `limit` rows needs the best k = limit + 1 rows after the cursor
// (the extra one says whether another page follows), out of possibly
// millions. The store returns blocks in no particular order, so:
//
//  1. Threshold. Scans that read only `timestamp` (and the predicates'
//     columns, which the store evaluates) keep, per worker, a bounded heap
//     of the k best timestamps strictly past the cursor's one: one integer
//     compare per row, and a heap update only for rows that beat the
//     worker's current k-th. The k-th best of all workers' heaps is the
//     threshold T: no row of the page is older (newest first) than T. The
//     range is read in day-aligned windows from its best end (the rest of
//     the last day, then the 1, 2, 4, ... days before it): the store skips
//     the other days' partitions, and once k rows are seen the older
//     windows cannot matter, so a page of recent events reads about a day
//     of timestamps, not the whole range. Fewer than k rows in the whole
//     range means the page holds every remaining row, and no T.
//
//  2. Rows. A scan of the narrowed range, from T up to the cursor's
//     timestamp included, reads every column the page shows; each worker
//     keeps its k best rows by the full key (at most 2k at a time, see
//     RowsState), rendering a row's JSON only when it may be one of them.
//     Rows at the cursor's timestamp are compared by message id. The best k
//     of all workers', sorted, are the page and the next page's first row.
//
// Phase 1 decodes one column (plus the predicates') until it has k rows;
// phase 2 decodes the shown columns only for blocks that overlap the narrow
// range, typically the last day's partition for a newest-first page. Both
// keep memory in O(k) per worker whatever the range holds, also when many
// events share a timestamp (they tie at T and compete in phase 2's heaps).
//
// Filters are store predicates (AND). The person filter is not one: a
// person is a set of distinct ids (PersonDirectory::MemberIds of the value,
// a profile id or any id), and an event is theirs when the id it resolves
// from (its user id, else its anonymous id: ResolutionIdOf) is one of them.
// So each phase runs two scans, one per case ("user_id IN members", and
// "user_id is not set and anonymous_id IN members"), disjoint, into the same
// workers' heaps: exact for resolution by user id first, with the members
// pushed into the store (dictionary lookups, block skipping) rather than
// every event of the range resolved. A profile id of nobody is an empty
// page. Rows show person_id = ProfileIdOf(PersonOf the row) under the
// query's one snapshot.
#include "query/explorer/events_scan.h"

#include <algorithm>
#include <functional>
#include <iterator>
#include <limits>
#include <memory>
#include <optional>
#include <span>
#include <string>
#include <string_view>
#include <variant>
#include <vector>

#include "core/json_writer.h"
#include "query/person_key.h"

namespace cdp::query {

namespace {

// A half-open range of microseconds.
struct MicrosRange {
  int64_t from = 0;
  int64_t to = 0;
  bool empty() const { return from >= to; }
};

int64_t CeilMicros(TimePoint t) {
  const int64_t floor = UnixMicros(t);
  return FromUnixMicros(floor) < t ? floor + 1 : floor;
}

int64_t Plus1(int64_t micros) {
  return micros == std::numeric_limits<int64_t>::max() ? micros : micros + 1;
}

// The rows of phase 1 and phase 2: those of the request's range strictly past
// the cursor's timestamp (phase 1), or including it (phase 2, which compares
// message ids there). The cursor may lie anywhere (a client may change the
// range between pages), so everything is clamped to the request's range.
MicrosRange ScanRange(const EventsRequest& request, bool include_cursor_micros) {
  // Events are stored to the microsecond: t >= from and t < to for a
  // finer-grained bound are t >= ceil(from) and t < ceil(to).
  MicrosRange range{CeilMicros(request.from), CeilMicros(request.to)};
  if (!request.after) return range;
  const int64_t at = request.after->micros;
  if (request.order == EventsOrder::kNewestFirst) {
    range.to = std::min(range.to, include_cursor_micros ? Plus1(at) : at);
  } else {
    range.from = std::max(range.from, include_cursor_micros ? at : Plus1(at));
  }
  return range;
}

// What every scan of one page shares: the predicates of each scan a phase
// runs (see the top of the file; none: the page is empty) and the snapshot
// rows' persons are shown with.
struct PageScans {
  std::vector<std::vector<Predicate>> predicates;
  std::shared_ptr<const PersonMap> persons;
};

// The person filter spelt out as predicates over the person's ids, in the
// order ResolutionIdOf reads them.
Result<PageScans> PlanPageScans(const QueryContext& context, const EventsRequest& request) {
  PageScans scans{.predicates = {}, .persons = PersonSnapshotOf(context)};
  if (!request.person_id) {
    scans.predicates.push_back(request.predicates);
    return scans;
  }
  CDP_ASSIGN_OR_RETURN(const std::vector<std::string> members,
                       PersonMemberIds(context, *request.person_id));
  if (members.empty()) return scans;  // a profile id of nobody
  Predicate in_members{.column = "", .op = CompareOp::kIn, .values = {}, .regex = nullptr};
  for (const std::string& id : members) in_members.values.emplace_back(id);
  Predicate by_user_id = in_members;
  by_user_id.column = std::string(kPersonColumns[1]);
  Predicate by_anonymous_id = std::move(in_members);
  by_anonymous_id.column = std::string(kPersonColumns[0]);
  std::vector<Predicate> user_rows = {std::move(by_user_id)};
  std::vector<Predicate> anonymous_rows = {{.column = std::string(kPersonColumns[1]),
                                            .op = CompareOp::kIsNotSet,
                                            .values = {},
                                            .regex = nullptr},
                                           std::move(by_anonymous_id)};
  for (std::vector<Predicate>* scan : {&user_rows, &anonymous_rows}) {
    scan->insert(scan->end(), request.predicates.begin(), request.predicates.end());
  }
  scans.predicates.push_back(std::move(user_rows));
  scans.predicates.push_back(std::move(anonymous_rows));
  return scans;
}

Status RunScans(const QueryContext& context, EventStore& store, const PageScans& scans,
                MicrosRange range, const std::vector<std::string>& columns,
                const EventStore::ScanConsumer& consume) {
  if (range.empty()) return Status::Ok();
  for (const std::vector<Predicate>& predicates : scans.predicates) {
    ScanRequest scan;
    scan.from = FromUnixMicros(range.from);
    scan.to = FromUnixMicros(range.to);
    scan.columns = columns;
    scan.predicates = predicates;
    CDP_RETURN_IF_ERROR(ScanForQuery(store, context, std::move(scan), consume));
  }
  return Status::Ok();
}

Status NotATime() { return Status::Internal("explorer: the timestamp column is not a time"); }

// --- Phase 1: the threshold ------------------------------------------------

constexpr int64_t kMicrosPerDay = int64_t{86'400} * 1'000'000;

int64_t FloorToDay(int64_t micros) {
  const int64_t day = micros / kMicrosPerDay * kMicrosPerDay;
  return day > micros ? day - kMicrosPerDay : day;
}

// The windows phase 1 reads `range` in, best first (newest first: from the
// end back), each ending on a UTC day where the previous one starts: the
// rest of the first day, then 1, 2, 4, ... days. The store partitions by
// day, so a window reads only its own days' parts, and the number of scans
// stays logarithmic in the range's length.
std::vector<MicrosRange> WindowsOf(MicrosRange range, EventsOrder order) {
  std::vector<MicrosRange> windows;
  if (range.empty()) return windows;
  int64_t days = 0;  // the first window is the rest of a day
  if (order == EventsOrder::kNewestFirst) {
    for (int64_t end = range.to; end > range.from; days = std::max<int64_t>(1, days * 2)) {
      const int64_t start = days == 0 ? FloorToDay(end - 1) : end - days * kMicrosPerDay;
      windows.push_back({std::max(range.from, start), end});
      end = windows.back().from;
    }
  } else {
    for (int64_t start = range.from; start < range.to; days = std::max<int64_t>(1, days * 2)) {
      const int64_t end =
          days == 0 ? FloorToDay(start) + kMicrosPerDay : start + days * kMicrosPerDay;
      windows.push_back({start, std::min(range.to, end)});
      start = windows.back().to;
    }
  }
  return windows;
}

// What one worker keeps in phase 1.
struct ThresholdState {
  // The k best ranks seen as a min-heap (front() is the k-th). A rank is a
  // timestamp, larger is better: the timestamp itself newest first, its
  // complement (~t, order-reversing without overflow) oldest first.
  std::vector<int64_t> heap;
  uint64_t rows = 0;  // every matching row seen
};

void AddRanks(std::span<const int64_t> micros, std::span<const uint32_t> selection, int64_t flip,
              size_t k, ThresholdState& state) {
  std::vector<int64_t>& heap = state.heap;
  state.rows += selection.size();
  size_t i = 0;
  for (; i < selection.size() && heap.size() < k; ++i) {
    heap.push_back(micros[selection[i]] ^ flip);
    std::push_heap(heap.begin(), heap.end(), std::greater<>());
  }
  if (i == selection.size()) return;
  // The hot loop: most rows lose to the k-th on one compare.
  int64_t worst = heap.front();
  for (; i < selection.size(); ++i) {
    const int64_t rank = micros[selection[i]] ^ flip;
    if (rank <= worst) continue;
    std::pop_heap(heap.begin(), heap.end(), std::greater<>());
    heap.back() = rank;
    std::push_heap(heap.begin(), heap.end(), std::greater<>());
    worst = heap.front();
  }
}

// The k-th best timestamp of the matching rows in `range`; nullopt when
// fewer than k rows match. Reads the windows best first and stops after
// the first window that brings the rows seen to k: every row of a later
// window is worse than all of them.
Result<std::optional<int64_t>> FindThreshold(const QueryContext& context, EventStore& store,
                                             const EventsRequest& request, const PageScans& scans,
                                             MicrosRange range, size_t k) {
  std::vector<ThresholdState> states(std::max(context.parallelism, 1));
  const int64_t flip = request.order == EventsOrder::kNewestFirst ? 0 : -1;
  uint64_t rows = 0;
  for (const MicrosRange window : WindowsOf(range, request.order)) {
    CDP_RETURN_IF_ERROR(RunScans(
        context, store, scans, window, {"timestamp"}, [&](int worker, const ScanBatch& batch) {
          const auto* times = std::get_if<TimeColumn>(&batch.columns[0]);
          if (times == nullptr) return NotATime();
          AddRanks(times->micros, batch.selection, flip, k, states[worker]);
          return Status::Ok();
        }));
    rows = 0;
    for (const ThresholdState& state : states) rows += state.rows;
    if (rows >= k) break;
  }
  if (rows < k) return std::optional<int64_t>();
  std::vector<int64_t> ranks;
  for (const ThresholdState& state : states) {
    ranks.insert(ranks.end(), state.heap.begin(), state.heap.end());
  }
  std::nth_element(ranks.begin(), ranks.begin() + (k - 1), ranks.end(), std::greater<>());
  return std::optional<int64_t>(ranks[k - 1] ^ flip);
}

// --- Phase 2: the rows -----------------------------------------------------

// Where each shown column's values are in the phase 2 scan's columns.
struct RowLayout {
  std::vector<std::string> scan_columns;  // "timestamp" and "message_id" first
  struct Source {
    size_t column = 0;       // kStored; kPersonId: anonymous_id
    size_t user_column = 0;  // kPersonId: user_id
    // kSection: each stored column of the section and its key in the object.
    std::vector<std::pair<size_t, std::string>> section;
  };
  std::vector<Source> sources;  // per EventsRequest::columns

  size_t ColumnOf(std::string_view name) {
    for (size_t i = 0; i < scan_columns.size(); ++i) {
      if (scan_columns[i] == name) return i;
    }
    scan_columns.emplace_back(name);
    return scan_columns.size() - 1;
  }
};

constexpr size_t kTimestampColumn = 0;
constexpr size_t kMessageIdColumn = 1;

RowLayout LayoutOf(const EventsRequest& request) {
  RowLayout layout;
  layout.ColumnOf("timestamp");
  layout.ColumnOf("message_id");
  for (const EventsColumn& column : request.columns) {
    RowLayout::Source& source = layout.sources.emplace_back();
    switch (column.kind) {
      case EventsColumn::Kind::kStored:
        source.column = layout.ColumnOf(column.name);
        break;
      case EventsColumn::Kind::kPersonId:
        source.column = layout.ColumnOf(kPersonColumns[0]);
        source.user_column = layout.ColumnOf(kPersonColumns[1]);
        break;
      case EventsColumn::Kind::kSection:
        for (const std::string& name : column.section_columns) {
          source.section.emplace_back(layout.ColumnOf(name), name.substr(column.prefix.size()));
        }
        break;
    }
  }
  return layout;
}

// The string of a row, or nullopt when it is null (or not a string).
std::optional<std::string_view> StringAt(const ColumnData& column, uint32_t row) {
  const auto* strings = std::get_if<StringColumn>(&column);
  if (strings == nullptr || strings->nulls.IsNull(row)) return std::nullopt;
  return strings->dictionary[strings->codes[row]];
}

bool IsNullAt(const ColumnData& column, uint32_t row) {
  return std::visit(
      [&](const auto& data) {
        if constexpr (std::is_same_v<std::decay_t<decltype(data)>, std::monostate>) {
          return true;
        } else {
          return data.nulls.IsNull(row);
        }
      },
      column);
}

void WriteValueAt(JsonWriter& writer, const ColumnData& column, uint32_t row) {
  if (IsNullAt(column, row)) {
    writer.Null();
  } else if (const auto* strings = std::get_if<StringColumn>(&column)) {
    writer.String(strings->dictionary[strings->codes[row]]);
  } else if (const auto* times = std::get_if<TimeColumn>(&column)) {
    writer.String(FormatMicrosIso8601(times->micros[row]));
  } else if (const auto* numbers = std::get_if<NumberColumn>(&column)) {
    writer.Double(numbers->values[row]);
  } else if (const auto* booleans = std::get_if<BooleanColumn>(&column)) {
    writer.Bool(booleans->values[row] != 0);
  }
}

void RenderRow(JsonWriter& writer, const EventsRequest& request, const RowLayout& layout,
               const PersonMap& persons, const ScanBatch& batch, uint32_t row) {
  writer.BeginObject();
  for (size_t i = 0; i < request.columns.size(); ++i) {
    const RowLayout::Source& source = layout.sources[i];
    writer.Key(request.columns[i].name);
    switch (request.columns[i].kind) {
      case EventsColumn::Kind::kStored:
        WriteValueAt(writer, batch.columns[source.column], row);
        break;
      case EventsColumn::Kind::kPersonId: {
        // Resolved per rendered row, not per dictionary entry: only rows
        // that may make the page are rendered.
        const PersonKey person =
            PersonOf(StringAt(batch.columns[source.column], row).value_or(""),
                     StringAt(batch.columns[source.user_column], row).value_or(""), persons);
        if (person == 0) {
          writer.Null();
        } else {
          writer.String(ProfileIdOf(person));
        }
        break;
      }
      case EventsColumn::Kind::kSection:
        writer.BeginObject();
        for (const auto& [column, key] : source.section) {
          if (IsNullAt(batch.columns[column], row)) continue;
          writer.Key(key);
          WriteValueAt(writer, batch.columns[column], row);
        }
        writer.EndObject();
        break;
    }
  }
  writer.EndObject();
}

struct Candidate {
  EventPosition position;
  std::string json;
};

// Whether `a` comes before `b` in the page's order.
struct ComesBefore {
  EventsOrder order;
  bool operator()(const Candidate& a, const Candidate& b) const {
    return ComesAfter(order, b.position.micros, b.position.message_id, a.position);
  }
};

// What one worker keeps in phase 2: its best rows so far, unordered. When
// they reach 2k, the best k are selected (nth_element) and the k-th becomes
// the bar a row must beat to be rendered at all: amortized O(1) per row,
// where a heap would move rows O(log k) times each.
struct RowsState {
  std::vector<Candidate> rows;
  std::optional<EventPosition> bar;
  size_t json_bytes = 64;  // the last row's size, to reserve the next one's
};

void KeepBest(std::vector<Candidate>& rows, size_t k, const ComesBefore& before) {
  if (rows.size() <= k) return;
  std::nth_element(rows.begin(), rows.begin() + (k - 1), rows.end(), before);
  rows.resize(k);
}

// The best k rows of `range` past the cursor, in order.
Result<std::vector<Candidate>> FindRows(const QueryContext& context, EventStore& store,
                                        const EventsRequest& request, const PageScans& scans,
                                        MicrosRange range, size_t k) {
  const RowLayout layout = LayoutOf(request);
  const ComesBefore before{request.order};
  const EventsOrder order = request.order;
  std::vector<RowsState> states(std::max(context.parallelism, 1));
  Status status = RunScans(
      context, store, scans, range, layout.scan_columns, [&](int worker, const ScanBatch& batch) {
        const auto* times = std::get_if<TimeColumn>(&batch.columns[kTimestampColumn]);
        if (times == nullptr) return NotATime();
        const ColumnData& message_ids = batch.columns[kMessageIdColumn];
        RowsState& state = states[worker];
        for (const uint32_t row : batch.selection) {
          const int64_t micros = times->micros[row];
          const std::string_view message_id = StringAt(message_ids, row).value_or("");
          if (request.after && !ComesAfter(order, micros, message_id, *request.after)) {
            continue;  // at the cursor's timestamp, on an earlier page
          }
          if (state.bar &&
              !ComesAfter(order, state.bar->micros, state.bar->message_id, micros, message_id)) {
            continue;  // not among the worker's k best
          }
          JsonWriter writer([&] {
            std::string json;
            json.reserve(state.json_bytes * 2);
            return json;
          }());
          RenderRow(writer, request, layout, *scans.persons, batch, row);
          state.rows.push_back(
              {EventPosition{micros, std::string(message_id)}, std::move(writer).Take()});
          state.json_bytes = state.rows.back().json.size();
          if (state.rows.size() >= 2 * k) {
            KeepBest(state.rows, k, before);
            state.bar = state.rows[k - 1].position;
          }
        }
        return Status::Ok();
      });
  if (!status.ok()) return status;
  std::vector<Candidate> rows = std::move(states[0].rows);
  for (size_t worker = 1; worker < states.size(); ++worker) {
    std::move(states[worker].rows.begin(), states[worker].rows.end(), std::back_inserter(rows));
  }
  KeepBest(rows, k, before);
  std::sort(rows.begin(), rows.end(), before);
  return rows;
}

}  // namespace

Result<EventsPage> FindEventsPage(const QueryContext& context, EventStore& store,
                                  const EventsRequest& request) {
  const size_t k = request.limit + 1;
  CDP_ASSIGN_OR_RETURN(const PageScans scans, PlanPageScans(context, request));
  if (scans.predicates.empty()) return EventsPage{};
  CDP_ASSIGN_OR_RETURN(const std::optional<int64_t> threshold,
                       FindThreshold(context, store, request, scans, ScanRange(request, false), k));
  MicrosRange range = ScanRange(request, true);
  if (threshold) {
    if (request.order == EventsOrder::kNewestFirst) {
      range.from = std::max(range.from, *threshold);
    } else {
      range.to = std::min(range.to, Plus1(*threshold));
    }
  }
  CDP_ASSIGN_OR_RETURN(std::vector<Candidate> rows,
                       FindRows(context, store, request, scans, range, k));
  EventsPage page;
  if (rows.size() > request.limit) {
    rows.resize(request.limit);
    page.next = rows.back().position;
  }
  page.rows.reserve(rows.size());
  for (Candidate& row : rows) page.rows.push_back(std::move(row.json));
  return page;
}

}  // namespace cdp::query
