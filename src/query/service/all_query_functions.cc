#include "query/service/all_query_functions.h"

#include "query/explorer/events_query.h"
#include "query/funnel/funnel_query.h"
#include "query/paths/paths_query.h"
#include "query/retention/retention_query.h"
#include "query/session/session_query.h"
#include "query/sql/sql_query.h"
#include "query/trends/trends_query.h"

namespace cdp::query {

namespace {

// The entry point's exact type picks it out of its overloads (RunSqlQuery
// also has one taking limits).
using EntryPoint = Result<QueryOutput> (*)(const QueryContext&, EventStore&, std::string_view);

}  // namespace

std::map<QueryKind, QueryFunction> AvailableQueryFunctions() {
  std::map<QueryKind, QueryFunction> functions;
  functions.emplace(QueryKind::kEvents, EntryPoint{RunEventsQuery});
  functions.emplace(QueryKind::kTrends, EntryPoint{RunTrendsQuery});
  functions.emplace(QueryKind::kFunnel, EntryPoint{RunFunnelQuery});
  functions.emplace(QueryKind::kRetention, EntryPoint{RunRetentionQuery});
  functions.emplace(QueryKind::kSession, EntryPoint{RunSessionQuery});
  functions.emplace(QueryKind::kPaths, EntryPoint{RunPathsQuery});
  functions.emplace(QueryKind::kSql, EntryPoint{RunSqlQuery});
  return functions;
}

}  // namespace cdp::query
