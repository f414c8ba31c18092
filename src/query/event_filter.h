#pragma once

#include <optional>
#include <span>
#include <string>
#include <string_view>
#include <vector>

#include "core/result.h"
#include "model/event.h"
#include "query/request_json.h"
#include "store/event_store.h"
#include "store/scan.h"

namespace cdp::query {

// One condition on an event column, as a request states it:
//   {"property": "properties.plan", "operator": "equals", "value": "pro"}
// `property` is a store column name: a fixed column ("event", "user_id",
// "type", ...) or "<section>.<name>" with section properties, context, traits
// or traits_set_once. Operators: equals, not_equals, gt, gte, lt, lte, in
// (value is an array), contains, not_contains, starts_with, ends_with,
// regex, not_regex (RE2 syntax, matches anywhere unless anchored), is_set,
// is_not_set (no value).
struct PropertyFilter {
  std::string column;
  CompareOp op = CompareOp::kEquals;
  std::vector<ScalarValue> operands;  // as sent: string, number or boolean
  std::string path;                   // "steps[1].filters[0]", for errors
};

// Ok when `column` names an event column: a fixed one ("event", "user_id",
// ...) or "<section>.<name>" of a property section; otherwise BadRequest on
// `path`, saying how columns are named. Whether any event has the column is
// another matter (ColumnCatalog).
Status CheckColumnName(std::string_view column, const std::string& path);

// The filters at `key` of `parent` (an array, possibly absent: none).
Result<std::vector<PropertyFilter>> ParseFilters(const RequestObject& parent,
                                                 std::string_view key = "filters");

// Which events count, as a request states it:
//   {"event": "Signed Up", "type": "track", "filters": [...]}
// `event` (the track event's or the page's name) and `type` are optional: an
// absent one means any.
struct EventSelector {
  std::optional<EventType> type;
  std::optional<std::string> event;
  std::vector<PropertyFilter> filters;
  std::string path;  // of the selector object, for errors
};

// The keys ParseEventSelector reads, for callers that check unknown keys of
// an object that holds more than a selector (a funnel step has a "name").
inline constexpr std::string_view kEventSelectorKeys[] = {"event", "type", "filters"};

Result<EventSelector> ParseEventSelector(const RequestObject& object);

// The value kind of each column a workspace's events have, so that operands
// can be converted to it (a filter's "5" on a numeric property means 5).
class ColumnCatalog {
 public:
  static Result<ColumnCatalog> Load(EventStore& store, std::string_view workspace_id);
  explicit ColumnCatalog(std::vector<StoredColumn> columns) : columns_(std::move(columns)) {}
  // nullopt when no stored event has the column.
  std::optional<ColumnKind> KindOf(std::string_view column) const;

 private:
  std::vector<StoredColumn> columns_;
};

// The store predicate of a filter, its operands converted to the column's
// kind. BadRequest (naming the filter's value) when an operand cannot be
// (a word for a numeric property) or the operator does not apply to the
// kind (contains on a number).
Result<Predicate> ToPredicate(const PropertyFilter& filter, const ColumnCatalog& catalog);
// The predicates of a selector: its type, its event name, then its filters.
Result<std::vector<Predicate>> ToPredicates(const EventSelector& selector,
                                            const ColumnCatalog& catalog);

// Whether `event` satisfies every predicate: the reference the engines'
// answers are tested against.
bool EventMatches(const Event& event, std::span<const Predicate> predicates);

}  // namespace cdp::query
