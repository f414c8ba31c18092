// ParseSegmentRequest: the Segment HTTP Tracking API (/v1/track, /v1/identify,
// /v1/page, /v1/screen, /v1/group, /v1/alias, /v1/batch, /v1/import).
//
// A batch's top-level "context" is deep-merged under each item's (the item's
// keys win) and its "integrations" shallow-merged likewise; its "sentAt" is
// the sentAt of items without their own. Because they apply to every item, a
// malformed batch-level context, integrations or sentAt fails the request.
//
// identify and alias link ids into one person (identity stitching): their
// userId, anonymousId (identify) and previousId (alias) are refused when they
// are blank or placeholders such as "null" (linkable_id.h). Other types carry
// such ids unchanged, since they link nothing. "context":
// {"merge_dangerously": true} flattens into Event::context like any other
// context key and asks the identity service to merge even two identified
// persons.

#include <fmt/format.h>

#include <optional>
#include <string>

#include "core/json_writer.h"
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

// What a batch gives each of its items.
struct BatchDefaults {
  std::optional<object> context;
  std::vector<Property> flat_context;  // `context` flattened, for items without one
  std::optional<object> integrations;
  std::optional<TimePoint> sent_at;
};

Result<EventType> ReadType(const object& item) {
  CDP_ASSIGN_OR_RETURN(const std::optional<std::string_view> name, ReadString(item, "type"));
  if (!name || name->empty()) return Status::BadRequest("type is required", "type");
  const std::optional<EventType> type = ParseEventType(*name);
  if (!type) {
    return Status::BadRequest(
        fmt::format("unknown type '{}'; expected track, identify, page, screen, group or alias",
                    *name),
        "type");
  }
  return *type;
}

// A string or numeric id that the event's type requires.
Result<std::string> ReadRequiredId(const object& item, std::string_view key) {
  CDP_ASSIGN_OR_RETURN(std::string id, ReadId(item, key));
  if (id.empty()) return Status::BadRequest(fmt::format("{} is required", key), std::string(key));
  return id;
}

// userId, anonymousId and the fields particular to the event's type.
Status ReadIdentity(const object& item, Event& event) {
  CDP_ASSIGN_OR_RETURN(event.user_id, ReadId(item, "userId"));
  CDP_ASSIGN_OR_RETURN(event.anonymous_id, ReadId(item, "anonymousId"));
  if (event.user_id.empty() && event.anonymous_id.empty()) {
    return Status::BadRequest("userId or anonymousId is required", "userId");
  }
  switch (event.type) {
    case EventType::kTrack: {
      CDP_ASSIGN_OR_RETURN(const std::optional<std::string_view> name, ReadString(item, "event"));
      if (!name || name->empty()) return Status::BadRequest("event is required", "event");
      event.event = *name;
      break;
    }
    case EventType::kPage:
    case EventType::kScreen: {
      CDP_ASSIGN_OR_RETURN(const std::optional<std::string_view> name, ReadString(item, "name"));
      if (name) event.event = *name;
      break;
    }
    case EventType::kGroup: {
      CDP_ASSIGN_OR_RETURN(event.group_id, ReadRequiredId(item, "groupId"));
      break;
    }
    case EventType::kAlias: {
      CDP_ASSIGN_OR_RETURN(event.previous_id, ReadRequiredId(item, "previousId"));
      if (event.user_id.empty()) return Status::BadRequest("alias requires userId", "userId");
      CDP_RETURN_IF_ERROR(RequireLinkableId(event.user_id, "userId"));
      CDP_RETURN_IF_ERROR(RequireLinkableId(event.previous_id, "previousId"));
      break;
    }
    case EventType::kIdentify:
      // Either id alone links nothing, but still names the person whose
      // traits it sets: a placeholder would gather everyone's traits.
      CDP_RETURN_IF_ERROR(RequireLinkableId(event.user_id, "userId"));
      CDP_RETURN_IF_ERROR(RequireLinkableId(event.anonymous_id, "anonymousId"));
      break;
  }
  return Status::Ok();
}

Status ReadTimes(const object& item, const BatchDefaults& defaults, Event& event) {
  CDP_ASSIGN_OR_RETURN(const std::optional<TimePoint> timestamp, ReadTime(item, "timestamp"));
  CDP_ASSIGN_OR_RETURN(const std::optional<TimePoint> original,
                       ReadTime(item, "originalTimestamp"));
  CDP_ASSIGN_OR_RETURN(const std::optional<TimePoint> sent_at, ReadTime(item, "sentAt"));
  event.original_timestamp = timestamp ? timestamp : original;
  event.sent_at = sent_at ? sent_at : defaults.sent_at;
  event.timestamp = CorrectedTimestamp(event.received_at, event.sent_at, event.original_timestamp);
  return Status::Ok();
}

