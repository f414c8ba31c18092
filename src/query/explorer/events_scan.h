#pragma once

#include "core/result.h"
#include "query/explorer/events_request.h"
#include "query/explorer/events_result.h"
#include "query/query_context.h"
#include "store/event_store.h"

namespace cdp::query {

// The page of events `request` asks for, read from `store` for the context's
// workspace (see events_scan.cc for how). Errors: the store's, or
// CancelledStatus() when the context is cancelled.
Result<EventsPage> FindEventsPage(const QueryContext& context, EventStore& store,
                                  const EventsRequest& request);

}  // namespace cdp::query
