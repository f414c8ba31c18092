#include "columnar_engine.h"

#include <fmt/format.h>

#include <algorithm>
#include <chrono>
#include <filesystem>
#include <map>
#include <variant>

#include "core/string_map.h"
#include "store/columnar/columnar_event_store.h"
#include "store/columnar/io/part_reader.h"
#include "store/columnar/io/posix_file_system.h"

namespace cdp::bench {

namespace {

TimePoint FromMicros(int64_t micros) { return TimePoint(std::chrono::microseconds(micros)); }

// "All rows": every timestamp the generator makes, and far more.
constexpr int64_t kAllFromMicros = 0;                    // 1970-01-01
constexpr int64_t kAllToMicros = 7'258'118'400'000'000;  // 2200-01-01

Status CountByEventOnce(EventStore& store, const BenchQueries& queries, int parallelism,
                        CountByEvent& out) {
  ScanRequest request;
  request.workspace_id = queries.workspace_id;
  request.from = FromMicros(kAllFromMicros);
  request.to = FromMicros(kAllToMicros);
  request.columns = {"event"};
  struct Worker {
    StringMap<uint64_t> counts;
    std::vector<uint64_t> histogram;
  };
  std::vector<Worker> workers(static_cast<size_t>(parallelism));
  CDP_RETURN_IF_ERROR(
      store.Scan(request, parallelism, [&](int worker_index, const ScanBatch& batch) -> Status {
        Worker& worker = workers[static_cast<size_t>(worker_index)];
        const ColumnData& column = batch.columns[0];
        if (std::holds_alternative<std::monostate>(column)) {
          worker.counts[""] += batch.selection.size();
          return Status::Ok();
        }
        const StringColumn* strings = std::get_if<StringColumn>(&column);
        if (strings == nullptr) return Status::Internal("scan: event is not a string column");
        worker.histogram.assign(strings->dictionary.size(), 0);
        uint64_t nulls = 0;
        for (const uint32_t row : batch.selection) {
          if (strings->nulls.IsNull(row)) {
            ++nulls;
          } else {
            ++worker.histogram[strings->codes[row]];
          }
        }
        for (size_t code = 0; code < worker.histogram.size(); ++code) {
          if (worker.histogram[code] == 0) continue;
          const std::string_view name = strings->dictionary[code];
          auto it = worker.counts.find(name);
          if (it == worker.counts.end()) it = worker.counts.emplace(name, 0).first;
          it->second += worker.histogram[code];
        }
        if (nulls > 0) worker.counts[""] += nulls;
        return Status::Ok();
      }));
  out = {};
  for (const Worker& worker : workers) {
    for (const auto& [name, count] : worker.counts) out.counts[name] += count;
  }
  return Status::Ok();
}

Status FilteredSumOnce(EventStore& store, const BenchQueries& queries, int parallelism,
                       FilteredSum& out) {
  ScanRequest request;
  request.workspace_id = queries.workspace_id;
  request.from = FromMicros(queries.from_micros);
  request.to = FromMicros(queries.to_micros);
  request.columns = {queries.sum_column};
  request.predicates = {
      {"event", CompareOp::kEquals, {ScalarValue(queries.event)}},
      {queries.filter_column, CompareOp::kEquals, {ScalarValue(queries.filter_value)}},
  };
  std::vector<FilteredSum> workers(static_cast<size_t>(parallelism));
  CDP_RETURN_IF_ERROR(
      store.Scan(request, parallelism, [&](int worker_index, const ScanBatch& batch) -> Status {
        FilteredSum& worker = workers[static_cast<size_t>(worker_index)];
        worker.count += batch.selection.size();
        const ColumnData& column = batch.columns[0];
        if (std::holds_alternative<std::monostate>(column)) return Status::Ok();
        const NumberColumn* numbers = std::get_if<NumberColumn>(&column);
        if (numbers == nullptr) {
          return Status::Internal(
              fmt::format("scan: {} is not a number column", queries.sum_column));
        }
        double sum = 0;
        for (const uint32_t row : batch.selection) {
          if (!numbers->nulls.IsNull(row)) sum += numbers->values[row];
        }
        worker.sum += sum;
        return Status::Ok();
      }));
  out = {};
  for (const FilteredSum& worker : workers) {
    out.count += worker.count;
    out.sum += worker.sum;
  }
  return Status::Ok();
}

}  // namespace

EventStoreOpener ColumnarStoreOpener() {
  return [](const std::string& dir) -> Result<std::unique_ptr<EventStore>> {
    static columnar::PosixFileSystem fs;
    // Merges run when the benchmark says (CompactStore), never during a
    // timed query.
    columnar::ColumnarStoreOptions options;
    options.background_merges = false;
    CDP_ASSIGN_OR_RETURN(std::unique_ptr<columnar::ColumnarEventStore> store,
                         columnar::ColumnarEventStore::Open(fs, dir, options));
    return std::unique_ptr<EventStore>(std::move(store));
  };
}

Result<CompactReport> CompactStore(EventStore& store) {
  auto* columnar = dynamic_cast<columnar::ColumnarEventStore*>(&store);
  if (columnar == nullptr) return CompactReport{};
  CompactReport report;
  const auto start = std::chrono::steady_clock::now();
  for (;;) {
    CDP_ASSIGN_OR_RETURN(
        const bool merged,
        columnar->MergeOnce(columnar::ColumnarEventStore::MergePolicy::kEverything));
    if (!merged) break;
    ++report.merges;
  }
  report.seconds = std::chrono::duration<double>(std::chrono::steady_clock::now() - start).count();
  return report;
}

Result<std::vector<std::pair<std::string, uint64_t>>> ColumnarBytesByColumn(
    const std::string& dir) {
  columnar::PosixFileSystem fs;
  std::map<std::string, uint64_t> bytes;
  std::error_code error;
  for (const auto& entry : std::filesystem::recursive_directory_iterator(dir, error)) {
    if (entry.path().extension() != ".part") continue;
    CDP_ASSIGN_OR_RETURN(std::unique_ptr<columnar::PartReader> part,
                         columnar::PartReader::Open(fs, entry.path().string()));
    uint64_t in_blocks = 0;
    for (const columnar::PartColumn& column : part->columns()) {
      for (const columnar::PartBlock& block : column.blocks) {
        bytes[std::string(column.name)] += block.size;
        in_blocks += block.size;
      }
    }
    bytes["(part overhead)"] += part->file_size() - in_blocks;
  }
  if (error) return Status::Internal(fmt::format("listing {}: {}", dir, error.message()));
  std::vector<std::pair<std::string, uint64_t>> sorted(bytes.begin(), bytes.end());
  std::sort(sorted.begin(), sorted.end(),
            [](const auto& a, const auto& b) { return a.second > b.second; });
  return sorted;
}

Result<LoadReport> StoreLoad(EventStore& store, NdjsonEventReader& reader,
                             const StoreLoadOptions& options) {
  LoadClock clock;
  uint64_t loaded = 0;
  std::vector<Event> events;
  size_t since_flush = 0;
  while (true) {
    CDP_RETURN_IF_ERROR(reader.Next(options.append_events, events));
    clock.StartEngine();
    if (!events.empty()) {
      CDP_RETURN_IF_ERROR(store.Append(events, {{0, reader.lines_read()}}));
      since_flush += events.size();
    }
    if (since_flush >= options.flush_events || (events.empty() && since_flush > 0)) {
      CDP_RETURN_IF_ERROR(store.Flush());
      since_flush = 0;
    }
    clock.StopEngine();
    loaded += events.size();
    if (events.empty()) break;
  }
  return clock.Finish(loaded);
}

Result<StoreQueryReport> StoreQuery(EventStore& store, const BenchQueries& queries, int runs,
                                    int parallelism) {
  StoreQueryReport report;
  CDP_ASSIGN_OR_RETURN(report.a_timing, TimeRuns(runs, [&] {
                         return CountByEventOnce(store, queries, parallelism, report.a);
                       }));
  CDP_ASSIGN_OR_RETURN(report.b_timing, TimeRuns(runs, [&] {
                         return FilteredSumOnce(store, queries, parallelism, report.b);
                       }));
  return report;
}

}  // namespace cdp::bench
