#include "query/sql/event_row_stream.h"

#include <chrono>
#include <utility>

namespace cdp::query {

namespace {

// How often a waiting Next checks its interruption.
constexpr auto kInterruptCheckInterval = std::chrono::milliseconds(10);

// What the scan's callback returns to end the scan when the stream goes away:
// never reported, since nobody reads the stream any more.
Status StoppedStatus() {
  return Status::Unavailable("the scan was stopped", std::chrono::seconds(0));
}

}  // namespace

EventRowStream::EventRowStream(EventStore& store, const QueryContext& context, ScanRequest request,
                               std::vector<CellSource> sources, SqlMemoryBudget* budget,
                               Options options)
    : sources_(std::move(sources)), budget_(budget), options_(options) {
  thread_ = std::thread([this, &store, scan_context = context, request = std::move(request)] {
    Produce(store, scan_context, request);
  });
}

EventRowStream::~EventRowStream() {
  {
    std::lock_guard lock(mu_);
    stop_.store(true, std::memory_order_relaxed);
  }
  changed_.notify_all();
  thread_.join();
}

void EventRowStream::Produce(EventStore& store, const QueryContext& context,
                             const ScanRequest& request) {
  QueryContext one_worker = context;
  one_worker.parallelism = 1;
  Status status = ScanForQuery(store, one_worker, request,
                               [this](int, const ScanBatch& batch) { return Consume(batch); });
  {
    std::lock_guard lock(mu_);
    done_ = true;
    status_ = std::move(status);
  }
  changed_.notify_all();
}

Status EventRowStream::Consume(const ScanBatch& batch) {
  if (stop_.load(std::memory_order_relaxed)) return StoppedStatus();
  size_t next = 0;
  while (next < batch.selection.size()) {
    auto rows = std::make_unique<RowChunk>(sources_.size());
    next = rows->Append(batch, sources_, next, options_.chunk_bytes);
    if (Status status = Push(std::move(rows)); !status.ok()) return status;
  }
  return Status::Ok();
}

Status EventRowStream::Push(std::unique_ptr<RowChunk> rows) {
  Chunk chunk;
  if (budget_ != nullptr) {
    const size_t bytes = rows->MemoryBytes();
    if (!budget_->TryCharge(bytes)) return budget_->ExceededStatus();
    chunk.charge = SqlMemoryCharge(budget_, bytes);
  }
  chunk.rows = std::move(rows);
  std::unique_lock lock(mu_);
  changed_.wait(lock, [&] {
    return queue_.size() < options_.queue_chunks || stop_.load(std::memory_order_relaxed);
  });
  if (stop_.load(std::memory_order_relaxed)) return StoppedStatus();
  queue_.push_back(std::move(chunk));
  lock.unlock();
  changed_.notify_all();
  return Status::Ok();
}

Result<EventRowStream::Chunk> EventRowStream::Next(const std::function<Status()>& interrupted) {
  std::unique_lock lock(mu_);
  while (queue_.empty() && !done_) {
    changed_.wait_for(lock, kInterruptCheckInterval);
    if (queue_.empty() && !done_) {
      lock.unlock();
      if (Status status = interrupted(); !status.ok()) return status;
      lock.lock();
    }
  }
  if (!queue_.empty()) {
    Chunk chunk = std::move(queue_.front());
    queue_.pop_front();
    lock.unlock();
    changed_.notify_all();
    return chunk;
  }
  if (!status_.ok()) return status_;
  return Chunk{};
}

}  // namespace cdp::query
