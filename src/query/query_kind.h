#pragma once

#include <cstdint>
#include <functional>
#include <optional>
#include <string>
#include <string_view>

#include "core/result.h"
#include "query/query_context.h"
#include "store/event_store.h"

namespace cdp::query {

// The analyses of the query API, one per POST /query/<name>.
enum class QueryKind { kEvents, kTrends, kFunnel, kRetention, kSession, kPaths, kSql };

inline constexpr QueryKind kQueryKinds[] = {
    QueryKind::kEvents,  QueryKind::kTrends, QueryKind::kFunnel, QueryKind::kRetention,
    QueryKind::kSession, QueryKind::kPaths,  QueryKind::kSql};

// "events", "trends", "funnel", "retention", "session", "paths", "sql".
std::string_view QueryKindName(QueryKind kind);
std::optional<QueryKind> ParseQueryKind(std::string_view name);

// What an analysis answers: its result as one JSON object, and how many rows
// (series points, steps, cohort cells, events...) it holds, for the query log.
struct QueryOutput {
  std::string json;
  uint64_t rows = 0;
};

// Every analysis has this shape: it parses and validates its request body
// (BadRequest naming the field), runs over the store for the context's
// workspace, and writes its result.
using QueryFunction = std::function<Result<QueryOutput>(const QueryContext& context,
                                                        EventStore& store, std::string_view body)>;

}  // namespace cdp::query
