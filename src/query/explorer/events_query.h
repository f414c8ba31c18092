#pragma once

#include <string_view>

#include "core/clock.h"
#include "core/result.h"
#include "query/query_context.h"
#include "query/query_kind.h"
#include "store/event_store.h"

namespace cdp::query {

// POST /query/events, the event explorer: a QueryFunction. Parses and
// validates the body (EventsRequest in events_request.h describes it;
// BadRequest naming the field), reads one page (events_scan.cc) and writes
// the result object (events_result.h). QueryOutput::rows is the number of
// events on the page.
Result<QueryOutput> RunEventsQuery(const QueryContext& context, EventStore& store,
                                   std::string_view body);

// The same, with `now` as the end of the default range (tests).
Result<QueryOutput> RunEventsQueryAt(const QueryContext& context, EventStore& store,
                                     std::string_view body, TimePoint now);

}  // namespace cdp::query
