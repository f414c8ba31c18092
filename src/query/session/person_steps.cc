#include "query/session/person_steps.h"

#include <algorithm>
#include <atomic>
#include <limits>
#include <memory>

#include "query/person_key.h"
#include "store/batch_filter.h"

namespace cdp::query {

namespace {

// A row's payload: the scan worker, its local name code and the anchor bit.
// The worker sits above the code, so ties in PersonRows' order are not yet
// by name; ForEachPerson re-orders them once codes are global.
constexpr int kLocalShift = 1;
constexpr int kWorkerShift = 33;

uint64_t PayloadOf(int worker, uint32_t local, bool anchor) {
  return (uint64_t(worker) << kWorkerShift) | (uint64_t(local) << kLocalShift) | (anchor ? 1 : 0);
}

constexpr uint32_t kUnmapped = std::numeric_limits<uint32_t>::max();

// The columns of the scan, each named once, by index.
class ScanColumns {
 public:
  size_t IndexOf(const std::string& name) {
    const auto found = std::find(names_.begin(), names_.end(), name);
    if (found != names_.end()) return size_t(found - names_.begin());
    names_.push_back(name);
    return names_.size() - 1;
  }
  std::vector<std::string> names() const { return names_; }

 private:
  std::vector<std::string> names_;
};

// Local codes of one block's dictionary entries, filled as rows need them:
// a name is interned once per block, never per row.
class BlockNameCodes {
 public:
  void Reset(size_t dictionary_size) { codes_.assign(dictionary_size, kUnmapped); }
  template <typename NameOf>
  uint32_t CodeOf(uint32_t dictionary_code, StepNameInterner& interner, NameOf&& name_of) {
    uint32_t& code = codes_[dictionary_code];
    if (code == kUnmapped) code = interner.Intern(name_of(dictionary_code));
    return code;
  }

 private:
  std::vector<uint32_t> codes_;
};

// What one scan worker keeps between blocks.
struct WorkerState {
  explicit WorkerState(const PersonMap& persons) : person_reader(persons) {}

