// ParseCaptureRequest: PostHog-style capture. The body is one event,
//   {"api_key": "...", "event": "...", "distinct_id": "...", "properties": {...},
//    "timestamp": "...", "uuid": "...", "$set": {...}, "$set_once": {...}}
// or {"api_key": "...", "sent_at": "...", "batch": [event, ...]}.
//
// Mapping onto Segment's event types:
//
//   capture event       Event::type  ids                                   Event::event
//   ------------------  -----------  ------------------------------------  -----------------------
//   $identify           identify     user_id = distinct_id                 ""
//                                    anonymous_id =
//                                      properties.$anon_distinct_id (optional)
//   $create_alias       alias        user_id = distinct_id                 ""
//                                    previous_id = properties.alias (required)
//   $merge_dangerously  alias        as $create_alias; and Event::context  ""
//                                    gets merge_dangerously = true (bool)
//   $pageview           page         anonymous_id = distinct_id            "" ($current_url stays
//                                                                          a property: current_url)
//   $screen             screen       anonymous_id = distinct_id            properties.$screen_name
//   any other           track        anonymous_id = distinct_id            the event name as sent
//
// For every type:
//  - event (a non-empty string) and distinct_id are required; distinct_id is
//    the event's "distinct_id", else properties.distinct_id, a string or a
//    number (written as its decimal text).
//  - properties → Event::properties, for every type, flattened like Segment's
//    (a "$" prefix drops out through snake_case: "$current_url" → current_url),
//    except "$set" and "$set_once", which are traits.
//  - $set → Event::traits and $set_once → Event::traits_set_once, flattened;
//    each may be given at the event's top level and inside properties; both
//    are deep-merged, the top level winning.
//  - uuid → message_id, at most limits.max_message_id_chars; a UUIDv7 if absent.
//  - timestamp → original_timestamp. A top-level "sent_at" is every event's
//    sent_at (capture has no per-event one); the timestamp is then
//    skew-corrected as for Segment (event_time.h).
//  - api_key → ParsedRequest::write_key: the top-level one, else the first
//    batch item's that has one. Event::context stays empty but for
//    $merge_dangerously's flag, which asks the identity service to merge even
//    two identified persons.
//  - The ids that $identify, $create_alias and $merge_dangerously link
//    (distinct_id, properties.$anon_distinct_id, properties.alias) are refused
//    when they are placeholders such as "null" or blank (linkable_id.h); other
//    events carry such ids unchanged, since they link nothing.
// Limits, rejections and field paths ("batch[2].distinct_id") are Segment's.

#include <fmt/format.h>

#include <array>
#include <optional>
#include <string>

#include "ingest/event_time.h"
#include "ingest/flatten.h"
#include "ingest/item_fields.h"
#include "ingest/linkable_id.h"
#include "ingest/request_body.h"
#include "ingest/request_items.h"
#include "ingest/request_parser.h"

