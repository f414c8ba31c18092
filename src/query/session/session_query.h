#pragma once

#include <string_view>

#include "core/result.h"
#include "query/query_context.h"
#include "query/query_kind.h"
#include "store/event_store.h"

namespace cdp::query {

// POST /query/session: how persons' visits look, a visit (session) being a
// run of a person's events with no gap longer than the inactivity timeout.
// The request is SessionRequest (session_request.h).
//
// Definitions:
//  - The events that count are those in [from, to) that pass "filters", of
//    events with a person (PersonKey). Sessions are cut at from and to: an
//    event outside the range neither starts nor extends one.
//  - A person's events, in time order, start a new session when one comes
//    more than timeout_minutes after the one before it; a gap of exactly the
//    timeout continues the session (ForEachSession in sessionize.h).
//    Same-instant events are ordered by name.
//  - Duration = last event time - first event time (0 for a single event).
//  - Entry (exit) event = the name of the session's first (last) event: a
//    track event's name, a page's or screen's name, or "$<type>" for an
//    event without one ("$page", "$identify", UnnamedEventName).
//  - A session belongs to the interval (in time_zone) of its first event.
//  - Medians and p90s interpolate linearly between the closest ranks of the
//    exact values (numpy's default); averages, medians and p90s are 0 when
//    there is no session.
//
// The result:
//   {"sessions": 120, "persons": 48,
//    "duration_seconds": {"average": 301.5, "median": 120, "p90": 900,
//      "histogram": [{"from_seconds": 0, "to_seconds": 1, "sessions": 30}, ...,
//                    {"from_seconds": 10800, "to_seconds": null, "sessions": 0}]},
//    "events_per_session": {"average": 3.5, "median": 2, "p90": 8,
//      "histogram": [{"from_events": 1, "to_events": 2, "sessions": 30}, ...,
//                    {"from_events": 101, "to_events": null, "sessions": 0}]},
//    "entry_events": [{"event": "Page Viewed", "sessions": 70}, ...],
//    "exit_events": [{"event": "Order Completed", "sessions": 20}, ...],
//    "over_time": [{"bucket": "2026-03-01T00:00:00+01:00", "sessions": 17,
//                   "average_duration_seconds": 250.25, "persons": 9}, ...]}
// Histogram bins are [from, to) with fixed edges (session_totals.h), every
// bin listed. Entry and exit events: the entry_exit_limit names most
// sessions begin (end) with, most first, ties by name. over_time lists every
// interval of the range (TimeBuckets), its average 0 when it has no session;
// its persons are those with a session beginning in it.
Result<QueryOutput> RunSessionQuery(const QueryContext& context, EventStore& store,
                                    std::string_view body);

}  // namespace cdp::query