  PersonKeyReader person_reader;
  std::vector<PersonKey> persons;
  StepNameInterner names;
  BlockNameCodes name_codes;  // of the name column (the event's name or the path property)
  BlockNameCodes type_codes;  // of "type", for unnamed events
  std::vector<uint32_t> anchor_rows;
  FilterScratch scratch;
  uint64_t events = 0;
};

const StringColumn* StringsOf(const ColumnData& column) {
  return std::get_if<StringColumn>(&column);
}

}  // namespace

Result<PersonSteps> PersonSteps::Scan(const QueryContext& context, EventStore& store,
                                      const StepScan& scan) {
  const int workers = std::max(1, context.parallelism);
  PersonSteps steps(workers);
  ScanColumns columns;
  const size_t timestamp_column = columns.IndexOf("timestamp");
  const size_t anonymous_id_column = columns.IndexOf(std::string(kPersonColumns[0]));
  const size_t user_id_column = columns.IndexOf(std::string(kPersonColumns[1]));
  const size_t name_column = columns.IndexOf(scan.name_column.value_or("event"));
  const size_t type_column = columns.IndexOf("type");
  std::vector<size_t> anchor_columns;
  for (const Predicate& predicate : scan.anchor) {
    anchor_columns.push_back(columns.IndexOf(predicate.column));
  }

  ScanRequest request;
  request.from = scan.from;
  request.to = scan.to;
  request.columns = columns.names();
  request.predicates = scan.predicates;
  if (scan.name_column) {
    request.predicates.push_back(
        {.column = *scan.name_column, .op = CompareOp::kIsSet, .values = {}, .regex = nullptr});
  }

  // Every row's person is resolved with the query's one snapshot.
  const std::shared_ptr<const PersonMap> persons = PersonSnapshotOf(context);
  std::vector<WorkerState> states;
  states.reserve(static_cast<size_t>(workers));
  for (int worker = 0; worker < workers; ++worker) states.emplace_back(*persons);
  Rows& rows = *steps.rows_;
  const bool named_by_event = !scan.name_column.has_value();
  CDP_RETURN_IF_ERROR(
      ScanForQuery(store, context, request, [&](int worker, const ScanBatch& batch) {
        WorkerState& state = states[size_t(worker)];
        state.persons.clear();
        state.person_reader.Read(batch, anonymous_id_column, user_id_column, state.persons);
        const auto* times = std::get_if<TimeColumn>(&batch.columns[timestamp_column]);
        if (times == nullptr) return Status::Internal("scan returned no timestamp column");
        const StringColumn* names = StringsOf(batch.columns[name_column]);
        const StringColumn* types = StringsOf(batch.columns[type_column]);
        if (names != nullptr) state.name_codes.Reset(names->dictionary.size());
        if (types != nullptr) state.type_codes.Reset(types->dictionary.size());

        const bool has_anchor = !scan.anchor.empty();
        if (has_anchor) {
          state.anchor_rows.assign(batch.selection.begin(), batch.selection.end());
          for (size_t i = 0; i < scan.anchor.size(); ++i) {
            FilterSelection(batch.columns[anchor_columns[i]], scan.anchor[i], state.anchor_rows,
                            state.scratch);
          }
        }
        size_t next_anchor = 0;  // both lists ascend: walk them together

        for (size_t i = 0; i < batch.selection.size(); ++i) {
          const uint32_t row = batch.selection[i];
          const PersonKey person = state.persons[i];
          if (person == 0) continue;
          uint32_t local = 0;
          if (names != nullptr && !names->nulls.IsNull(row)) {
            local = state.name_codes.CodeOf(names->codes[row], state.names,
                                            [&](uint32_t code) { return names->dictionary[code]; });
          } else if (named_by_event && types != nullptr && !types->nulls.IsNull(row)) {
            local = state.type_codes.CodeOf(types->codes[row], state.names, [&](uint32_t code) {
              return UnnamedEventName(types->dictionary[code]);
            });
          } else {
            continue;  // no string in the path property (or, impossibly, no type)
          }
          bool anchor = false;
          if (has_anchor) {
            while (next_anchor < state.anchor_rows.size() && state.anchor_rows[next_anchor] < row) {
              ++next_anchor;
            }
            anchor =
                next_anchor < state.anchor_rows.size() && state.anchor_rows[next_anchor] == row;
          }
          rows.Add(worker, person, times->micros[row], PayloadOf(worker, local, anchor));
          ++state.events;
        }
        return Status::Ok();
      }));

  std::vector<StepNameInterner> interners;
  interners.reserve(states.size());
  for (WorkerState& state : states) {
    steps.events_ += state.events;
    interners.push_back(std::move(state.names));
  }
  steps.names_ = StepDictionary::Merge(interners);
  return steps;
}

void PersonSteps::ForEachPerson(
    int parallelism, const std::function<void(int thread, std::span<const Step> steps)>& visit) {
  parallelism = std::max(1, parallelism);
  std::vector<std::vector<Step>> scratch(static_cast<size_t>(parallelism));
  const auto by_name_then_anchor = [](const Step& a, const Step& b) {
    return a.name != b.name ? a.name < b.name : a.anchor < b.anchor;
  };
  rows_->ForEachPerson(parallelism, [&](int thread, std::span<const Rows::Row> person_rows) {
    std::vector<Step>& steps = scratch[size_t(thread)];
    steps.resize(person_rows.size());
    for (size_t i = 0; i < person_rows.size(); ++i) {
      const uint64_t payload = person_rows[i].payload;
      const auto worker = size_t(payload >> kWorkerShift);
      const auto local = uint32_t(payload >> kLocalShift);
      steps[i] = Step{.micros = person_rows[i].micros,
                      .name = names_.CodeOf(worker, local),
                      .anchor = (payload & 1) != 0};
    }
    // Same-instant events are ordered by worker so far: order them by name.
    for (size_t first = 0; first + 1 < steps.size();) {
      size_t last = first + 1;
      while (last < steps.size() && steps[last].micros == steps[first].micros) ++last;
      if (last - first > 1) {
        std::sort(steps.begin() + first, steps.begin() + last, by_name_then_anchor);
      }
      first = last;
    }
    visit(thread, steps);
  });
}

}  // namespace cdp::query
