#include "query/explorer/events_request.h"

#include <fmt/format.h>

#include <algorithm>

#include "model/event.h"
#include "query/event_filter.h"
#include "query/request_json.h"

namespace cdp::query {

namespace {

constexpr size_t kMaxColumns = 200;
constexpr size_t kMaxEventNames = 1000;

Result<std::string_view> NonEmptyString(simdjson::dom::element value, const std::string& path) {
  std::string_view text;
  if (value.get_string().get(text) != simdjson::SUCCESS || text.empty()) {
    return FieldError(path, "a non-empty string");
  }
  return text;
}

// An optional id; an empty one would match nothing (a missing id is null).
Result<std::optional<std::string>> OptionalId(const RequestObject& body, std::string_view key) {
  const std::optional<simdjson::dom::element> value = body.Value(key);
  if (!value) return std::optional<std::string>();
  CDP_ASSIGN_OR_RETURN(const std::string_view id, NonEmptyString(*value, body.PathOf(key)));
  return std::optional<std::string>(std::string(id));
}

Status ParseRange(const RequestObject& body, TimePoint now, EventsRequest& request) {
  CDP_ASSIGN_OR_RETURN(const std::optional<TimePoint> from, body.OptionalTime("from"));
  CDP_ASSIGN_OR_RETURN(const std::optional<TimePoint> to, body.OptionalTime("to"));
  request.to = to.value_or(now);
  request.from = from.value_or(request.to - EventsRequest::kDefaultRange);
  if (request.from >= request.to) {
    if (!to) return FieldError(body.PathOf("from"), "earlier than now (to defaults to now)");
    return FieldError(body.PathOf("to"), "later than from");
  }
  return Status::Ok();
}

// "types" and "events", each an "any of" predicate.
Status ParseTypesAndEvents(const RequestObject& body, EventsRequest& request) {
  CDP_ASSIGN_OR_RETURN(const std::vector<RequestObject::Element> types,
                       body.Array("types", body.Has("types") ? 1 : 0, 6));
  if (!types.empty()) {
    Predicate predicate{.column = "type", .op = CompareOp::kIn, .values = {}, .regex = nullptr};
    for (const RequestObject::Element& element : types) {
      std::string_view name;
      if (element.value.get_string().get(name) != simdjson::SUCCESS || !ParseEventType(name)) {
        return FieldError(element.path, "one of track, identify, page, screen, group, alias");
      }
      predicate.values.emplace_back(std::string(name));
    }
    request.predicates.push_back(std::move(predicate));
  }
  CDP_ASSIGN_OR_RETURN(const std::vector<RequestObject::Element> events,
                       body.Array("events", body.Has("events") ? 1 : 0, kMaxEventNames));
  if (!events.empty()) {
    Predicate predicate{.column = "event", .op = CompareOp::kIn, .values = {}, .regex = nullptr};
    for (const RequestObject::Element& element : events) {
      CDP_ASSIGN_OR_RETURN(const std::string_view name,
                           NonEmptyString(element.value, element.path));
      predicate.values.emplace_back(std::string(name));
    }
    request.predicates.push_back(std::move(predicate));
  }
  return Status::Ok();
}

Status ParseIds(const RequestObject& body, EventsRequest& request) {
  CDP_ASSIGN_OR_RETURN(request.person_id, OptionalId(body, "person_id"));
  for (const std::string_view column : {"anonymous_id", "user_id"}) {
    CDP_ASSIGN_OR_RETURN(const std::optional<std::string> id, OptionalId(body, column));
    if (id) {
      request.predicates.push_back(
          {.column = std::string(column), .op = CompareOp::kEquals, .values = {*id}, .regex = {}});
    }
  }
  return Status::Ok();
}

Status ParseColumns(const RequestObject& body, const std::vector<StoredColumn>& stored,
                    EventsRequest& request) {
  for (const std::string_view name : kEventsKeyColumns) {
    CDP_ASSIGN_OR_RETURN(EventsColumn column, ParseEventsColumn(name, "", stored));
    request.columns.push_back(std::move(column));
  }
  const auto add = [&](std::string_view name, const std::string& path) -> Status {
    if (std::find(std::begin(kEventsKeyColumns), std::end(kEventsKeyColumns), name) !=
        std::end(kEventsKeyColumns)) {
      return Status::Ok();  // every row has it already
    }
    CDP_ASSIGN_OR_RETURN(EventsColumn column, ParseEventsColumn(name, path, stored));
    request.columns.push_back(std::move(column));
    return Status::Ok();
  };
  if (!body.Has("columns")) {
    for (const std::string_view name : kEventsDefaultColumns) CDP_RETURN_IF_ERROR(add(name, ""));
    return Status::Ok();
  }
  CDP_ASSIGN_OR_RETURN(const std::vector<RequestObject::Element> elements,
                       body.Array("columns", 1, kMaxColumns));
  std::vector<std::string_view> seen;
  for (const RequestObject::Element& element : elements) {
    std::string_view name;
    if (element.value.get_string().get(name) != simdjson::SUCCESS) {
      return FieldError(element.path, "a column name (a string)");
    }
    // A row is an object: a column named twice would be a key written twice.
    if (std::find(seen.begin(), seen.end(), name) != seen.end()) {
      return FieldError(element.path, fmt::format("a column not named before ('{}' is)", name));
    }
    seen.push_back(name);
    CDP_RETURN_IF_ERROR(add(name, element.path));
  }
  return Status::Ok();
}

}  // namespace

Result<EventsRequest> ParseEventsRequest(std::string_view body_text,
                                         const std::vector<StoredColumn>& stored, TimePoint now) {
  simdjson::dom::parser parser;
  CDP_ASSIGN_OR_RETURN(const RequestObject body, RequestObject::Parse(parser, body_text));
  CDP_RETURN_IF_ERROR(
      body.RejectUnknownKeys({"from", "to", "types", "events", "person_id", "anonymous_id",
                              "user_id", "filters", "columns", "order", "limit", "cursor"}));
  EventsRequest request;
  CDP_RETURN_IF_ERROR(ParseRange(body, now, request));
  CDP_RETURN_IF_ERROR(ParseTypesAndEvents(body, request));
  CDP_RETURN_IF_ERROR(ParseIds(body, request));
  CDP_ASSIGN_OR_RETURN(const std::vector<PropertyFilter> filters, ParseFilters(body));
  const ColumnCatalog catalog(stored);
  for (const PropertyFilter& filter : filters) {
    CDP_ASSIGN_OR_RETURN(Predicate predicate, ToPredicate(filter, catalog));
    request.predicates.push_back(std::move(predicate));
  }
  CDP_RETURN_IF_ERROR(ParseColumns(body, stored, request));
  CDP_ASSIGN_OR_RETURN(
      request.order,
      body.Choice<EventsOrder>(
          "order", {{"newest", EventsOrder::kNewestFirst}, {"oldest", EventsOrder::kOldestFirst}},
          EventsOrder::kNewestFirst));
  CDP_ASSIGN_OR_RETURN(const int64_t limit, body.Int("limit", EventsRequest::kDefaultLimit, 1,
                                                     EventsRequest::kMaxLimit));
  request.limit = static_cast<size_t>(limit);
  CDP_ASSIGN_OR_RETURN(const std::optional<std::string_view> cursor, body.OptionalString("cursor"));
  if (cursor) {
    CDP_ASSIGN_OR_RETURN(request.after,
                         DecodeEventsCursor(*cursor, request.order, body.PathOf("cursor")));
  }
  return request;
}

}  // namespace cdp::query
