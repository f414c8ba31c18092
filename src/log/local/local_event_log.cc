#include "log/local/local_event_log.h"

#include <fmt/format.h>
#include <sys/stat.h>

#include <algorithm>
#include <charconv>
#include <filesystem>
#include <fstream>
#include <functional>
#include <sstream>

#include "core/log.h"
#include "log/local/file_io.h"
#include "log/local/record_format.h"
#include "log/local/segment.h"

namespace cdp {

using local_log::Segment;
namespace fs = std::filesystem;

namespace {

std::string ReadSmallFile(const std::string& path) {
  std::ifstream in(path);
  std::stringstream content;
  content << in.rdbuf();
  return content.str();
}

// Consumer names become file names.
Status ValidateConsumerName(std::string_view name) {
  const bool valid =
      !name.empty() && name.size() <= 64 && std::all_of(name.begin(), name.end(), [](char c) {
        return std::isalnum(static_cast<unsigned char>(c)) || c == '-' || c == '_';
      });
  if (!valid) {
    return Status::BadRequest("consumer names are 1 to 64 letters, digits, '-' or '_'", "consumer");
  }
  return Status::Ok();
}

// When a segment file was last written (its modification time); the epoch
// when it cannot be read, so a vanished file never blocks retention.
std::chrono::system_clock::time_point LastWrite(const std::string& path) {
  struct stat info;
  if (::stat(path.c_str(), &info) != 0) return {};
  return std::chrono::system_clock::time_point(
      std::chrono::duration_cast<std::chrono::system_clock::duration>(
          std::chrono::seconds(info.st_mtim.tv_sec) +
          std::chrono::nanoseconds(info.st_mtim.tv_nsec)));
}

std::string FormatOffsets(const std::vector<uint64_t>& offsets) {
  std::string out;
  for (uint64_t offset : offsets) out += std::to_string(offset) + "\n";
  return out;
}

// A partition's frame buffer is kept between groups up to this size.
constexpr size_t kKeptFrameBytes = 8 << 20;

// Partitions synced at once, at most: the writer and its helpers.
constexpr size_t kMaxParallelSyncs = 8;

}  // namespace

// Runs the syncs of one group (one fdatasync per touched partition) at the
// same time, on helper threads and the calling thread.
// One after the other, every fdatasync waits for its own cache flush of the
// disk (on the benchmark machine, with a busy disk: ~4 ms each, 17-21 ms for
// four partitions); issued together, the block layer merges the flushes and
// four partitions take 1.5-4 ms. Used by the writer thread only.
class LocalEventLog::SyncWorkers {
 public:
  explicit SyncWorkers(size_t helpers) {
    for (size_t i = 0; i < helpers; ++i) helpers_.emplace_back([this] { HelperLoop(); });
  }
  ~SyncWorkers() {
    {
      std::lock_guard lock(mu_);
      stopping_ = true;
    }
    work_cv_.notify_all();
    for (std::thread& helper : helpers_) helper.join();
  }

  // Calls job(i) for every i in [0, count), in any order and concurrently;
  // returns once every call returned.
  void RunAll(size_t count, const std::function<void(size_t)>& job) {
    if (count <= 1 || helpers_.empty()) {
      for (size_t i = 0; i < count; ++i) job(i);
      return;
    }
    {
      std::lock_guard lock(mu_);
      job_ = &job;
      count_ = count;
      next_ = 0;
      unfinished_ = count;
      ++generation_;
    }
    work_cv_.notify_all();
    RunJobs();
    std::unique_lock lock(mu_);
    done_cv_.wait(lock, [this] { return unfinished_ == 0; });
    job_ = nullptr;
  }

 private:
  // Takes jobs of the current RunAll until none is left.
  void RunJobs() {
    std::unique_lock lock(mu_);
    while (job_ != nullptr && next_ < count_) {
      const size_t index = next_++;
      const std::function<void(size_t)>& job = *job_;
      lock.unlock();
      job(index);
      lock.lock();
      if (--unfinished_ == 0) done_cv_.notify_all();
    }
  }

