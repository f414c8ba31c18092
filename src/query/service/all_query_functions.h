#pragma once

#include <map>

#include "query/query_kind.h"

namespace cdp::query {

// Every analysis, by kind: what `cdp serve` hands the QueryService and what
// the data-driven case runner (tests/queries) runs.
std::map<QueryKind, QueryFunction> AvailableQueryFunctions();

}  // namespace cdp::query
