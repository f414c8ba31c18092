#pragma once

#include <string_view>

#include "core/result.h"
#include "query/query_context.h"
#include "query/query_kind.h"
#include "store/event_store.h"

namespace cdp::query {

// POST /query/trends: parses and validates `body` (trends_request.h has the
// format; BadRequest naming the field), computes the series over the
// context's workspace (trends_engine.h) and writes the result object
// (trends_result.h). QueryOutput::rows is the number of values written.
// A QueryFunction.
Result<QueryOutput> RunTrendsQuery(const QueryContext& context, EventStore& store,
                                   std::string_view body);

}  // namespace cdp::query
