#pragma once

#include <cstdint>
#include <string>
#include <string_view>

#include "core/result.h"

namespace cdp::query {

// The order explorer rows come in: by (timestamp, message_id), descending
// (newest first) or ascending. The order is total as long as message ids are
// unique in a workspace (ingestion deduplicates them), so pages never repeat
// or skip a row, even among events of the same microsecond.
enum class EventsOrder : uint8_t { kNewestFirst, kOldestFirst };

// Where a row sits in that order. A missing message id is "".
struct EventPosition {
  int64_t micros = 0;
  std::string message_id;
  friend bool operator==(const EventPosition&, const EventPosition&) = default;
};

// Whether a row at (micros, message_id) comes strictly after the row at
// (other_micros, other_message_id) in `order`.
inline bool ComesAfter(EventsOrder order, int64_t micros, std::string_view message_id,
                       int64_t other_micros, std::string_view other_message_id) {
  if (micros != other_micros) {
    return order == EventsOrder::kNewestFirst ? micros < other_micros : micros > other_micros;
  }
  const int compared = message_id.compare(other_message_id);
  return order == EventsOrder::kNewestFirst ? compared < 0 : compared > 0;
}
inline bool ComesAfter(EventsOrder order, int64_t micros, std::string_view message_id,
                       const EventPosition& position) {
  return ComesAfter(order, micros, message_id, position.micros, position.message_id);
}

// A page's "next_cursor": the position of its last row and the order it was
// read in, as base64url text with a checksum. Opaque to clients; it carries
// no secret (it only says where the page ended), the checksum only tells a
// damaged or edited cursor from a real one.
std::string EncodeEventsCursor(EventsOrder order, const EventPosition& position);

// The position in a cursor EncodeEventsCursor wrote for `order`. BadRequest
// (field `field`) for anything else: malformed, damaged, too long, or
// written for the other order.
Result<EventPosition> DecodeEventsCursor(std::string_view cursor, EventsOrder order,
                                         const std::string& field);

}  // namespace cdp::query
