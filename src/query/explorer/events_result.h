#pragma once

#include <optional>
#include <string>
#include <vector>

#include "query/explorer/events_cursor.h"
#include "query/explorer/events_request.h"

namespace cdp::query {

// The rows of one explorer page, however they were found (the engine, or the
// reference implementation the tests compare it with).
struct EventsPage {
  // One JSON object per row, in the request's order, with a key per column
  // of EventsRequest::columns in that order.
  std::vector<std::string> rows;
  // The last row's position when more rows follow it.
  std::optional<EventPosition> next;
};

// The explorer's result object:
//   {"from": "2026-03-01T00:00:00.000000Z", "to": "...",
//    "columns": ["message_id", "timestamp", "person_id", "event", ...],
//    "events": [{"message_id": "m1", "timestamp": "...", "person_id": "prs_...", "event": ...},
//    ...], "next_cursor": "<opaque>" | null}
// "from" and "to" echo the range the page was read from (defaults
// resolved); "next_cursor" is null on the last page.
std::string WriteEventsResult(const EventsRequest& request, const EventsPage& page);

}  // namespace cdp::query
