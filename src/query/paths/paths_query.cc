#include "query/paths/paths_query.h"

#include <fmt/format.h>

#include <algorithm>
#include <vector>

#include "core/json_writer.h"
#include "query/event_filter.h"
#include "query/paths/path_totals.h"
#include "query/paths/paths_request.h"
#include "query/request_json.h"
#include "query/session/person_steps.h"
#include "store/event_columns.h"

namespace cdp::query {

namespace {

// A path property must hold strings: steps are named by them.
Status CheckPathProperty(const std::string& column, const ColumnCatalog& catalog) {
  std::optional<ColumnKind> kind = catalog.KindOf(column);
  for (const StoredColumn& fixed : FixedEventColumns()) {
    if (fixed.name == column) kind = fixed.kind;
  }
  if (kind && *kind != ColumnKind::kString) {
    return FieldError("path_property", fmt::format("a string property: '{}' holds {}s", column,
                                                   ColumnKindName(*kind)));
  }
  return Status::Ok();
}

}  // namespace

// The engine: one scan of the timestamp, the person columns, the name
// column(s) (the event's name and type, or the path property) and the
// anchor selector's columns, with the filters, the range and "path property
// is set" pushed into the store, into PersonSteps (24-byte rows, names as
// codes, the anchor as one bit); then one walk over persons on
// context.parallelism threads, each cutting its persons' sessions into
// paths and counting transitions in per-thread, per-step open-addressing
// tables keyed by a pair of name codes (no locks, no strings). The tables
// merge, and only the kept transitions' names are looked up to write them.
Result<QueryOutput> RunPathsQuery(const QueryContext& context, EventStore& store,
                                  std::string_view body) {
  CDP_ASSIGN_OR_RETURN(const PathsRequest request, ParsePathsRequest(body));
  CDP_ASSIGN_OR_RETURN(const ColumnCatalog catalog,
                       ColumnCatalog::Load(store, context.workspace_id));
  StepScan scan{.from = request.from,
                .to = request.to,
                .predicates = {},
                .name_column = request.path_property,
                .anchor = {}};
  if (request.path_property) {
    CDP_RETURN_IF_ERROR(CheckPathProperty(*request.path_property, catalog));
  }
  for (const PropertyFilter& filter : request.filters) {
    CDP_ASSIGN_OR_RETURN(Predicate predicate, ToPredicate(filter, catalog));
    scan.predicates.push_back(std::move(predicate));
  }
  if (request.anchor) {
    CDP_ASSIGN_OR_RETURN(scan.anchor, ToPredicates(*request.anchor, catalog));
  }
  CDP_ASSIGN_OR_RETURN(PersonSteps steps, PersonSteps::Scan(context, store, scan));

  const PathShape shape{.direction = request.direction,
                        .anchored = request.anchor.has_value(),
                        .steps = request.steps,
                        .timeout_micros = request.timeout_micros,
                        .collapse_repeats = request.collapse_repeats};
  const int threads = std::max(1, context.parallelism);
  std::vector<PathTotals> totals(static_cast<size_t>(threads), PathTotals(shape));
  steps.ForEachPerson(threads, [&](int thread, std::span<const Step> person_steps) {
    totals[size_t(thread)].AddPerson(person_steps);
  });
  if (context.Cancelled()) return CancelledStatus();
  for (size_t i = 1; i < totals.size(); ++i) totals[0].Merge(totals[i]);

  JsonWriter out;
  QueryOutput output;
  output.rows = totals[0].Write(out, steps.names(), request.limit);
  output.json = std::move(out).Take();
  return output;
}

}  // namespace cdp::query
