#include "query/session/session_query.h"

#include <algorithm>
#include <vector>

#include "core/json_writer.h"
#include "query/event_filter.h"
#include "query/session/person_steps.h"
#include "query/session/session_request.h"
#include "query/session/session_totals.h"
#include "query/time_buckets.h"

namespace cdp::query {

// The engine: one scan of five columns (timestamp, anonymous_id, user_id,
// event, type) with the filters and the range pushed into the store, into
// PersonSteps (24-byte rows, names as codes); then one walk over persons on
// context.parallelism threads, each splitting its persons' steps into
// sessions and adding them to its own SessionTotals (no locks, no strings);
// the totals merge and write the result. Strings are only touched once per
// block dictionary entry and for the names the result shows.
Result<QueryOutput> RunSessionQuery(const QueryContext& context, EventStore& store,
                                    std::string_view body) {
  CDP_ASSIGN_OR_RETURN(const SessionRequest request, ParseSessionRequest(body));
  CDP_ASSIGN_OR_RETURN(
      const TimeBuckets buckets,
      TimeBuckets::Make(request.time_zone, request.interval, request.from, request.to, "interval"));
  CDP_ASSIGN_OR_RETURN(const ColumnCatalog catalog,
                       ColumnCatalog::Load(store, context.workspace_id));
  StepScan scan{
      .from = request.from, .to = request.to, .predicates = {}, .name_column = {}, .anchor = {}};
  for (const PropertyFilter& filter : request.filters) {
    CDP_ASSIGN_OR_RETURN(Predicate predicate, ToPredicate(filter, catalog));
    scan.predicates.push_back(std::move(predicate));
  }
  CDP_ASSIGN_OR_RETURN(PersonSteps steps, PersonSteps::Scan(context, store, scan));

  const int threads = std::max(1, context.parallelism);
  std::vector<SessionTotals> totals;
  totals.reserve(size_t(threads));
  for (int i = 0; i < threads; ++i) totals.emplace_back(steps.names().size(), buckets.size());
  steps.ForEachPerson(threads, [&](int thread, std::span<const Step> person_steps) {
    totals[size_t(thread)].AddPerson(person_steps, request.timeout_micros, buckets);
  });
  if (context.Cancelled()) return CancelledStatus();
  for (int i = 1; i < threads; ++i) totals[0].Merge(totals[size_t(i)]);

  JsonWriter out;
  QueryOutput output;
  output.rows = totals[0].Write(out, steps.names(), buckets, request.entry_exit_limit);
  output.json = std::move(out).Take();
  return output;
}

}  // namespace cdp::query
