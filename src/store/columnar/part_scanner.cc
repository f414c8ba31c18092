#include "store/columnar/part_scanner.h"

#include <algorithm>
#include <atomic>
#include <mutex>
#include <numeric>
#include <optional>
#include <string>
#include <thread>
#include <vector>

#include "store/batch_filter.h"

namespace cdp::columnar {

namespace {

// Whether a block whose column `stats` describe may hold a row satisfying
// `predicate`; true whenever the stats cannot tell.
bool BlockMayMatch(const BlockStats& stats, const Predicate& predicate) {
  if (predicate.op == CompareOp::kIsNotSet) return stats.null_count > 0;
  if (stats.null_count == stats.row_count) return false;  // every row null
  const auto may_equal = [&](const ScalarValue& value) {
    if (const auto* text = std::get_if<std::string>(&value)) return MayContainString(stats, *text);
    if (const auto* time = std::get_if<TimeValue>(&value))
      return MayContainInt64(stats, time->micros);
    if (const auto* number = std::get_if<double>(&value)) return MayContainDouble(stats, *number);
    if (const auto* boolean = std::get_if<bool>(&value)) return MayContainInt64(stats, *boolean);
    return false;
  };
  switch (predicate.op) {
    case CompareOp::kEquals:
      return !predicate.values.empty() && may_equal(predicate.values[0]);
    case CompareOp::kIn:
      return std::any_of(predicate.values.begin(), predicate.values.end(), may_equal);
    default:
      return true;
  }
}

// A column a scan reads: by a predicate, for the output, or for the time range.
struct Slot {
  std::string name;
};

struct Task {
  size_t part = 0;
  size_t block = 0;
  bool filter_time = false;
};

// What one worker reuses from block to block.
struct WorkerState {
  std::vector<DecodedColumn> decoded;  // per slot
  std::vector<ColumnData> data;        // per slot, for the current block
  std::vector<uint8_t> ready;          // per slot: decoded for the current block
  std::vector<ColumnData> output;      // per requested column
  std::vector<uint32_t> selection;
  FilterScratch scratch;
};

class Scanner {
 public:
  Scanner(std::span<const std::shared_ptr<const Part>> parts, const ScanRequest& request)
      : parts_(parts), request_(request) {
    from_ = UnixMicros(request.from);
    to_ = UnixMicros(request.to);
    time_slot_ = SlotOf("timestamp");
    for (const Predicate& predicate : request.predicates) {
      predicate_slots_.push_back(SlotOf(predicate.column));
    }
    for (const std::string& column : request.columns) output_slots_.push_back(SlotOf(column));
    // Each part's column for each slot.
    for (const auto& part : parts_) {
      std::vector<std::optional<size_t>>& columns = part_columns_.emplace_back();
      for (const Slot& slot : slots_) columns.push_back(part->FindColumn(slot.name));
    }
    PlanTasks();
  }

  size_t task_count() const { return tasks_.size(); }

  void Run(int worker, const EventStore::ScanConsumer& consume) {
    WorkerState state;
    state.decoded.resize(slots_.size());
    state.data.resize(slots_.size());
    state.ready.resize(slots_.size());
    state.output.resize(output_slots_.size());
    while (!failed_.load(std::memory_order_relaxed)) {
      const size_t index = next_task_.fetch_add(1, std::memory_order_relaxed);
      if (index >= tasks_.size()) return;
      if (Status status = RunTask(tasks_[index], worker, state, consume); !status.ok()) {
        Fail(std::move(status));
      }
    }
  }

  Status status() {
    std::lock_guard lock(mu_);
    return status_;
  }

 private:
  size_t SlotOf(const std::string& name) {
    for (size_t i = 0; i < slots_.size(); ++i) {
      if (slots_[i].name == name) return i;
    }
    slots_.push_back(Slot{name});
    return slots_.size() - 1;
  }

  // Whether a block of `part` may hold a row passing the predicates.
  bool BlockMayMatch(size_t part, size_t block) const {
    for (size_t p = 0; p < request_.predicates.size(); ++p) {
      const Predicate& predicate = request_.predicates[p];
      const std::optional<size_t> column = part_columns_[part][predicate_slots_[p]];
      if (!column.has_value()) {
        if (predicate.op != CompareOp::kIsNotSet) return false;
        continue;
      }
      if (!columnar::BlockMayMatch(parts_[part]->Stats(*column, block), predicate)) return false;
    }
    return true;
  }

