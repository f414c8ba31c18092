#pragma once

#include <span>

#include "model/event.h"
#include "model/person_map.h"
#include "query/retention/retention_engine.h"
#include "query/retention/retention_request.h"
#include "store/scan.h"

namespace cdp::query::testing {

// The cohort table of `request` over `events` (all of one workspace), with the
// selectors' predicates: the brute-force reference every retention backend is
// tested against. Written straight from the definitions in
// retention_query.h, with per-person sets of periods and plain loops; it
// uses neither TimeBuckets nor the engine's bit sets. Persons are PersonOf
// the events under `persons`.
RetentionTable ReferenceRetention(std::span<const Event> events, const RetentionRequest& request,
                                  std::span<const Predicate> start_event,
                                  std::span<const Predicate> return_event,
                                  const PersonMap& persons);

}  // namespace cdp::query::testing
