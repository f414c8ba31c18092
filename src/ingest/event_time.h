#pragma once

#include <optional>

#include "core/clock.h"

namespace cdp::ingest {

// The event's time, corrected for the client's clock skew as Segment does.
// A device's clock can be off by hours, but the interval between the event
// (`original_timestamp`) and the send (`sent_at`) is measured on that one
// clock, so it is right even when both are wrong. Subtracting it from the
// server's `received_at` places the event on the server's clock:
//   timestamp = received_at - (sent_at - original_timestamp)
// Without sent_at the client's timestamp is taken as is; without a client
// timestamp the event happened when it was received. When the correction
// overflows (a timestamp and sentAt centuries apart), the client's timestamp
// is kept.
TimePoint CorrectedTimestamp(TimePoint received_at, std::optional<TimePoint> sent_at,
                             std::optional<TimePoint> original_timestamp);

}  // namespace cdp::ingest
