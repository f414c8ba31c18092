#pragma once

#include "core/result.h"
#include "query/funnel/funnel_request.h"
#include "query/funnel/funnel_result.h"
#include "query/query_context.h"
#include "store/event_store.h"

namespace cdp::query {

// The funnel of a workspace's events on the embedded store.
//
// WHAT IT COMPUTES (funnel_reference.cc follows this text literally)
//
// Events. Only the workspace's events with from <= timestamp < to count, and
// only those with a person: events are taken by person as PersonOf (person_key.h)
// resolves them under the query's snapshot (PersonSnapshotOf), so the events
// of every id of a merged person are one person's. Conversions must also
// happen before `to`: a window running past `to` sees nothing there. An event
// matches step k when it satisfies the step's selector; it may match several
// steps, and exclusions too.
//
// Order. A person's events are taken by timestamp. Events with the same
// timestamp are ordered by the steps they match: at the lowest step that one
// of them matches and the other does not, the one that matches it goes first
// (so a step-1 event precedes a same-time step-2 event, and events matching
// no step come last). With a breakdown, same-time events that match the same
// steps and can start a chain (match step 1; unordered: any step) are then
// ordered by FunnelBreakdownKey of their breakdown value. Events still tied
// are interchangeable (no answer depends on their order), so answers never
// depend on how events were stored. "Before" and "after" below mean this
// order; "within the window of c" means t <= t(c) + window (inclusive, as
// ClickHouse's windowFunnel). Steps are numbered from 1 in this text; the
// request's from_step / to_step and the result's index count from 0.
//
// Chains. A chain is a sequence of distinct events c_1, ..., c_n of one
// person, each after the previous one, all within the window of c_1; each
// event takes one step only (an event matching steps 1 and 2 alone is a
// chain of one), and:
//  - ordered: c_i matches step i;
//  - strict: as ordered, and c_{i+1} comes right after c_i: no other event
//    of the person in the range, whatever its name, lies between them;
//  - unordered: c_1, ..., c_n can each be given a different step they match,
//    in any order.
// A person's level is the length of their longest chain (0 without one).
// Ordered persons with level >= k are the persons whose ClickHouse
// windowFunnel(window)(timestamp, step_1, ..., step_N) is >= k when no event
// matches two steps (windowFunnel lets one event take several) and no person
// has same-second events of different steps (ClickHouse 18.16 orders those
// as stored). In unordered mode, "step k" counts the persons who did k of the
// steps, in any order.
//
// Counted chain. One chain per person provides the times, the bucket of
// over_time and the breakdown value: its start c_1 is the earliest event
// starting a chain of the person's level, and then each next event is the
// earliest possible:
//  - ordered: c_{i+1} is the first event after c_i, within the window of
//    c_1, that matches step i + 1;
//  - strict: c_{i+1} is the event right after c_i;
//  - unordered: walking the events from c_1 on, within its window, each is
//    kept when it and the events kept so far can still each be given a
//    different step; the kept events are c_1, c_2, ... (as many as the level:
//    this walk keeps as many as any choice could).
//
// Exclusions (PostHog's semantics). An exclusion {selector, from_step,
// to_step} names steps a = from_step + 1 < b = to_step + 1. It applies to
// persons whose counted chain reached step a: the person leaves the funnel
// altogether (counted nowhere) when an event matching the exclusion has a
// timestamp strictly between t(c_a) and t(c_b), or, when the chain did not
// reach step b, strictly after t(c_a) and within the window of c_1 (while the
// chain could still have reached b). Other chains of the person are not
// considered. (In unordered mode c_a is the chain's a-th event.)
//
// Results, over the persons with a level >= 1 who were not excluded (N steps):
//  - steps[k].persons: level >= k + 1; conversion_from_first =
//    persons[k] / persons[0], conversion_from_previous = persons[k] /
//    persons[k - 1] (step 0: persons[0] / persons[0]); 0 when dividing by 0;
//  - steps[k].median / average_seconds_to_convert (k >= 1): of
//    t(c_{k+1}) - t(c_k), the time from the previous step's event, over the
//    persons with level >= k + 1; the median of an even count is the mean of
//    the two middle values; null for step 0 and when nobody;
//  - time_to_convert: of t(c_N) - t(c_1) over the persons with level N, in
//    `histogram_bins` bins of whole seconds: lo = the least value rounded
//    down to a second, width w = the least whole number of seconds (>= 1)
//    with lo + bins * w >= the largest value, bin b = [lo + b w, lo + (b+1) w)
//    (the last of the `bins` bins also holds its end); written from the first
//    bin to the one holding the largest value, empty ones included; no bins
//    when nobody completed;
//  - over_time: for each bucket of [from, to) (TimeBuckets of interval and
//    time_zone), the persons whose c_1 is in it (entered) and those of them
//    with level N (completed); conversion = completed / entered;
//  - breakdown: persons grouped by the value of the breakdown property on
//    their c_1 (null when it has none): steps as above per group; groups
//    ordered by steps[0].persons descending, then by value (null, strings,
//    times, numbers, booleans; ascending within a kind); the first `limit`
//    groups, then, when more remain, all of them as one group "other".
//
// HOW (the hot path; goal <= 10 ns per scanned event on 10 M events)
//
// One scan of [from, to) reading timestamp, the two person columns (each
// block's ids resolved to persons once per dictionary entry, PersonKeyReader),
// event,
// the columns the selectors' filters use and the breakdown column. When
// every step and exclusion names its event (and the order is not strict,
// which needs every event), the store only returns rows whose event is one
// of them. Per block: each selector's event name is compared once per
// dictionary entry, so a row's step and exclusion masks are one lookup by
// its event code; selectors with filters narrow a copy of the selection with
// FilterSelection (string predicates once per dictionary entry) and OR their
// bits in. Each row with a step or exclusion (every row in strict mode)
// becomes a PersonRows row (person, micros, payload) with no allocation: the
// payload is the complement of the step mask (funnel_walk.h: the order of
// ties), plus the breakdown key and exclusion mask only when asked. Then each
// partition is sorted and every person walked once by FunnelWalker
// (O(rows x steps) at most), adding to per-thread totals: persons per step
// and lists of conversion times, merged at the end for exact medians.
Result<FunnelResult> RunFunnel(const QueryContext& context, EventStore& store,
                               const FunnelRequest& request);

}  // namespace cdp::query
