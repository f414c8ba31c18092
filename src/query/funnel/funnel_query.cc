#include "query/funnel/funnel_query.h"

#include "query/funnel/funnel_engine.h"
#include "query/funnel/funnel_request.h"
#include "query/funnel/funnel_result.h"

namespace cdp::query {

Result<QueryOutput> RunFunnelQuery(const QueryContext& context, EventStore& store,
                                   std::string_view body) {
  CDP_ASSIGN_OR_RETURN(const FunnelRequest request, ParseFunnelRequest(body));
  CDP_ASSIGN_OR_RETURN(const FunnelResult result, RunFunnel(context, store, request));
  return WriteFunnelResult(request, result);
}

}  // namespace cdp::query
