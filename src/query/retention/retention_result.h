#pragma once

#include "query/query_kind.h"
#include "query/retention/retention_engine.h"
#include "query/retention/retention_request.h"

namespace cdp::query {

// The result object of a retention query (retention_query.h shows it), with
// the percentages and the averages worked out from the counts. rows: the
// cohort table's cells.
// REQUIRES: table has one cohort per period of range, as ComputeRetention
// returns it.
QueryOutput WriteRetentionResult(const RetentionRequest& request, const RetentionRange& range,
                                 const RetentionTable& table);

}  // namespace cdp::query
