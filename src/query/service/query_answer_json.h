#pragma once

#include <string>

#include "core/json_writer.h"
#include "query/query_kind.h"
#include "query/query_runner.h"

namespace cdp::query {

// The envelope every answered query has in the API, synchronous or async:
//   {"kind": "funnel", "result": {...}, "cache_hit": false,
//    "duration_ms": 12.5, "rows": 4}
// `result` is the analysis's own object, inserted as it wrote it.
void WriteQueryAnswer(JsonWriter& out, QueryKind kind, const QueryAnswer& answer);
std::string QueryAnswerJson(QueryKind kind, const QueryAnswer& answer);

}  // namespace cdp::query
