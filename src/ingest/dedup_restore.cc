#include "ingest/dedup_restore.h"

#include <fmt/format.h>

#include "core/log.h"
#include "model/event_codec.h"

namespace cdp::ingest {

namespace {
constexpr size_t kReadBytes = 4 << 20;
}  // namespace

Result<size_t> RestoreDedupIndexFromLog(EventLog& log, DedupIndex& index, TimePoint now) {
  const TimePoint oldest = now - index.window();
  size_t restored = 0;
  for (int partition = 0; partition < log.partition_count(); ++partition) {
    uint64_t offset = 0;
    while (true) {
      CDP_ASSIGN_OR_RETURN(LogReadBatch batch, log.Read(partition, offset, kReadBytes));
      if (batch.records.empty()) break;
      for (const LogRecord& record : batch.records) {
        Result<Event> event = DecodeEvent(record.payload);
        if (!event.ok()) {
          return Status::Internal(
              fmt::format("event log partition {} offset {} does not decode: {}", partition,
                          record.offset, event.status().ToString()));
        }
        if (event->received_at <= oldest) continue;
        index.Restore(event->workspace_id, event->message_id, event->received_at);
        ++restored;
      }
      offset = batch.next_offset;
    }
  }
  log::Info("dedup index restored from the event log")
      .Int("events", static_cast<int64_t>(restored));
  return restored;
}

}  // namespace cdp::ingest
