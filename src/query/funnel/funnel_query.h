#pragma once

#include <string_view>

#include "core/result.h"
#include "query/query_context.h"
#include "query/query_kind.h"
#include "store/event_store.h"

namespace cdp::query {

// POST /query/funnel: parses and validates the body (funnel_request.h),
// computes the funnel (funnel_engine.h) and writes its result object
// (funnel_result.h). A QueryFunction.
Result<QueryOutput> RunFunnelQuery(const QueryContext& context, EventStore& store,
                                   std::string_view body);

}  // namespace cdp::query
