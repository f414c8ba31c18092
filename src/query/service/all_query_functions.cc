#include "query/service/all_query_functions.h"

// CMake defines CDP_HAVE_<KIND>_QUERY for each analysis library it builds.
#if CDP_HAVE_EVENTS_QUERY
#include "query/explorer/events_query.h"
#endif
#if CDP_HAVE_TRENDS_QUERY
#include "query/trends/trends_query.h"
#endif
#if CDP_HAVE_FUNNEL_QUERY
#include "query/funnel/funnel_query.h"
#endif
#if CDP_HAVE_RETENTION_QUERY
#include "query/retention/retention_query.h"
#endif
#if CDP_HAVE_SESSION_QUERY
#include "query/session/session_query.h"
#endif
#if CDP_HAVE_PATHS_QUERY
#include "query/paths/paths_query.h"
#endif
#if CDP_HAVE_SQL_QUERY
#include "query/sql/sql_query.h"
#endif

namespace cdp::query {

namespace {

// The entry point's exact type picks it out of its overloads (RunSqlQuery
// also has one taking limits).
using EntryPoint = Result<QueryOutput> (*)(const QueryContext&, EventStore&, std::string_view);

}  // namespace

std::map<QueryKind, QueryFunction> AvailableQueryFunctions() {
  std::map<QueryKind, QueryFunction> functions;
#if CDP_HAVE_EVENTS_QUERY
  functions.emplace(QueryKind::kEvents, EntryPoint{RunEventsQuery});
#endif
#if CDP_HAVE_TRENDS_QUERY
  functions.emplace(QueryKind::kTrends, EntryPoint{RunTrendsQuery});
#endif
#if CDP_HAVE_FUNNEL_QUERY
  functions.emplace(QueryKind::kFunnel, EntryPoint{RunFunnelQuery});
#endif
#if CDP_HAVE_RETENTION_QUERY
  functions.emplace(QueryKind::kRetention, EntryPoint{RunRetentionQuery});
#endif
#if CDP_HAVE_SESSION_QUERY
  functions.emplace(QueryKind::kSession, EntryPoint{RunSessionQuery});
#endif
#if CDP_HAVE_PATHS_QUERY
  functions.emplace(QueryKind::kPaths, EntryPoint{RunPathsQuery});
#endif
#if CDP_HAVE_SQL_QUERY
  functions.emplace(QueryKind::kSql, EntryPoint{RunSqlQuery});
#endif
  return functions;
}

}  // namespace cdp::query
