#pragma once

#include <string_view>

#include "core/result.h"
#include "query/query_context.h"
#include "query/query_kind.h"
#include "store/event_store.h"

namespace cdp::query {

// POST /query/retention: of the persons who did a start event in a period
// (a cohort), how many did a return event 1, 2, ... periods later.
//
//   {"from": "2026-03-02",            required; the first cohort's period is
//                                     the one holding it (floored in the zone)
//    "to": "2026-04-20T12:00:00Z",    optional, exclusive: data stops counting
//                                     here (e.g. now); periods that begin at or
//                                     after it are not listed. Default and
//                                     upper bound: the end of the last period
//    "periods": 8,                    1..100, default 8: the cohorts listed AND
//                                     the periods followed after each (the
//                                     triangle: cohort c has periods 0..N-1-c)
//    "period": "week",                "day" | "week" (Monday) | "month", default week
//    "time_zone": "Europe/Paris",     IANA name, default UTC
//    "start_event": {EventSelector},  required: {"event", "type", "filters"}
//    "return_event": {EventSelector}, required
//    "cohort": "recurring",           "recurring" (default) | "first_time"
//    "returning": "on"}               "on" (default) | "on_or_after"
//
// Definitions (the engine and the reference implement exactly these). Periods
// are calendar periods in the time zone (TimeBuckets), so a day can last 23 or
// 25 hours; period 0 is the one holding `from`, period p the p-th after it.
// Only events in [start of period 0, to) count, except for first_time's look
// back.
//  - recurring: a person is in cohort C when they did a start event in
//    period C; one person can be in several cohorts.
//  - first_time: a person is in cohort C when their first start event ever
//    (searched over all stored data, before `from` too) is in period C.
//  - period 0 is the cohort itself: 100% by definition (as PostHog, Amplitude
//    and ClickHouse's retention() count it). A return event in the cohort's
//    own period says nothing about coming back, and at period granularity it
//    may even precede the start event.
//  - "on": a cohort C person counts at period k >= 1 when they did a return
//    event in period C + k.
//  - "on_or_after": ... in period C + k or any later period (up to `to`).
// Persons are PersonOf the events (person_key.h: the user id, else the
// anonymous id, resolved under the query's snapshot, so merged ids are one
// person; events with no id count for nothing).
//
// The result:
//
//   {"from": "2026-03-02T00:00:00.000Z",  start of period 0 (UTC)
//    "to": "2026-04-27T00:00:00.000Z",    the effective end (UTC)
//    "period": "week", "periods": 8, "time_zone": "Europe/Paris",
//    "cohort": "recurring", "returning": "on",           as resolved
//    "cohorts": [                          one per period that began before "to"
//      {"start": "2026-03-02T00:00:00+01:00",  the period's label (TimeBuckets)
//       "persons": 120,                        the cohort's size
//       "values": [                            k = 0 .. n-1-c (n: the cohorts listed)
//         {"period": 0, "persons": 120, "percent": 100},   (100 by definition)
//         {"period": 1, "persons": 30, "percent": 25}, ...]}, ...],
//    "average": [                          per period k, over the cohorts listing it
//      {"period": 1, "persons": 75,        the sum of their period-k persons
//       "cohort_persons": 400,             the sum of their sizes
//       "percent": 18.75}, ...]}           (weighted by cohort size)
//
// Percentages are 0..100 of the cohort, 0 for an empty cohort.
//
// RunRetentionQuery is a QueryFunction: BadRequest naming the field for a bad
// request (unknown keys included).
Result<QueryOutput> RunRetentionQuery(const QueryContext& context, EventStore& store,
                                      std::string_view body);

}  // namespace cdp::query
