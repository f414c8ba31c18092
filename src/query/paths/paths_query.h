#pragma once

#include <string_view>

#include "core/result.h"
#include "query/query_context.h"
#include "query/query_kind.h"
#include "store/event_store.h"

namespace cdp::query {

// POST /query/paths: where persons go after an event (direction "next") or
// where they come from before one ("previous"), step by step, within their
// sessions. The request is PathsRequest (paths_request.h).
//
// Definitions:
//  - Sessions are those of POST /query/session (session_query.h) over the
//    events that count: in [from, to), passing "filters" and, with a
//    path_property, having a string value in it. Same-instant events are
//    ordered by step name, then non-anchor before anchor.
//  - A step is called by the event's path_property value, or else by its
//    name ("$<type>" when it has none).
//  - Each session gives at most one path, from its anchor: for "next", the
//    first event matching "start" (or the session's first event) and the
//    `steps` events after it; for "previous", the first event matching
//    "end" (or the session's last event) and the `steps` events before it.
//    Sessions without a matching event give none. With collapse_repeats, an
//    event named as the path's step before it (in the walk's direction) is
//    skipped: A A B reads A -> B.
//  - Transition `step` n goes from the path's step n - 1 to its step n away
//    from the anchor (step 0); "from" and "to" are always in time order, so
//    for "previous" step 1 is (event before the anchor) -> (anchor).
//  - A drop-off at step n: the path stopped there, its session having no
//    further (earlier) event, before reaching `steps` transitions.
//  - Everything is counted in sessions.
//
// The result:
//   {"start_count": 800,             sessions with an anchor (paths)
//    "transitions": [{"step": 1, "from": "Signed Up", "to": "Page Viewed",
//                     "sessions": 420}, ...],
//    "dropoffs": [{"step": 0, "at": "Signed Up", "sessions": 80}, ...]}
// Both lists go by step, then by sessions (most first), then by names
// ("from" then "to"); each keeps the `limit` with the most sessions per
// step.
Result<QueryOutput> RunPathsQuery(const QueryContext& context, EventStore& store,
                                  std::string_view body);

}  // namespace cdp::query