  void PlanTasks() {
    for (size_t part = 0; part < parts_.size(); ++part) {
      const Part& p = *parts_[part];
      if (p.max_timestamp() < from_ || p.min_timestamp() >= to_) continue;
      const bool filter_time = p.min_timestamp() < from_ || p.max_timestamp() >= to_;
      const std::optional<size_t> time_column = part_columns_[part][time_slot_];
      for (size_t block = 0; block < p.block_count(); ++block) {
        if (filter_time && time_column.has_value() &&
            !MayOverlapInt64(p.Stats(*time_column, block), from_, to_ - 1)) {
          continue;
        }
        if (!BlockMayMatch(part, block)) continue;
        tasks_.push_back(Task{part, block, filter_time});
      }
    }
  }

  Status Decode(const Task& task, size_t slot, WorkerState& state) {
    if (state.ready[slot]) return Status::Ok();
    state.ready[slot] = 1;
    const std::optional<size_t> column = part_columns_[task.part][slot];
    if (!column.has_value()) {
      state.data[slot] = std::monostate{};
      return Status::Ok();
    }
    return parts_[task.part]->Decode(*column, task.block, state.decoded[slot], state.data[slot]);
  }

  Status RunTask(const Task& task, int worker, WorkerState& state,
                 const EventStore::ScanConsumer& consume) {
    const Part& part = *parts_[task.part];
    std::fill(state.ready.begin(), state.ready.end(), 0);
    state.selection.resize(part.BlockRows(task.block));
    std::iota(state.selection.begin(), state.selection.end(), 0);
    if (task.filter_time) {
      CDP_RETURN_IF_ERROR(Decode(task, time_slot_, state));
      const auto* times = std::get_if<TimeColumn>(&state.data[time_slot_]);
      if (times == nullptr) return Status::Internal(part.path() + ": timestamp is not a time");
      const int64_t from = from_;
      const int64_t to = to_;
      size_t kept = 0;
      for (const uint32_t row : state.selection) {
        state.selection[kept] = row;
        kept += times->micros[row] >= from && times->micros[row] < to ? 1 : 0;
      }
      state.selection.resize(kept);
    }
    for (size_t p = 0; p < request_.predicates.size() && !state.selection.empty(); ++p) {
      CDP_RETURN_IF_ERROR(Decode(task, predicate_slots_[p], state));
      FilterSelection(state.data[predicate_slots_[p]], request_.predicates[p], state.selection,
                      state.scratch);
    }
    if (state.selection.empty()) return Status::Ok();
    for (size_t i = 0; i < output_slots_.size(); ++i) {
      CDP_RETURN_IF_ERROR(Decode(task, output_slots_[i], state));
      state.output[i] = state.data[output_slots_[i]];
    }
    ScanBatch batch;
    batch.block_rows = part.BlockRows(task.block);
    batch.selection = state.selection;
    batch.columns = state.output;
    return consume(worker, batch);
  }

  void Fail(Status status) {
    std::lock_guard lock(mu_);
    if (status_.ok()) status_ = std::move(status);
    failed_.store(true, std::memory_order_relaxed);
  }

  std::span<const std::shared_ptr<const Part>> parts_;
  const ScanRequest& request_;
  int64_t from_ = 0;
  int64_t to_ = 0;
  std::vector<Slot> slots_;
  size_t time_slot_ = 0;
  std::vector<size_t> predicate_slots_;
  std::vector<size_t> output_slots_;
  std::vector<std::vector<std::optional<size_t>>> part_columns_;  // [part][slot]
  std::vector<Task> tasks_;

  std::atomic<size_t> next_task_{0};
  std::atomic<bool> failed_{false};
  std::mutex mu_;
  Status status_;  // GUARDED_BY(mu_)
};

}  // namespace

Status ScanParts(std::span<const std::shared_ptr<const Part>> parts, const ScanRequest& request,
                 int parallelism, const EventStore::ScanConsumer& consume) {
  if (request.from >= request.to) return Status::Ok();
  Scanner scanner(parts, request);
  const int workers =
      static_cast<int>(std::min<size_t>(std::max(parallelism, 1), scanner.task_count()));
  std::vector<std::thread> threads;
  for (int worker = 1; worker < workers; ++worker) {
    threads.emplace_back([&, worker] { scanner.Run(worker, consume); });
  }
  if (workers > 0) scanner.Run(0, consume);
  for (std::thread& thread : threads) thread.join();
  return scanner.status();
}

}  // namespace cdp::columnar
