#pragma once

#include <span>
#include <string_view>

#include "model/event.h"
#include "query/explorer/events_request.h"
#include "query/explorer/events_result.h"

namespace cdp::query::testing {

// The explorer's page, straight from the definition, over `events` (of any
// workspace: those of `workspace_id` count): keep the events in the range
// that satisfy every predicate (EventMatches), whose PersonIdOf is the
// requested person and that come after the cursor; sort them by
// (timestamp, message_id) in the request's order; take `limit`. Each row is
// written from ColumnValueOf. What the engine is tested against.
EventsPage ReferenceEventsPage(std::span<const Event> events, std::string_view workspace_id,
                               const EventsRequest& request);

}  // namespace cdp::query::testing
