#include "query/sql/sql_row_stream.h"

#include <chrono>
#include <utility>

namespace cdp::query {

namespace {

// How often a waiting Next checks its interruption.
constexpr auto kInterruptCheckInterval = std::chrono::milliseconds(10);

// What a push returns once the stream goes away: never reported, since
// nobody reads the stream any more.
Status StoppedStatus() {
  return Status::Unavailable("the scan was stopped", std::chrono::seconds(0));
}

}  // namespace

SqlRowStream::SqlRowStream(Producer producer, SqlMemoryBudget* budget, Options options)
    : budget_(budget), options_(options) {
  thread_ = std::thread([this, producer = std::move(producer)] {
    Status status = producer([this](std::unique_ptr<RowChunk> rows) {
      if (stop_.load(std::memory_order_relaxed)) return StoppedStatus();
      return Enqueue(std::move(rows));
    });
    {
      std::lock_guard lock(mu_);
      done_ = true;
      status_ = std::move(status);
    }
    changed_.notify_all();
  });
}

SqlRowStream::~SqlRowStream() {
  {
    std::lock_guard lock(mu_);
    stop_.store(true, std::memory_order_relaxed);
  }
  changed_.notify_all();
  thread_.join();
}

Status SqlRowStream::Enqueue(std::unique_ptr<RowChunk> rows) {
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

Result<SqlRowStream::Chunk> SqlRowStream::Next(const std::function<Status()>& interrupted) {
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
