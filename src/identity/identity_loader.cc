#include "identity/identity_loader.h"

#include <fmt/format.h>

#include "core/log.h"
#include "model/event_codec.h"

namespace cdp::identity {

IdentityLoader::IdentityLoader(EventLog& log, IdentityService& service, Options options)
    : log_(log), service_(service), options_(std::move(options)) {}

IdentityLoader::~IdentityLoader() { Stop(); }

uint64_t IdentityLoader::loaded() const {
  std::lock_guard lock(mu_);
  return loaded_;
}

Status IdentityLoader::ResumeOffsets() {
  if (resumed_) return Status::Ok();
  CDP_ASSIGN_OR_RETURN(const auto consumed, service_.ConsumedOffsets());
  CDP_ASSIGN_OR_RETURN(next_offsets_,
                       ResumeConsumer(log_, options_.consumer, consumed, "the identity store"));
  resumed_ = true;
  return Status::Ok();
}

Result<uint64_t> IdentityLoader::LoadOnce() {
  CDP_RETURN_IF_ERROR(ResumeOffsets());
  const int partitions = log_.partition_count();
  std::vector<Event> events;
  std::vector<std::pair<int, uint64_t>> offsets;
  Status damaged;  // the first record that did not decode, if any
  for (int i = 0; i < partitions && events.size() < options_.max_batch_events; ++i) {
    const int partition = (first_partition_ + i) % partitions;
    CDP_ASSIGN_OR_RETURN(LogReadBatch batch,
                         log_.Read(partition, next_offsets_[partition], options_.read_bytes));
    if (batch.records.empty()) continue;
    uint64_t next_offset = batch.next_offset;
    for (const LogRecord& record : batch.records) {
      if (events.size() >= options_.max_batch_events) {
        next_offset = record.offset;  // the rest waits for the next round
        break;
      }
      Result<Event> event = DecodeEvent(record.payload);
      if (!event.ok()) {
        // The other partitions go on: their order does not depend on this one.
        if (damaged.ok()) {
          damaged =
              Status::Internal(fmt::format("cannot decode log record {} of partition {}: {}",
                                           record.offset, partition, event.status().ToString()));
        }
        next_offset = record.offset;
        break;
      }
      events.push_back(std::move(event).value());
    }
    offsets.emplace_back(partition, next_offset);
  }
  first_partition_ = (first_partition_ + 1) % partitions;

  // Nothing to apply when no offset moved (nothing new, or only a damaged
  // record at the front).
  bool moved = false;
  for (const auto& [partition, offset] : offsets) moved |= offset != next_offsets_[partition];
  if (moved) {
    if (Status applied = service_.ApplyEvents(events, offsets); !applied.ok()) {
      // The store may hold the batch even so (a commit whose reply was lost):
      // ask it where to resume before the next round.
      resumed_ = false;
      return applied;
    }
    for (const auto& [partition, offset] : offsets) next_offsets_[partition] = offset;
    {
      std::lock_guard lock(mu_);
      loaded_ += events.size();
    }
    for (const auto& [partition, offset] : offsets) {
      CDP_RETURN_IF_ERROR(log_.Commit(options_.consumer, partition, offset));
    }
  }
  CDP_RETURN_IF_ERROR(damaged);
  return static_cast<uint64_t>(events.size());
}

Result<uint64_t> IdentityLoader::LoadAvailable() {
  uint64_t total = 0;
  for (;;) {
    CDP_ASSIGN_OR_RETURN(const uint64_t applied, LoadOnce());
    total += applied;
    if (applied == 0) return total;
  }
}

void IdentityLoader::Start() {
  std::lock_guard lock(mu_);
  if (thread_.joinable()) return;
  stopping_ = false;
  thread_ = std::thread([this] { Run(); });
}

void IdentityLoader::Stop() {
  {
    std::lock_guard lock(mu_);
    if (!thread_.joinable()) return;
    stopping_ = true;
  }
  wake_.notify_all();
  thread_.join();
  if (Result<uint64_t> last = LoadAvailable(); !last.ok()) {
    log::Error("identity loader: the last load before stopping failed").Err(last.status());
  }
}

void IdentityLoader::Run() {
  std::unique_lock lock(mu_);
  while (!stopping_) {
    lock.unlock();
    std::chrono::milliseconds pause = options_.poll_interval;
    if (Result<uint64_t> applied = LoadOnce(); !applied.ok()) {
      log::Error("identity loader failed; retrying").Err(applied.status());
      pause = options_.retry_interval;
    } else if (*applied > 0) {
      pause = std::chrono::milliseconds(0);  // more may be waiting: read again at once
    }
    lock.lock();
    if (pause.count() > 0) wake_.wait_for(lock, pause, [&] { return stopping_; });
  }
}

}  // namespace cdp::identity