// Flattens item[key] (an object, if given) into `out`.
Status FlattenField(const object& item, std::string_view key, std::vector<Property>& out) {
  CDP_ASSIGN_OR_RETURN(const std::optional<object> value, ReadObject(item, key));
  if (!value) return Status::Ok();
  return FlattenObject(*value, key, out);
}

Status ReadContext(const object& item, const BatchDefaults& defaults, Event& event) {
  CDP_ASSIGN_OR_RETURN(const std::optional<object> context, ReadObject(item, "context"));
  if (!context) {
    event.context = defaults.flat_context;
    return Status::Ok();
  }
  if (!defaults.context) return FlattenObject(*context, "context", event.context);
  return FlattenMerged(*context, "context", *defaults.context, "context", event.context);
}

// The integrations object as compact JSON, the batch's keys under the item's.
Result<std::string> ReadIntegrations(const object& item, const BatchDefaults& defaults) {
  CDP_ASSIGN_OR_RETURN(const std::optional<object> own, ReadObject(item, "integrations"));
  if (!own && !defaults.integrations) return std::string();
  if (!own) return simdjson::minify(*defaults.integrations);
  if (!defaults.integrations) return simdjson::minify(*own);
  JsonWriter writer;
  writer.BeginObject();
  for (const auto [key, value] : *own) writer.Key(key).Raw(simdjson::minify(value));
  for (const auto [key, value] : *defaults.integrations) {
    if (own->at_key(key).error() != simdjson::SUCCESS) {
      writer.Key(key).Raw(simdjson::minify(value));
    }
  }
  writer.EndObject();
  return std::move(writer).Take();
}

Result<Event> ParseItem(const object& item, std::optional<EventType> single_type,
                        const BatchDefaults& defaults, const ParseLimits& limits,
                        TimePoint received_at) {
  Event event;
  event.received_at = received_at;
  if (single_type) {
    event.type = *single_type;
  } else {
    CDP_ASSIGN_OR_RETURN(event.type, ReadType(item));
  }
  CDP_ASSIGN_OR_RETURN(event.message_id,
                       ReadMessageId(item, "messageId", limits.max_message_id_chars));
  CDP_RETURN_IF_ERROR(ReadIdentity(item, event));
  CDP_RETURN_IF_ERROR(ReadTimes(item, defaults, event));
  switch (event.type) {
    case EventType::kTrack:
    case EventType::kPage:
    case EventType::kScreen:
      CDP_RETURN_IF_ERROR(FlattenField(item, "properties", event.properties));
      break;
    case EventType::kIdentify:
    case EventType::kGroup:
      CDP_RETURN_IF_ERROR(FlattenField(item, "traits", event.traits));
      break;
    case EventType::kAlias:
      break;
  }
  CDP_RETURN_IF_ERROR(ReadContext(item, defaults, event));
  CDP_ASSIGN_OR_RETURN(event.integrations, ReadIntegrations(item, defaults));
  return event;
}

Result<BatchDefaults> ReadBatchDefaults(const object& root) {
  BatchDefaults defaults;
  CDP_ASSIGN_OR_RETURN(defaults.context, ReadObject(root, "context"));
  if (defaults.context) {
    CDP_RETURN_IF_ERROR(FlattenObject(*defaults.context, "context", defaults.flat_context));
  }
  CDP_ASSIGN_OR_RETURN(defaults.integrations, ReadObject(root, "integrations"));
  CDP_ASSIGN_OR_RETURN(defaults.sent_at, ReadTime(root, "sentAt"));
  return defaults;
}

}  // namespace

Result<ParsedRequest> ParseSegmentRequest(RequestText body, std::optional<EventType> single_type,
                                          const ParseLimits& limits, TimePoint received_at) {
  RequestBody request;
  CDP_RETURN_IF_ERROR(request.Parse(body));
  ParsedRequest parsed;
  CDP_ASSIGN_OR_RETURN(const std::optional<std::string_view> write_key,
                       ReadString(request.root(), "writeKey"));
  if (write_key) parsed.write_key = *write_key;

  if (single_type) {
    const BatchDefaults none;
    ParseSingleItem(
        request, limits,
        [&](const object& item) { return ParseItem(item, single_type, none, limits, received_at); },
        parsed);
    return parsed;
  }
  CDP_ASSIGN_OR_RETURN(const simdjson::dom::array batch, ReadBatch(request, limits));
  parsed.batch = true;
  CDP_ASSIGN_OR_RETURN(const BatchDefaults defaults, ReadBatchDefaults(request.root()));
  CDP_RETURN_IF_ERROR(ParseBatchItems(
      request, batch, limits,
      [&](const object& item) {
        return ParseItem(item, std::nullopt, defaults, limits, received_at);
      },
      parsed));
  return parsed;
}

}  // namespace cdp::ingest
