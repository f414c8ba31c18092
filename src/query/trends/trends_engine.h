#pragma once

#include <cstddef>

#include "core/result.h"
#include "query/query_context.h"
#include "query/trends/trends_request.h"
#include "query/trends/trends_result.h"
#include "store/event_store.h"

namespace cdp::query {

struct TrendsEngineOptions {
  // How many accumulator cells (breakdown groups x time slices, the slices
  // rounded up to a power of two) one scan worker may open while it
  // discovers breakdown values in a single pass.
  // Past it (a breakdown by a property with very many values), the engine
  // counts values in a first pass and then scans for the top N only.
  size_t cell_budget = size_t(1) << 20;
};

// Computes a trends request over the store's events of the context's
// workspace, exactly as the definitions in trends_request.h say (see the top
// of trends_engine.cc for how). Errors: those of the scan (cancellation...).
Result<TrendsResult> RunTrendsEngine(const QueryContext& context, EventStore& store,
                                     const TrendsRequest& request,
                                     const TrendsEngineOptions& options = {});

}  // namespace cdp::query
