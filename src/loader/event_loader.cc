#include "loader/event_loader.h"

#include <fmt/format.h>

#include "core/log.h"
#include "model/event_codec.h"

namespace cdp {

EventLoader::EventLoader(EventLog& log, EventStore& store, Options options)
    : log_(log), store_(store), options_(std::move(options)) {}

EventLoader::~EventLoader() { Stop(); }

uint64_t EventLoader::loaded() const {
  std::lock_guard lock(mu_);
  return loaded_;
}

Status EventLoader::ResumeOffsets() {
  if (resumed_) return Status::Ok();
  CDP_ASSIGN_OR_RETURN(const SourceOffsets flushed, store_.FlushedOffsets());
  CDP_ASSIGN_OR_RETURN(
      next_offsets_,
      ResumeConsumer(log_, options_.consumer, {flushed.begin(), flushed.end()}, "the event store"));
  resumed_ = true;
  return Status::Ok();
}

Result<uint64_t> EventLoader::LoadOnce() {
  CDP_RETURN_IF_ERROR(ResumeOffsets());
  uint64_t appended = 0;
  std::vector<Event> events;
  for (int partition = 0; partition < log_.partition_count(); ++partition) {
    CDP_ASSIGN_OR_RETURN(LogReadBatch batch,
                         log_.Read(partition, next_offsets_[partition], options_.read_bytes));
    if (batch.records.empty()) continue;
    events.clear();
    events.reserve(batch.records.size());
    for (const LogRecord& record : batch.records) {
      Result<Event> event = DecodeEvent(record.payload);
      if (!event.ok()) {
        // Never skipped: a record the loader cannot read stops it here (and
        // is logged every retry) rather than vanish from every analysis.
        return Status::Internal(fmt::format("cannot decode log record {} of partition {}: {}",
                                            record.offset, partition, event.status().ToString()));
      }
      events.push_back(std::move(event).value());
    }
    CDP_RETURN_IF_ERROR(store_.Append(events, {{partition, batch.next_offset}}));
    next_offsets_[partition] = batch.next_offset;
    appended += events.size();
  }
  unflushed_ += appended;
  std::lock_guard lock(mu_);
  loaded_ += appended;
  return appended;
}

Status EventLoader::FlushAndCommit() {
  CDP_RETURN_IF_ERROR(store_.Flush());
  unflushed_ = 0;
  for (int partition = 0; partition < log_.partition_count(); ++partition) {
    CDP_RETURN_IF_ERROR(log_.Commit(options_.consumer, partition, next_offsets_[partition]));
  }
  return Status::Ok();
}

Result<uint64_t> EventLoader::LoadAvailable() {
  uint64_t total = 0;
  for (;;) {
    CDP_ASSIGN_OR_RETURN(const uint64_t appended, LoadOnce());
    total += appended;
    if (unflushed_ >= options_.max_buffered_events) CDP_RETURN_IF_ERROR(FlushAndCommit());
    if (appended == 0) break;
  }
  CDP_RETURN_IF_ERROR(FlushAndCommit());
  return total;
}

void EventLoader::Start() {
  std::lock_guard lock(mu_);
  if (thread_.joinable()) return;
  stopping_ = false;
  thread_ = std::thread([this] { Run(); });
}

void EventLoader::Stop() {
  {
    std::lock_guard lock(mu_);
    if (!thread_.joinable()) return;
    stopping_ = true;
  }
  wake_.notify_all();
  thread_.join();
  if (Result<uint64_t> last = LoadAvailable(); !last.ok()) {
    log::Error("event loader: the last load before stopping failed").Err(last.status());
  }
}

void EventLoader::Run() {
  using Clock = std::chrono::steady_clock;
  Clock::time_point first_unflushed{};
  std::unique_lock lock(mu_);
  while (!stopping_) {
    lock.unlock();
    std::chrono::milliseconds pause = options_.poll_interval;
    Result<uint64_t> appended = LoadOnce();
    Status status = appended.ok() ? Status::Ok() : appended.status();
    if (status.ok()) {
      const Clock::time_point now = Clock::now();
      if (*appended > 0 && first_unflushed == Clock::time_point{}) first_unflushed = now;
      const bool due = first_unflushed != Clock::time_point{} &&
                       (now - first_unflushed >= options_.flush_interval ||
                        unflushed_ >= options_.max_buffered_events);
      if (due) {
        status = FlushAndCommit();
        if (status.ok()) first_unflushed = {};
      }
      // More may be waiting: read again at once.
      if (*appended > 0) pause = std::chrono::milliseconds(0);
    }
    if (!status.ok()) {
      log::Error("event loader failed; retrying").Err(status);
      pause = options_.retry_interval;
    }
    lock.lock();
    if (pause.count() > 0) wake_.wait_for(lock, pause, [&] { return stopping_; });
  }
}

}  // namespace cdp
