#include "store/columnar/columnar_event_store.h"

#include <fmt/format.h>

#include <algorithm>
#include <set>

#include "core/log.h"
#include "store/columnar/event_rows.h"
#include "store/columnar/part_scanner.h"
#include "store/event_columns.h"

namespace cdp::columnar {

namespace {

constexpr std::string_view kTemporaryPrefix = "tmp_";

Status IgnoreNotFound(Status status) {
  return status.code() == ErrorCode::kNotFound ? Status::Ok() : status;
}

}  // namespace

ColumnarEventStore::ColumnarEventStore(FileSystem& fs, std::string root,
                                       ColumnarStoreOptions options)
    : fs_(fs), root_(std::move(root)), parts_root_(JoinPath(root_, "parts")), options_(options) {}

Result<std::unique_ptr<ColumnarEventStore>> ColumnarEventStore::Open(FileSystem& fs,
                                                                     std::string root,
                                                                     ColumnarStoreOptions options) {
  std::unique_ptr<ColumnarEventStore> store(new ColumnarEventStore(fs, std::move(root), options));
  CDP_RETURN_IF_ERROR(store->Recover());
  if (options.background_merges) {
    store->merge_thread_ = std::thread([store = store.get()] { store->MergeLoop(); });
  }
  return store;
}

ColumnarEventStore::~ColumnarEventStore() {
  {
    std::lock_guard lock(merge_wait_mu_);
    stopping_ = true;
  }
  merge_wake_.notify_all();
  if (merge_thread_.joinable()) merge_thread_.join();
}

std::string ColumnarEventStore::PartitionDirectory(const PartitionKey& key) const {
  return JoinPath(parts_root_, PartitionPath(key.workspace_id, key.day));
}

// Start-up: the checkpoint says which flushes committed; every partition
// directory is cleaned of what a crash left (see RecoverPartition) and its
// parts are opened.
Status ColumnarEventStore::Recover() {
  CDP_RETURN_IF_ERROR(fs_.CreateDirectories(parts_root_));
  CDP_RETURN_IF_ERROR(fs_.SyncDirectory(root_));
  CDP_ASSIGN_OR_RETURN(checkpoint_, ReadStoreCheckpoint(fs_, root_));
  CDP_ASSIGN_OR_RETURN(const std::vector<std::string> root_files, fs_.ListDirectory(root_));
  for (const std::string& entry : root_files) {
    if (entry.starts_with(kTemporaryPrefix)) {
      CDP_RETURN_IF_ERROR(IgnoreNotFound(fs_.RemoveFile(JoinPath(root_, entry))));
    }
  }
  CDP_ASSIGN_OR_RETURN(const std::vector<std::string> workspaces, fs_.ListDirectory(parts_root_));
  for (const std::string& entry : workspaces) {
    const std::optional<std::string> workspace = WorkspaceOfDirectory(entry);
    if (!workspace.has_value()) continue;  // not ours
    const std::string workspace_dir = JoinPath(parts_root_, entry);
    CDP_ASSIGN_OR_RETURN(const std::vector<std::string> days, fs_.ListDirectory(workspace_dir));
    for (const std::string& day_name : days) {
      const std::optional<int64_t> day = DayOfDirectory(day_name);
      if (!day.has_value()) continue;
      const PartitionKey key{*workspace, *day};
      CDP_RETURN_IF_ERROR(
          RecoverPartition(key, JoinPath(workspace_dir, day_name), checkpoint_.block));
    }
  }
  return Status::Ok();
}

// Removes temporary files, parts numbered above the committed block (a flush
// that never committed) and parts a merged part supersedes (a merge whose
// inputs were not yet removed); opens the rest.
Status ColumnarEventStore::RecoverPartition(const PartitionKey& key, const std::string& dir,
                                            uint64_t committed) {
  CDP_ASSIGN_OR_RETURN(const std::vector<std::string> files, fs_.ListDirectory(dir));
  std::vector<PartName> names;
  bool removed = false;
  for (const std::string& file : files) {
    const std::optional<PartName> name = ParsePartFileName(file);
    if (file.starts_with(kTemporaryPrefix) || (name.has_value() && name->max_block > committed)) {
      CDP_RETURN_IF_ERROR(IgnoreNotFound(fs_.RemoveFile(JoinPath(dir, file))));
      removed = true;
    } else if (name.has_value()) {
      names.push_back(*name);
    }
  }
  PartList parts;
  for (const PartName& name : names) {
    const bool superseded = std::any_of(names.begin(), names.end(),
                                        [&](const PartName& other) { return other.Covers(name); });
    const std::string path = JoinPath(dir, name.FileName());
    if (superseded) {
      CDP_RETURN_IF_ERROR(IgnoreNotFound(fs_.RemoveFile(path)));
      removed = true;
      continue;
    }
    CDP_ASSIGN_OR_RETURN(std::shared_ptr<const Part> part, Part::Open(fs_, path, name));
    parts.push_back(std::move(part));
  }
  if (removed) CDP_RETURN_IF_ERROR(fs_.SyncDirectory(dir));
  std::sort(parts.begin(), parts.end(),
            [](const auto& a, const auto& b) { return a->name().min_block < b->name().min_block; });
  if (!parts.empty()) parts_[key] = std::move(parts);
  return Status::Ok();
}

Status ColumnarEventStore::Append(std::span<const Event> events, const SourceOffsets& through) {
  std::lock_guard lock(write_mu_);
  for (const Event& event : events) {
    const PartitionKey key{event.workspace_id, DayOfMicros(UnixMicros(event.timestamp))};
    AppendEventRow(event, buffer_[key]);
  }
  for (const auto& [partition, offset] : through) buffered_offsets_[partition] = offset;
  return Status::Ok();
}

// Writes one part per buffered partition, all numbered `block`. A part left
// by an earlier failed attempt at the same block is replaced: the buffer then
// held a subset of what it holds now, so no debris of that attempt survives
// in a partition this attempt does not write.
Status ColumnarEventStore::WriteFlush(uint64_t block,
                                      std::vector<std::shared_ptr<const Part>>& written,
                                      std::vector<PartitionKey>& keys) {
  const PartName name{block, block, 0};
  for (auto& [key, table] : buffer_) {
    const std::string dir = PartitionDirectory(key);
    bool known = false;
    {
      std::lock_guard lock(parts_mu_);
      known = parts_.contains(key);
    }
    if (!known) {
      // A new partition directory must survive a crash with its part.
      CDP_RETURN_IF_ERROR(fs_.CreateDirectories(dir));
      CDP_RETURN_IF_ERROR(fs_.SyncDirectory(DirectoryOf(dir)));
      CDP_RETURN_IF_ERROR(fs_.SyncDirectory(parts_root_));
    }
    const std::string path = JoinPath(dir, name.FileName());
    CDP_RETURN_IF_ERROR(IgnoreNotFound(fs_.RemoveFile(path)));
    table.Seal();
    const std::vector<uint32_t> order = table.SortedOrder();
    CDP_RETURN_IF_ERROR(Part::Write(fs_, path, table, order, options_.block_rows));
    CDP_ASSIGN_OR_RETURN(std::shared_ptr<const Part> part, Part::Open(fs_, path, name));
    written.push_back(std::move(part));
    keys.push_back(key);
  }
  return Status::Ok();
}

Status ColumnarEventStore::Flush() {
  std::lock_guard lock(write_mu_);
  StoreCheckpoint next = checkpoint_;
  for (const auto& [partition, offset] : buffered_offsets_) next.offsets[partition] = offset;
  if (buffer_.empty() && next.offsets == checkpoint_.offsets) return Status::Ok();
  next.block = checkpoint_.block + 1;

  std::vector<std::shared_ptr<const Part>> written;
  std::vector<PartitionKey> keys;
  CDP_RETURN_IF_ERROR(WriteFlush(next.block, written, keys));
  CDP_RETURN_IF_ERROR(WriteStoreCheckpoint(fs_, root_, next));
  checkpoint_ = std::move(next);
  buffer_.clear();
  buffered_offsets_.clear();
  {
    std::lock_guard parts_lock(parts_mu_);
    for (size_t i = 0; i < written.size(); ++i) parts_[keys[i]].push_back(std::move(written[i]));
  }
  merge_wake_.notify_all();
  return Status::Ok();
}

Result<SourceOffsets> ColumnarEventStore::FlushedOffsets() {
  std::lock_guard lock(write_mu_);
  return checkpoint_.offsets;
}

std::vector<std::shared_ptr<const Part>> ColumnarEventStore::SnapshotParts(
    std::string_view workspace_id, int64_t from_day, int64_t to_day) const {
  std::vector<std::shared_ptr<const Part>> parts;
  std::lock_guard lock(parts_mu_);
  const std::string workspace(workspace_id);
  for (auto it = parts_.lower_bound(PartitionKey{workspace, from_day});
       it != parts_.end() && it->first.workspace_id == workspace && it->first.day <= to_day; ++it) {
    parts.insert(parts.end(), it->second.begin(), it->second.end());
  }
  return parts;
}

Status ColumnarEventStore::Scan(const ScanRequest& request, int parallelism,
                                const ScanConsumer& consume) {
  if (request.from >= request.to) return Status::Ok();
  const int64_t from_day = DayOfMicros(UnixMicros(request.from));
  const int64_t to_day = DayOfMicros(UnixMicros(request.to) - 1);
  const std::vector<std::shared_ptr<const Part>> parts =
      SnapshotParts(request.workspace_id, from_day, to_day);
  return ScanParts(parts, request, parallelism, consume);
}

Result<std::vector<StoredColumn>> ColumnarEventStore::Columns(std::string_view workspace_id) {
  const std::vector<std::shared_ptr<const Part>> parts =
      SnapshotParts(workspace_id, INT64_MIN, INT64_MAX);
  std::vector<StoredColumn> columns(FixedEventColumns().begin(), FixedEventColumns().end());
  std::set<std::pair<std::string, ColumnKind>> seen;
  for (const StoredColumn& column : columns) seen.emplace(column.name, column.kind);
  std::vector<StoredColumn> properties;
  for (const auto& part : parts) {
    for (size_t column = 0; column < part->column_count(); ++column) {
      StoredColumn stored{std::string(part->column_name(column)), part->column_kind(column)};
      if (seen.emplace(stored.name, stored.kind).second) properties.push_back(std::move(stored));
    }
  }
  std::sort(properties.begin(), properties.end(), [](const auto& a, const auto& b) {
    return std::tie(a.name, a.kind) < std::tie(b.name, b.kind);
  });
  columns.insert(columns.end(), properties.begin(), properties.end());
  return columns;
}

Result<StoreStats> ColumnarEventStore::Stats(std::string_view workspace_id) {
  StoreStats stats;
  std::lock_guard lock(parts_mu_);
  const std::string workspace(workspace_id);
  int64_t min_time = INT64_MAX;
  int64_t max_time = INT64_MIN;
  for (auto it = parts_.lower_bound(PartitionKey{workspace, INT64_MIN});
       it != parts_.end() && it->first.workspace_id == workspace; ++it) {
    ++stats.partitions;
    for (const auto& part : it->second) {
      ++stats.parts;
      stats.rows += part->rows();
      stats.bytes_on_disk += part->bytes();
      min_time = std::min(min_time, part->min_timestamp());
      max_time = std::max(max_time, part->max_timestamp());
    }
  }
  if (stats.rows > 0) {
    stats.min_timestamp = FromUnixMicros(min_time);
    stats.max_timestamp = FromUnixMicros(max_time);
  }
  return stats;
}

size_t ColumnarEventStore::PartCount() const {
  std::lock_guard lock(parts_mu_);
  size_t count = 0;
  for (const auto& [key, parts] : parts_) count += parts.size();
  return count;
}

Status ColumnarEventStore::DropBefore(std::string_view workspace_id, TimePoint keep_from) {
  // A day ends at or before keep_from when it is before keep_from's day.
  const int64_t first_kept = DayOfMicros(UnixMicros(keep_from));
  std::lock_guard merge_lock(merge_mu_);  // a merge must not re-add a dropped partition
  std::vector<PartitionKey> dropped;
  {
    std::lock_guard lock(parts_mu_);
    const std::string workspace(workspace_id);
    auto it = parts_.lower_bound(PartitionKey{workspace, INT64_MIN});
    while (it != parts_.end() && it->first.workspace_id == workspace &&
           it->first.day < first_kept) {
      dropped.push_back(it->first);
      it = parts_.erase(it);
    }
  }
  for (const PartitionKey& key : dropped) {
    CDP_RETURN_IF_ERROR(fs_.RemoveDirectoryTree(PartitionDirectory(key)));
  }
  if (!dropped.empty()) {
    CDP_RETURN_IF_ERROR(fs_.SyncDirectory(DirectoryOf(PartitionDirectory(dropped.front()))));
  }
  return Status::Ok();
}

Result<bool> ColumnarEventStore::MergeOnce(MergePolicy policy) {
  std::lock_guard merge_lock(merge_mu_);
  const bool tiered = policy == MergePolicy::kTiered;
  const size_t min_parts = tiered ? options_.merge_min_parts : 2;
  // The partition with the most parts, and in it the longest run of
  // consecutive parts (by block range) the policy allows; of equal runs, the
  // one with the fewest rows.
  PartitionKey key;
  PartList run;
  {
    std::lock_guard lock(parts_mu_);
    for (const auto& [candidate, parts] : parts_) {
      if (parts.size() < std::max<size_t>(min_parts, 2)) continue;
      PartList best;
      uint64_t best_rows = 0;
      for (size_t start = 0; start < parts.size(); ++start) {
        uint64_t rows = 0;
        uint64_t largest = 0;
        for (size_t end = start; end < parts.size() && end - start < options_.merge_max_parts;
             ++end) {
          if (rows + parts[end]->rows() > options_.merge_max_rows) break;
          rows += parts[end]->rows();
          largest = std::max(largest, parts[end]->rows());
          const size_t length = end - start + 1;
          const bool allowed = length >= 2 && (!tiered || largest <= rows - largest);
          if (allowed && (length > best.size() || (length == best.size() && rows < best_rows))) {
            best.assign(parts.begin() + start, parts.begin() + end + 1);
            best_rows = rows;
          }
        }
      }
      if (best.size() > run.size()) {
        run = std::move(best);
        key = candidate;
      }
    }
  }
  if (run.size() < 2) return false;

  ColumnTable table;
  uint32_t level = 0;
  for (const auto& part : run) {
    CDP_RETURN_IF_ERROR(part->AppendTo(table));
    level = std::max(level, part->name().level);
  }
  table.Seal();
  const PartName name{run.front()->name().min_block, run.back()->name().max_block, level + 1};
  const std::string dir = PartitionDirectory(key);
  const std::string path = JoinPath(dir, name.FileName());
  const std::vector<uint32_t> order = table.SortedOrder();
  CDP_RETURN_IF_ERROR(Part::Write(fs_, path, table, order, options_.block_rows));
  CDP_ASSIGN_OR_RETURN(std::shared_ptr<const Part> merged, Part::Open(fs_, path, name));
  {
    std::lock_guard lock(parts_mu_);
    PartList& parts = parts_[key];
    std::erase_if(parts, [&](const auto& part) {
      return std::find(run.begin(), run.end(), part) != run.end();
    });
    parts.push_back(std::move(merged));
    std::sort(parts.begin(), parts.end(), [](const auto& a, const auto& b) {
      return a->name().min_block < b->name().min_block;
    });
  }
  // Scans that hold the inputs keep reading them: an unlinked file stays
  // mapped. Should this not finish, start-up removes the superseded inputs.
  for (const auto& part : run) CDP_RETURN_IF_ERROR(IgnoreNotFound(fs_.RemoveFile(part->path())));
  CDP_RETURN_IF_ERROR(fs_.SyncDirectory(dir));
  return true;
}

void ColumnarEventStore::MergeLoop() {
  std::unique_lock lock(merge_wait_mu_);
  while (!stopping_) {
    lock.unlock();
    Result<bool> merged = MergeOnce();
    lock.lock();
    if (!merged.ok()) {
      log::Error("event store merge failed").Err(merged.status());
      merge_wake_.wait_for(lock, std::chrono::seconds(10), [&] { return stopping_; });
    } else if (!*merged) {
      merge_wake_.wait_for(lock, std::chrono::seconds(5), [&] { return stopping_; });
    }
  }
}

}  // namespace cdp::columnar
