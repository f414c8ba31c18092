#include "ingest/event_time.h"

namespace cdp::ingest {

TimePoint CorrectedTimestamp(TimePoint received_at, std::optional<TimePoint> sent_at,
                             std::optional<TimePoint> original_timestamp) {
  if (!original_timestamp) return received_at;
  if (!sent_at) return *original_timestamp;
  return received_at - (*sent_at - *original_timestamp);
}

}  // namespace cdp::ingest
