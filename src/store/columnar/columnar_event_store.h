#pragma once

#include <condition_variable>
#include <map>
#include <memory>
#include <mutex>
#include <string>
#include <thread>
#include <vector>

#include "store/columnar/column_table.h"
#include "store/columnar/io/file_system.h"
#include "store/columnar/part.h"
#include "store/columnar/store_checkpoint.h"
#include "store/event_store.h"

namespace cdp::columnar {

struct ColumnarStoreOptions {
  // Rows per column block: the unit of decoding and of min/max skipping.
  size_t block_rows = 65'536;
  // A partition with at least this many parts gets merged in the background.
  size_t merge_min_parts = 4;
  // At most this many parts go into one merge, and a merged part stays under
  // this many rows (larger parts are left alone).
  size_t merge_max_parts = 16;
  size_t merge_max_rows = 8'000'000;
  // False: no background merge thread (tests call MergeOnce).
  bool background_merges = true;
};

// The embedded EventStore (ARCHITECTURE.md, docs/storage-format.md): events
// partitioned by (workspace, UTC day), each partition a set of immutable,
// sorted, compressed columnar part files, merged in the background.
//
// Layout under `root`: "checkpoint" (StoreCheckpoint) and one directory per
// partition, "parts/<workspace>/<YYYYMMDD>/" (PartitionPath), holding part
// files named by PartName.
//
// Appended events wait in memory, as one ColumnTable per partition; Flush
// writes each as a part numbered with one new block number, then the
// checkpoint: the commit point. Open undoes anything a crash left half done:
// temporary files, parts of an uncommitted flush, merge inputs a merged part
// supersedes.
class ColumnarEventStore final : public EventStore {
 public:
  // Opens (creating when missing) the store at `root`, recovering it.
  // REQUIRES: `fs` outlives the store.
  static Result<std::unique_ptr<ColumnarEventStore>> Open(FileSystem& fs, std::string root,
                                                          ColumnarStoreOptions options = {});
  ~ColumnarEventStore() override;

  Status Append(std::span<const Event> events, const SourceOffsets& through) override;
  Status Flush() override;
  Result<SourceOffsets> FlushedOffsets() override;
  Status Scan(const ScanRequest& request, int parallelism, const ScanConsumer& consume) override;
  Result<std::vector<StoredColumn>> Columns(std::string_view workspace_id) override;
  Result<StoreStats> Stats(std::string_view workspace_id) override;
  Status DropBefore(std::string_view workspace_id, TimePoint keep_from) override;

  // Which runs of parts a merge may take.
  enum class MergePolicy {
    // Size-tiered, as the background thread merges: only a partition with
    // merge_min_parts parts or more, and only a run whose largest part holds
    // no more rows than the others together, so that each row is rewritten
    // about log2(partition rows / flush rows) times rather than at every
    // merge.
    kTiered,
    // Any run of two or more parts within the limits (OPTIMIZE FINAL).
    kEverything,
  };
  // Merges one run of parts of the partition that most needs it, if the
  // policy allows one; true when a merge was done. The background thread
  // calls it; tests and the benchmark too.
  Result<bool> MergeOnce(MergePolicy policy = MergePolicy::kTiered);
  // How many parts the store has now (all workspaces).
  size_t PartCount() const;

 private:
  struct PartitionKey {
    std::string workspace_id;
    int64_t day = 0;
    friend auto operator<=>(const PartitionKey&, const PartitionKey&) = default;
  };
  using PartList = std::vector<std::shared_ptr<const Part>>;  // by min_block

  ColumnarEventStore(FileSystem& fs, std::string root, ColumnarStoreOptions options);
  Status Recover();
  Status RecoverPartition(const PartitionKey& key, const std::string& dir, uint64_t committed);
  Status WriteFlush(uint64_t block, std::vector<std::shared_ptr<const Part>>& written,
                    std::vector<PartitionKey>& keys);
  std::string PartitionDirectory(const PartitionKey& key) const;
  // The parts of the workspace's partitions that overlap [from_day, to_day].
  std::vector<std::shared_ptr<const Part>> SnapshotParts(std::string_view workspace_id,
                                                         int64_t from_day, int64_t to_day) const;
  void MergeLoop();

  FileSystem& fs_;
  const std::string root_;
  const std::string parts_root_;  // root_ + "/parts"
  const ColumnarStoreOptions options_;

  // The writer's side: Append and Flush.
  std::mutex write_mu_;
  std::map<PartitionKey, ColumnTable> buffer_;  // GUARDED_BY(write_mu_)
  SourceOffsets buffered_offsets_;              // GUARDED_BY(write_mu_)
  StoreCheckpoint checkpoint_;                  // GUARDED_BY(write_mu_)
  // A flush that failed and could not remove what it had written: further
  // flushes would commit its debris, so they are refused until a restart.
  Status poisoned_;  // GUARDED_BY(write_mu_)

  // What scans see.
  mutable std::mutex parts_mu_;
  std::map<PartitionKey, PartList> parts_;  // GUARDED_BY(parts_mu_)

  // One merge at a time; DropBefore waits for it.
  std::mutex merge_mu_;
  std::mutex merge_wait_mu_;
  std::condition_variable merge_wake_;
  bool stopping_ = false;  // GUARDED_BY(merge_wait_mu_)
  std::thread merge_thread_;
};

}  // namespace cdp::columnar