namespace cdp::ingest {

namespace {

using simdjson::dom::object;

constexpr std::array<std::string_view, 2> kTraitKeys = {"$set", "$set_once"};

// `result`, its error's field path put under "properties".
template <typename T>
Result<T> InProperties(Result<T> result) {
  if (result.ok()) return result;
  Status status = std::move(result).TakeStatus();
  status.PrefixField("properties");
  return status;
}

// An id read from properties, if given.
Result<std::string> ReadPropertyId(const std::optional<object>& properties, std::string_view key) {
  if (!properties) return std::string();
  return InProperties(ReadId(*properties, key));
}

// The event's distinct_id and where it was found.
struct DistinctId {
  std::string id;
  std::string_view field;  // "distinct_id" or "properties.distinct_id"
};

Result<DistinctId> ReadDistinctId(const object& item, const std::optional<object>& properties) {
  DistinctId distinct{.id = {}, .field = "distinct_id"};
  CDP_ASSIGN_OR_RETURN(distinct.id, ReadId(item, "distinct_id"));
  if (distinct.id.empty()) {
    distinct.field = "properties.distinct_id";
    CDP_ASSIGN_OR_RETURN(distinct.id, ReadPropertyId(properties, "distinct_id"));
  }
  if (distinct.id.empty()) return Status::BadRequest("distinct_id is required", "distinct_id");
  return distinct;
}

// $create_alias and $merge_dangerously: distinct_id is the user id and
// properties.alias the id it absorbs.
Status MapAlias(std::string_view name, DistinctId distinct_id,
                const std::optional<object>& properties, Event& event) {
  event.type = EventType::kAlias;
  event.user_id = std::move(distinct_id.id);
  CDP_ASSIGN_OR_RETURN(event.previous_id, ReadPropertyId(properties, "alias"));
  if (event.previous_id.empty()) {
    return Status::BadRequest(fmt::format("{} requires properties.alias", name),
                              "properties.alias");
  }
  CDP_RETURN_IF_ERROR(RequireLinkableId(event.user_id, distinct_id.field));
  return RequireLinkableId(event.previous_id, "properties.alias");
}

// Sets the type, the ids and the name as the table at the top says.
Status MapEvent(std::string_view name, DistinctId distinct_id,
                const std::optional<object>& properties, Event& event) {
  if (name == "$identify") {
    event.type = EventType::kIdentify;
    event.user_id = std::move(distinct_id.id);
    CDP_RETURN_IF_ERROR(RequireLinkableId(event.user_id, distinct_id.field));
    CDP_ASSIGN_OR_RETURN(event.anonymous_id, ReadPropertyId(properties, "$anon_distinct_id"));
    CDP_RETURN_IF_ERROR(RequireLinkableId(event.anonymous_id, "properties.$anon_distinct_id"));
  } else if (name == "$create_alias") {
    CDP_RETURN_IF_ERROR(MapAlias(name, std::move(distinct_id), properties, event));
  } else if (name == "$merge_dangerously") {
    CDP_RETURN_IF_ERROR(MapAlias(name, std::move(distinct_id), properties, event));
    // Where Segment clients put the flag too: "context": {"merge_dangerously": true}.
    Property flag;
    flag.name = "merge_dangerously";
    flag.value.emplace<bool>(true);
    event.context.push_back(std::move(flag));
  } else if (name == "$pageview") {
    event.type = EventType::kPage;
    event.anonymous_id = std::move(distinct_id.id);
  } else if (name == "$screen") {
    event.type = EventType::kScreen;
    event.anonymous_id = std::move(distinct_id.id);
    if (properties) {
      CDP_ASSIGN_OR_RETURN(const std::optional<std::string_view> screen_name,
                           InProperties(ReadString(*properties, "$screen_name")));
      if (screen_name) event.event = *screen_name;
    }
  } else {
    event.type = EventType::kTrack;
    event.anonymous_id = std::move(distinct_id.id);
    event.event = name;
  }
  return Status::Ok();
}

// Flattens item[key] and properties[key] (objects, if given) into `out`, the
// item's keys winning.
Status FlattenTraits(const object& item, const std::optional<object>& properties,
                     std::string_view key, std::vector<Property>& out) {
  CDP_ASSIGN_OR_RETURN(const std::optional<object> own, ReadObject(item, key));
  std::optional<object> nested;
  if (properties) {
    CDP_ASSIGN_OR_RETURN(nested, InProperties(ReadObject(*properties, key)));
  }
  const std::string nested_path = fmt::format("properties.{}", key);
  if (own && nested) return FlattenMerged(*own, key, *nested, nested_path, out);
  if (own) return FlattenObject(*own, key, out);
  if (nested) return FlattenObject(*nested, nested_path, out);
  return Status::Ok();
}

Result<Event> ParseItem(const object& item, std::optional<TimePoint> sent_at,
                        const ParseLimits& limits, TimePoint received_at) {
  Event event;
  event.received_at = received_at;
  CDP_ASSIGN_OR_RETURN(const std::optional<std::string_view> name, ReadString(item, "event"));
  if (!name || name->empty()) return Status::BadRequest("event is required", "event");
  CDP_ASSIGN_OR_RETURN(const std::optional<object> properties, ReadObject(item, "properties"));
  CDP_ASSIGN_OR_RETURN(DistinctId distinct_id, ReadDistinctId(item, properties));
  CDP_RETURN_IF_ERROR(MapEvent(*name, std::move(distinct_id), properties, event));
  CDP_ASSIGN_OR_RETURN(event.message_id, ReadMessageId(item, "uuid", limits.max_message_id_chars));
  CDP_ASSIGN_OR_RETURN(event.original_timestamp, ReadTime(item, "timestamp"));
  event.sent_at = sent_at;
  event.timestamp = CorrectedTimestamp(received_at, event.sent_at, event.original_timestamp);
  if (properties) {
    CDP_RETURN_IF_ERROR(FlattenObject(*properties, "properties", event.properties, kTraitKeys));
  }
  CDP_RETURN_IF_ERROR(FlattenTraits(item, properties, "$set", event.traits));
  CDP_RETURN_IF_ERROR(FlattenTraits(item, properties, "$set_once", event.traits_set_once));
  return event;
}

// The api_key of the first batch item that has one as a string; items with
// another type are rejected when parsed.
std::string FirstItemApiKey(const simdjson::dom::array& batch) {
  for (const simdjson::dom::element item : batch) {
    std::string_view key;
    if (item.is_object() && item["api_key"].get_string().get(key) == simdjson::SUCCESS) {
      return std::string(key);
    }
  }
  return std::string();
}

}  // namespace

Result<ParsedRequest> ParseCaptureRequest(RequestText body, const ParseLimits& limits,
                                          TimePoint received_at) {
  RequestBody request;
  CDP_RETURN_IF_ERROR(request.Parse(body));
  const object& root = request.root();
  ParsedRequest parsed;
  CDP_ASSIGN_OR_RETURN(const std::optional<std::string_view> api_key, ReadString(root, "api_key"));
  if (api_key) parsed.write_key = *api_key;

  if (root.at_key("batch").error() != simdjson::SUCCESS) {
    ParseSingleItem(
        request, limits,
        [&](const object& item) -> Result<Event> {
          CDP_ASSIGN_OR_RETURN(const std::optional<TimePoint> sent_at, ReadTime(item, "sent_at"));
          return ParseItem(item, sent_at, limits, received_at);
        },
        parsed);
    return parsed;
  }
  CDP_ASSIGN_OR_RETURN(const simdjson::dom::array batch, ReadBatch(request, limits));
  parsed.batch = true;
  CDP_ASSIGN_OR_RETURN(const std::optional<TimePoint> sent_at, ReadTime(root, "sent_at"));
  if (parsed.write_key.empty()) parsed.write_key = FirstItemApiKey(batch);
  CDP_RETURN_IF_ERROR(ParseBatchItems(
      request, batch, limits,
      [&](const object& item) -> Result<Event> {
        CDP_RETURN_IF_ERROR(ReadString(item, "api_key").status());
        return ParseItem(item, sent_at, limits, received_at);
      },
      parsed));
  return parsed;
}

}  // namespace cdp::ingest
