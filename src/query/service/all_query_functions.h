#pragma once

#include <map>

#include "query/query_kind.h"

namespace cdp::query {

// The analyses this build has, by kind: what `cdp serve` hands the
// QueryService and what the data-driven case runner (tests/queries) runs.
// A kind whose library was not built is absent (its routes answer 404).
std::map<QueryKind, QueryFunction> AvailableQueryFunctions();

}  // namespace cdp::query
