#include "query/explorer/events_query.h"

#include "query/explorer/events_request.h"
#include "query/explorer/events_result.h"
#include "query/explorer/events_scan.h"

namespace cdp::query {

Result<QueryOutput> RunEventsQuery(const QueryContext& context, EventStore& store,
                                   std::string_view body) {
  return RunEventsQueryAt(context, store, body, SystemClock::Instance().Now());
}

Result<QueryOutput> RunEventsQueryAt(const QueryContext& context, EventStore& store,
                                     std::string_view body, TimePoint now) {
  CDP_ASSIGN_OR_RETURN(const std::vector<StoredColumn> stored, store.Columns(context.workspace_id));
  CDP_ASSIGN_OR_RETURN(const EventsRequest request, ParseEventsRequest(body, stored, now));
  CDP_ASSIGN_OR_RETURN(const EventsPage page, FindEventsPage(context, store, request));
  return QueryOutput{.json = WriteEventsResult(request, page), .rows = page.rows.size()};
}

}  // namespace cdp::query
