#pragma once

#include <cstdint>
#include <vector>

#include "core/result.h"
#include "query/query_context.h"
#include "query/retention/retention_request.h"
#include "query/time_buckets.h"
#include "store/event_store.h"
#include "store/scan.h"

namespace cdp::query {

// A retention query ready to run: the periods and the store predicates of
// both selectors (retention_query.h gives the definitions).
struct RetentionPlan {
  TimeBuckets periods;  // period i is bucket i; at most kMaxRetentionPeriods
  TimePoint to{};       // the end of the last period: later events count for nothing
  std::vector<Predicate> start_event;
  std::vector<Predicate> return_event;
  RetentionCohort cohort = RetentionCohort::kRecurring;
  RetentionReturning returning = RetentionReturning::kOn;
};

// The cohort table: persons[c] for cohort c in [0, periods), with one count
// per period k in [0, periods - c) (the periods that began before `to`);
// persons[c][0] is the cohort's size.
struct RetentionTable {
  std::vector<std::vector<uint64_t>> persons;
  friend bool operator==(const RetentionTable&, const RetentionTable&) = default;
};

// Runs the plan over the context's workspace: exact counts.
Result<RetentionTable> ComputeRetention(const QueryContext& context, EventStore& store,
                                        const RetentionPlan& plan);

}  // namespace cdp::query
