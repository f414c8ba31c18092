#include "query/paths/paths_request.h"

#include <fmt/format.h>
#include <simdjson.h>

#include "query/calendar_fields.h"
#include "query/request_json.h"
#include "query/session/session_request.h"
#include "store/event_columns.h"

namespace cdp::query {

namespace {

constexpr int64_t kMaxSteps = 20;
constexpr int64_t kMaxLimit = 1000;

// The anchor selector at `key`, when given: it must be the direction's own
// and select something.
Result<std::optional<EventSelector>> ParseAnchor(const RequestObject& body, std::string_view key,
                                                 bool allowed, std::string_view other_key) {
  CDP_ASSIGN_OR_RETURN(const std::optional<RequestObject> object, body.OptionalObject(key));
  if (!object) return std::optional<EventSelector>();
  if (!allowed) {
    return FieldError(body.PathOf(key),
                      fmt::format("absent in this direction (use {})", other_key));
  }
  CDP_RETURN_IF_ERROR(object->RejectUnknownKeys({"event", "type", "filters"}));
  CDP_ASSIGN_OR_RETURN(EventSelector selector, ParseEventSelector(*object));
  if (!selector.event && !selector.type && selector.filters.empty()) {
    return FieldError(body.PathOf(key), "an event selector with an event, a type or filters");
  }
  return std::optional<EventSelector>(std::move(selector));
}

}  // namespace

Result<PathsRequest> ParsePathsRequest(std::string_view body) {
  simdjson::dom::parser parser;
  CDP_ASSIGN_OR_RETURN(const RequestObject object, RequestObject::Parse(parser, body));
  CDP_RETURN_IF_ERROR(object.RejectUnknownKeys({"from", "to", "direction", "start", "end", "steps",
                                                "timeout_minutes", "path_property", "filters",
                                                "limit", "collapse_repeats"}));
  PathsRequest request;
  CDP_ASSIGN_OR_RETURN(const TimeRange range, ParseTimeRange(object));
  request.from = range.from;
  request.to = range.to;
  CDP_ASSIGN_OR_RETURN(
      request.direction,
      object.Choice<PathDirection>(
          "direction", {{"next", PathDirection::kNext}, {"previous", PathDirection::kPrevious}},
          PathDirection::kNext));
  const bool next = request.direction == PathDirection::kNext;
  CDP_ASSIGN_OR_RETURN(const std::optional<EventSelector> start,
                       ParseAnchor(object, "start", next, "end"));
  CDP_ASSIGN_OR_RETURN(const std::optional<EventSelector> end,
                       ParseAnchor(object, "end", !next, "start"));
  request.anchor = next ? start : end;
  CDP_ASSIGN_OR_RETURN(const int64_t steps, object.Int("steps", 5, 1, kMaxSteps));
  request.steps = int(steps);
  CDP_ASSIGN_OR_RETURN(request.timeout_micros, ParseSessionTimeout(object));
  CDP_ASSIGN_OR_RETURN(const std::optional<std::string_view> path_property,
                       object.OptionalString("path_property"));
  if (path_property) {
    CDP_RETURN_IF_ERROR(CheckColumnName(*path_property, object.PathOf("path_property")));
    request.path_property = std::string(*path_property);
  }
  CDP_ASSIGN_OR_RETURN(request.filters, ParseFilters(object));
  CDP_ASSIGN_OR_RETURN(const int64_t limit, object.Int("limit", 50, 1, kMaxLimit));
  request.limit = size_t(limit);
  CDP_ASSIGN_OR_RETURN(request.collapse_repeats, object.Bool("collapse_repeats", false));
  return request;
}

}  // namespace cdp::query
