#include "ingest/event_time.h"

#include <cstdint>

namespace cdp::ingest {

TimePoint CorrectedTimestamp(TimePoint received_at, std::optional<TimePoint> sent_at,
                             std::optional<TimePoint> original_timestamp) {
  if (!original_timestamp) return received_at;
  if (!sent_at) return *original_timestamp;
  // Client clocks can be absurd (a timestamp centuries before its sentAt):
  // when the correction overflows, the client's timestamp is kept as is.
  int64_t skew = 0;
  int64_t corrected = 0;
  if (__builtin_sub_overflow(sent_at->time_since_epoch().count(),
                             original_timestamp->time_since_epoch().count(), &skew) ||
      __builtin_sub_overflow(received_at.time_since_epoch().count(), skew, &corrected)) {
    return *original_timestamp;
  }
  return TimePoint(TimePoint::duration(corrected));
}

}  // namespace cdp::ingest
