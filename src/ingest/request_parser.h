#pragma once

#include <cstddef>
#include <optional>
#include <string>
#include <string_view>
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

// A request body as the parsers take it: the text, and how many bytes are
// allocated from its start. The parsers read a body in place when at least
// 64 bytes (simdjson's padding) are allocated after the text, as a
// std::string with that much spare capacity has; any other body is copied.
// Converts implicitly from the string types, like std::string_view.
class RequestText {
 public:
  RequestText(const std::string& text) : text_(text), capacity_(text.capacity()) {}
  RequestText(std::string_view text) : text_(text), capacity_(text.size()) {}
  RequestText(const char* text) : RequestText(std::string_view(text)) {}

  std::string_view text() const { return text_; }
  size_t capacity() const { return capacity_; }

 private:
  std::string_view text_;
  size_t capacity_;
};

// Parses a Segment HTTP Tracking API body. `single_type` is the endpoint's
// type for /v1/track, /v1/identify, ... (a "type" in the body is then
// ignored); nullopt for /v1/batch and /v1/import, whose items each carry a
// "type". Whole-request problems (not JSON, not an object, no batch array,
// too many items) fail the request; item problems reject the item only.
// Every accepted event has received_at set, a message id, flattened
// properties/traits/context and the skew-corrected timestamp.
Result<ParsedRequest> ParseSegmentRequest(RequestText body, std::optional<EventType> single_type,
                                          const ParseLimits& limits, TimePoint received_at);

// Parses a PostHog-style capture body: one event, or {"batch": [...]}.
Result<ParsedRequest> ParseCaptureRequest(RequestText body, const ParseLimits& limits,
                                          TimePoint received_at);

}  // namespace cdp::ingest