  void HelperLoop() {
    uint64_t seen = 0;
    std::unique_lock lock(mu_);
    while (true) {
      work_cv_.wait(lock, [&] { return stopping_ || generation_ != seen; });
      if (stopping_) return;
      seen = generation_;
      lock.unlock();
      RunJobs();
      lock.lock();
    }
  }

  std::mutex mu_;
  std::condition_variable work_cv_;
  std::condition_variable done_cv_;
  const std::function<void(size_t)>* job_ = nullptr;  // GUARDED_BY(mu_), during RunAll
  size_t count_ = 0;                                  // GUARDED_BY(mu_)
  size_t next_ = 0;                                   // GUARDED_BY(mu_)
  size_t unfinished_ = 0;                             // GUARDED_BY(mu_)
  uint64_t generation_ = 0;                           // GUARDED_BY(mu_): one per RunAll
  bool stopping_ = false;                             // GUARDED_BY(mu_)
  std::vector<std::thread> helpers_;
};

LocalEventLog::LocalEventLog(Options options)
    : options_(std::move(options)),
      workers_(std::make_unique<SyncWorkers>(
          std::min<size_t>(static_cast<size_t>(std::max(options_.partitions, 1)),
                           kMaxParallelSyncs) -
          1)),
      frames_(static_cast<size_t>(std::max(options_.partitions, 0))) {}

Result<std::unique_ptr<LocalEventLog>> LocalEventLog::Open(const Options& options) {
  if (options.partitions < 1 || options.partitions > 1024) {
    return Status::BadRequest("the event log needs 1 to 1024 partitions", "partitions");
  }
  std::error_code ec;
  fs::create_directories(options.dir + "/consumers", ec);
  if (ec) return Status::Internal("cannot create " + options.dir + ": " + ec.message());

  // The partition count decides where each key's records live: changing it
  // would break the order of a person's events, so it is fixed at creation.
  const std::string count_path = options.dir + "/partitions";
  if (fs::exists(count_path)) {
    const std::string text = ReadSmallFile(count_path);
    int existing = 0;
    std::from_chars(text.data(), text.data() + text.size(), existing);
    if (existing != options.partitions) {
      return Status::BadRequest(fmt::format("the event log in {} has {} partitions, not {}",
                                            options.dir, existing, options.partitions),
                                "partitions");
    }
  } else {
    CDP_RETURN_IF_ERROR(
        local_log::WriteFileAtomically(count_path, std::to_string(options.partitions) + "\n"));
  }

  auto log = std::unique_ptr<LocalEventLog>(new LocalEventLog(options));
  CDP_RETURN_IF_ERROR(log->OpenPartitions());
  CDP_RETURN_IF_ERROR(log->LoadConsumers());
  log->writer_ = std::thread([raw = log.get()] { raw->WriterLoop(); });
  return log;
}

Status LocalEventLog::OpenPartitions() {
  for (int p = 0; p < options_.partitions; ++p) {
    auto partition = std::make_unique<Partition>();
    partition->dir = fmt::format("{}/p{:04}", options_.dir, p);
    std::error_code ec;
    fs::create_directories(partition->dir, ec);
    if (ec) return Status::Internal("cannot create " + partition->dir + ": " + ec.message());

    std::vector<std::pair<uint64_t, std::string>> files;
    for (const auto& entry : fs::directory_iterator(partition->dir)) {
      const std::string name = entry.path().filename().string();
      uint64_t base = 0;
      const auto [end, parse_error] = std::from_chars(name.data(), name.data() + name.size(), base);
      if (parse_error != std::errc() || std::string_view(end) != ".log") continue;
      files.emplace_back(base, entry.path().string());
    }
    std::sort(files.begin(), files.end());
    for (size_t i = 0; i < files.size(); ++i) {
      const bool is_last = i + 1 == files.size();
      CDP_ASSIGN_OR_RETURN(auto segment, Segment::Open(files[i].second, files[i].first, is_last,
                                                       options_.segment_bytes));
      if (!partition->segments.empty() &&
          partition->segments.back()->end_offset() != segment->base_offset()) {
        return Status::Internal(fmt::format("{}: segment {} does not follow offset {}",
                                            partition->dir, files[i].second,
                                            partition->segments.back()->end_offset()));
      }
      partition->segments.push_back(std::move(segment));
    }
    if (partition->segments.empty()) {
      CDP_ASSIGN_OR_RETURN(auto segment,
                           Segment::Create(partition->dir, 0, options_.segment_bytes));
      partition->segments.push_back(std::move(segment));
    }
    partition->next_offset = partition->segments.back()->end_offset();
    partition->durable_end = partition->next_offset;
    partitions_.push_back(std::move(partition));
  }
  return Status::Ok();
}

Status LocalEventLog::LoadConsumers() {
  for (const auto& entry : fs::directory_iterator(options_.dir + "/consumers")) {
    const std::string name = entry.path().filename().string();
    if (!ValidateConsumerName(name).ok()) continue;  // e.g. a leftover .tmp file
    std::istringstream lines(ReadSmallFile(entry.path().string()));
    std::vector<uint64_t> offsets;
    for (uint64_t offset; lines >> offset;) offsets.push_back(offset);
    offsets.resize(partitions_.size(), 0);
    committed_.emplace(name, std::move(offsets));
  }
  return Status::Ok();
}

LocalEventLog::~LocalEventLog() {
  {
    std::lock_guard lock(queue_mu_);
    stopping_ = true;
  }
  queue_cv_.notify_one();
  if (writer_.joinable()) writer_.join();
}

void LocalEventLog::Append(std::vector<LogAppend> records, AppendDone done) {
  for (const auto& record : records) {
    if (local_log::FramedRecordSize(record.key, record.payload) > local_log::kMaxRecordBytes) {
      done(Status::PayloadTooLarge("a log record may hold at most 64 MiB"), {});
      return;
    }
  }
  {
    std::lock_guard lock(queue_mu_);
    if (!stopping_) {
      queue_.push_back(PendingAppend{std::move(records), std::move(done)});
      queue_cv_.notify_one();
      return;
    }
  }
  done(Status::Unavailable("the event log is closing", std::chrono::seconds(1)), {});
}

void LocalEventLog::WriterLoop() {
  std::vector<PendingAppend> group;
  while (true) {
    {
      std::unique_lock lock(queue_mu_);
      queue_cv_.wait(lock, [this] { return stopping_ || !queue_.empty(); });
      if (queue_.empty()) return;  // stopping, and nothing left to write
      group.swap(queue_);
    }
    CommitGroup(group);
    group.clear();
  }
}

void LocalEventLog::CommitGroup(std::vector<PendingAppend>& group) {
  // Frame each partition's records into its buffer, sized first so that it
  // grows at most once (the buffers are kept from group to group).
  const size_t partition_total = partitions_.size();
  std::vector<uint64_t> counts(partition_total, 0);
  std::vector<size_t> bytes(partition_total, 0);
  record_partitions_.clear();
  for (const PendingAppend& pending : group) {
    for (const LogAppend& record : pending.records) {
      const int p = PartitionOfKey(record.key, partition_count());
      record_partitions_.push_back(p);
      bytes[p] += local_log::FramedRecordSize(record.key, record.payload);
    }
  }
  for (size_t p = 0; p < partition_total; ++p) {
    frames_[p].clear();
    frames_[p].reserve(bytes[p]);
  }
  std::vector<std::vector<LogPosition>> positions(group.size());
  size_t record_index = 0;
  for (size_t a = 0; a < group.size(); ++a) {
    positions[a].reserve(group[a].records.size());
    for (const LogAppend& record : group[a].records) {
      const int p = record_partitions_[record_index++];
      const uint64_t offset = partitions_[p]->next_offset + counts[p]++;
      local_log::AppendFramedRecord(frames_[p], offset, record.key, record.payload);
      positions[a].push_back(LogPosition{p, offset});
    }
  }

  // Write and sync every touched partition; on any failure, cut every one of
  // them back so that nothing of the group is visible or will be recovered.
  struct PartitionWrite {
    size_t partition;
    std::shared_ptr<Segment> segment;
    uint64_t size_bytes;  // before the write: where an undo cuts back to
    uint64_t end_offset;
    Status status;
  };
  std::vector<PartitionWrite> writes;
  Status status;
  for (size_t p = 0; p < partition_total; ++p) {
    if (counts[p] == 0) continue;
    Partition& partition = *partitions_[p];
    status = RollIfFull(partition);
    if (!status.ok()) break;
    std::shared_ptr<Segment> active;
    {
      std::shared_lock lock(partition.mu);
      active = partition.segments.back();
    }
    const uint64_t size_bytes = active->size_bytes();
    const uint64_t end_offset = active->end_offset();
    writes.push_back(PartitionWrite{p, std::move(active), size_bytes, end_offset, Status()});
  }
  // The writes on this thread, which framed the records (still in its cache);
  // then the syncs at once (see SyncWorkers).
  for (PartitionWrite& write : writes) {
    if (!status.ok()) break;
    status = write.segment->Append(frames_[write.partition], counts[write.partition]);
  }
  if (status.ok()) {
    workers_->RunAll(writes.size(),
                     [&writes](size_t i) { writes[i].status = writes[i].segment->Sync(); });
    for (const PartitionWrite& write : writes) {
      if (!write.status.ok()) {
        status = write.status;
        break;
      }
    }
  }
  for (std::string& frames : frames_) {
    if (frames.capacity() > kKeptFrameBytes) std::string().swap(frames);  // a rare huge group
  }
  if (!status.ok()) {
    log::Error("event log append failed").Err(status);
    for (const PartitionWrite& write : writes) {
      Status undone = write.segment->Truncate(write.size_bytes, write.end_offset);
      if (undone.ok()) undone = write.segment->Sync();
      if (!undone.ok()) log::Error("event log: cannot undo a failed append").Err(undone);
    }
    for (auto& pending : group) pending.done(status, {});
    return;
  }
  for (size_t p = 0; p < partition_total; ++p) {
    if (counts[p] == 0) continue;
    Partition& partition = *partitions_[p];
    partition.next_offset += counts[p];
    partition.durable_end.store(partition.next_offset, std::memory_order_release);
  }
  for (size_t a = 0; a < group.size(); ++a) group[a].done(Status::Ok(), std::move(positions[a]));
}

Status LocalEventLog::RollIfFull(Partition& partition) {
  std::shared_ptr<Segment> active;
  {
    std::shared_lock lock(partition.mu);
    active = partition.segments.back();
  }
  if (active->size_bytes() < options_.segment_bytes) return Status::Ok();
  CDP_ASSIGN_OR_RETURN(
      auto next, Segment::Create(partition.dir, active->end_offset(), options_.segment_bytes));
  std::unique_lock lock(partition.mu);
  partition.segments.push_back(std::move(next));
  return Status::Ok();
}

Status LocalEventLog::CheckPartition(int partition) const {
  if (partition < 0 || partition >= partition_count()) {
    return Status::BadRequest(
        fmt::format("partition {} does not exist (0..{})", partition, partition_count() - 1),
        "partition");
  }
  return Status::Ok();
}

Result<LogReadBatch> LocalEventLog::Read(int partition_index, uint64_t from_offset,
                                         size_t max_bytes) {
  CDP_RETURN_IF_ERROR(CheckPartition(partition_index));
  Partition& partition = *partitions_[partition_index];
  const uint64_t durable_end = partition.durable_end.load(std::memory_order_acquire);
  std::vector<std::shared_ptr<Segment>> segments;
  {
    std::shared_lock lock(partition.mu);
    segments = partition.segments;
  }
  LogReadBatch batch;
  // Offsets before the oldest kept segment were consumed by every consumer
  // and deleted: a reader asking for them starts at the oldest kept record.
  uint64_t next = std::max(from_offset, segments.front()->base_offset());
  size_t payload_bytes = 0;
  for (const auto& segment : segments) {
    if (next >= durable_end) break;
    if (segment->end_offset() <= next) continue;
    if (!batch.records.empty() && payload_bytes >= max_bytes) break;
    const size_t before = batch.records.size();
    CDP_RETURN_IF_ERROR(segment->ReadFrom(next, std::min(durable_end, segment->end_offset()),
                                          max_bytes > payload_bytes ? max_bytes - payload_bytes : 0,
                                          batch.records));
    for (size_t i = before; i < batch.records.size(); ++i) {
      payload_bytes += batch.records[i].payload.size();
    }
    if (batch.records.size() > before) next = batch.records.back().offset + 1;
  }
  batch.next_offset = next;
  return batch;
}

Result<uint64_t> LocalEventLog::EndOffset(int partition) {
  CDP_RETURN_IF_ERROR(CheckPartition(partition));
  return partitions_[partition]->durable_end.load(std::memory_order_acquire);
}

Status LocalEventLog::Commit(std::string_view consumer, int partition, uint64_t next_offset) {
  CDP_RETURN_IF_ERROR(ValidateConsumerName(consumer));
  CDP_RETURN_IF_ERROR(CheckPartition(partition));
  if (next_offset > partitions_[partition]->durable_end.load()) {
    return Status::BadRequest(
        fmt::format("offset {} is past the end of partition {}", next_offset, partition), "offset");
  }
  {
    std::lock_guard lock(consumers_mu_);
    auto it = committed_.find(consumer);
    if (it == committed_.end()) {
      it = committed_.emplace(std::string(consumer), std::vector<uint64_t>(partitions_.size(), 0))
               .first;
    }
    std::vector<uint64_t> offsets = it->second;
    offsets[partition] = next_offset;
    CDP_RETURN_IF_ERROR(local_log::WriteFileAtomically(
        options_.dir + "/consumers/" + std::string(consumer), FormatOffsets(offsets)));
    it->second = std::move(offsets);
  }
  DropConsumedSegments(partition);
  return Status::Ok();
}

Result<uint64_t> LocalEventLog::Committed(std::string_view consumer, int partition) {
  CDP_RETURN_IF_ERROR(ValidateConsumerName(consumer));
  CDP_RETURN_IF_ERROR(CheckPartition(partition));
  std::lock_guard lock(consumers_mu_);
  const auto it = committed_.find(consumer);
  return it == committed_.end() ? 0 : it->second[partition];
}

void LocalEventLog::DropConsumedSegments(int partition_index) {
  uint64_t consumed = UINT64_MAX;
  {
    std::lock_guard lock(consumers_mu_);
    if (committed_.empty()) return;
    for (const auto& [name, offsets] : committed_)
      consumed = std::min(consumed, offsets[partition_index]);
  }
  Partition& partition = *partitions_[partition_index];
  const auto newest_deletable = std::chrono::system_clock::now() - options_.min_retention;
  std::vector<std::shared_ptr<Segment>> dropped;
  {
    std::unique_lock lock(partition.mu);
    auto& segments = partition.segments;
    // Never the newest segment: the writer appends to it.
    while (segments.size() > 1 && segments.front()->end_offset() <= consumed &&
           LastWrite(segments.front()->path()) <= newest_deletable) {
      dropped.push_back(segments.front());
      segments.erase(segments.begin());
    }
  }
  for (const auto& segment : dropped) {
    std::error_code ec;
    fs::remove(segment->path(), ec);  // readers still holding it keep the open file
    if (ec)
      log::Warn("event log: cannot delete a consumed segment").Str("segment", segment->path());
  }
  if (!dropped.empty()) {
    Status synced = local_log::SyncDirectory(partition.dir);
    if (!synced.ok()) log::Warn("event log: cannot sync a partition directory").Err(synced);
  }
}

void LocalEventLog::ApplyRetention() {
  for (int p = 0; p < partition_count(); ++p) DropConsumedSegments(p);
}

size_t LocalEventLog::SegmentCount(int partition) const {
  std::shared_lock lock(partitions_[partition]->mu);
  return partitions_[partition]->segments.size();
}

}  // namespace cdp
