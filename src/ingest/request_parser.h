#pragma once

#include <cstddef>
#include <optional>
#include <string>
#include <vector>

#include "core/clock.h"
#include "core/result.h"
#include "model/event.h"

namespace cdp::ingest {

struct ParseLimits {
  size_t max_event_bytes = 32 << 10;  // one event's JSON text
  size_t max_batch_events = 2500;
  size_t max_message_id_chars = 100;
};

// One item of a request that was refused; the rest of the request stands.
struct RejectedItem {
  size_t index;   // position in the request's batch (0 for a single event)
  Status status;  // BadRequest or PayloadTooLarge; field() is a path into the
                  // request, e.g. "batch[3].event"
};

struct ParsedRequest {
  std::vector<Event> events;           // accepted items, in request order
  std::vector<size_t> event_indexes;   // each accepted event's index in the request
  std::vector<RejectedItem> rejected;  // refused items, by index
  std::string write_key;               // "writeKey" / "api_key" from the body, if any
  bool batch = false;                  // a batch request, rather than one event
};

// Parses a Segment HTTP Tracking API body. `single_type` is the endpoint's
// type for /v1/track, /v1/identify, ... (a "type" in the body is then
// ignored); nullopt for /v1/batch and /v1/import, whose items each carry a
// "type". Whole-request problems (not JSON, not an object, no batch array,
// too many items) fail the request; item problems reject the item only.
// Every accepted event has received_at set, a message id, flattened
// properties/traits/context and the skew-corrected timestamp.
Result<ParsedRequest> ParseSegmentRequest(std::string_view body,
                                          std::optional<EventType> single_type,
                                          const ParseLimits& limits, TimePoint received_at);

// Parses a PostHog-style capture body: one event, or {"batch": [...]}.
Result<ParsedRequest> ParseCaptureRequest(std::string_view body, const ParseLimits& limits,
                                          TimePoint received_at);

}  // namespace cdp::ingest
