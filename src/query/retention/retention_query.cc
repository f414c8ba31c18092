#include "query/retention/retention_query.h"

#include "query/event_filter.h"
#include "query/retention/retention_engine.h"
#include "query/retention/retention_request.h"
#include "query/retention/retention_result.h"

namespace cdp::query {

Result<QueryOutput> RunRetentionQuery(const QueryContext& context, EventStore& store,
                                      std::string_view body) {
  CDP_ASSIGN_OR_RETURN(const RetentionRequest request, ParseRetentionRequest(body));
  CDP_ASSIGN_OR_RETURN(RetentionRange range, ResolveRetentionRange(request));
  CDP_ASSIGN_OR_RETURN(const ColumnCatalog catalog,
                       ColumnCatalog::Load(store, context.workspace_id));
  CDP_ASSIGN_OR_RETURN(std::vector<Predicate> start_event,
                       ToPredicates(request.start_event, catalog));
  CDP_ASSIGN_OR_RETURN(std::vector<Predicate> return_event,
                       ToPredicates(request.return_event, catalog));
  const RetentionPlan plan{.periods = range.periods,
                           .to = range.to,
                           .start_event = std::move(start_event),
                           .return_event = std::move(return_event),
                           .cohort = request.cohort,
                           .returning = request.returning};
  CDP_ASSIGN_OR_RETURN(const RetentionTable table, ComputeRetention(context, store, plan));
  return WriteRetentionResult(request, range, table);
}

}  // namespace cdp::query
