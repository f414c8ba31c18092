#include "query/trends/trends_query.h"

#include <vector>

#include "query/trends/trends_engine.h"
#include "query/trends/trends_request.h"
#include "query/trends/trends_result.h"

namespace cdp::query {

Result<QueryOutput> RunTrendsQuery(const QueryContext& context, EventStore& store,
                                   std::string_view body) {
  CDP_ASSIGN_OR_RETURN(const std::vector<StoredColumn> columns,
                       store.Columns(context.workspace_id));
  CDP_ASSIGN_OR_RETURN(const TrendsRequest request, ParseTrendsRequest(body, columns));
  CDP_ASSIGN_OR_RETURN(const TrendsResult result, RunTrendsEngine(context, store, request));
  QueryOutput output;
  output.json = WriteTrendsResult(request, result, output.rows);
  return output;
}

}  // namespace cdp::query
