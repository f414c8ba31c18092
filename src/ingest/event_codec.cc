#include "ingest/event_codec.h"

#include <fmt/format.h>
#include <simdjson.h>

#include <array>
#include <cassert>
#include <chrono>
#include <cmath>
#include <cstdint>
#include <limits>
#include <optional>
#include <utility>

#include "core/json_writer.h"

namespace cdp::ingest {

namespace {

using simdjson::dom::element;
using simdjson::dom::element_type;
using std::chrono::microseconds;

constexpr int64_t kVersion = 1;

// The payload's keys, in their order (documented in event_codec.h).
enum FieldIndex : size_t {
  kVersionField,
  kWorkspaceId,
  kType,
  kMessageId,
  kAnonymousId,
  kUserId,
  kGroupId,
  kPreviousId,
  kEventName,
  kReceivedAt,
  kSentAt,
  kOriginalTimestamp,
  kTimestamp,
  kContext,
  kProperties,
  kTraits,
  kTraitsSetOnce,
  kIntegrations,
  kFieldCount,
};

struct FieldName {
  std::string_view key;    // in the payload
  std::string_view field;  // the Event member, for errors
};

constexpr std::array<FieldName, kFieldCount> kFields = {{
    {"v", "v"},
    {"ws", "workspace_id"},
    {"type", "type"},
    {"mid", "message_id"},
    {"anon", "anonymous_id"},
    {"uid", "user_id"},
    {"gid", "group_id"},
    {"prev", "previous_id"},
    {"event", "event"},
    {"recv", "received_at"},
    {"sent", "sent_at"},
    {"orig", "original_timestamp"},
    {"ts", "timestamp"},
    {"ctx", "context"},
    {"props", "properties"},
    {"traits", "traits"},
    {"once", "traits_set_once"},
    {"integ", "integrations"},
}};

// ---- Encoding ----

int64_t ToMicros(TimePoint t) {
  return std::chrono::floor<microseconds>(t.time_since_epoch()).count();
}

void WriteTime(JsonWriter& writer, TimePoint t) { writer.Int(ToMicros(t)); }

void WriteOptionalTime(JsonWriter& writer, const std::optional<TimePoint>& t) {
  if (t) {
    WriteTime(writer, *t);
  } else {
    writer.Null();
  }
}

void WriteNumber(JsonWriter& writer, double value) {
  assert(std::isfinite(value));
  // fmt writes -0.0 as "-0", which reads back as the integer 0.
  if (value == 0 && std::signbit(value)) {
    writer.Raw("-0.0");
  } else {
    writer.Double(value);
  }
}

void WriteProperties(JsonWriter& writer, const std::vector<Property>& properties) {
  writer.BeginObject();
  for (const Property& property : properties) {
    writer.Key(property.name);
    assert(!property.timestamp || std::holds_alternative<std::string>(property.value));
    if (const auto* text = std::get_if<std::string>(&property.value)) {
      if (property.timestamp) {
        writer.BeginArray().String(*text);
        WriteTime(writer, *property.timestamp);
        writer.EndArray();
      } else {
        writer.String(*text);
      }
    } else if (const auto* number = std::get_if<double>(&property.value)) {
      WriteNumber(writer, *number);
    } else if (const auto* boolean = std::get_if<bool>(&property.value)) {
      writer.Bool(*boolean);
    } else {
      writer.Null();
    }
  }
  writer.EndObject();
}

// Enough for the payload in one allocation in the common case: the keys and
// punctuation, four times, and the texts (escapes may still grow it).
size_t EstimateSize(const Event& event) {
  size_t size = 256 + event.workspace_id.size() + event.message_id.size() +
                event.anonymous_id.size() + event.user_id.size() + event.group_id.size() +
                event.previous_id.size() + event.event.size() + event.integrations.size();
  for (const auto* list :
       {&event.context, &event.properties, &event.traits, &event.traits_set_once}) {
    for (const Property& property : *list) {
      size += property.name.size() + 32;
      if (const auto* text = std::get_if<std::string>(&property.value)) size += text->size();
    }
  }
  return size;
}

// ---- Decoding ----

Status Corrupt(std::string_view field, std::string message) {
  return Status::BadRequest("event payload: " + std::move(message), std::string(field));
}

Result<std::string> ReadString(element value, std::string_view field) {
  std::string_view text;
  if (value.get_string().get(text) != simdjson::SUCCESS) {
    return Corrupt(field, fmt::format("{} must be a string", field));
  }
  return std::string(text);
}

constexpr int64_t kMaxMicros =
    std::chrono::duration_cast<microseconds>(TimePoint::duration::max()).count();
constexpr int64_t kMinMicros =
    std::chrono::duration_cast<microseconds>(TimePoint::duration::min()).count();

Result<TimePoint> ReadTime(element value, std::string_view field) {
  int64_t micros;
  if (value.type() != element_type::INT64 || value.get_int64().get(micros) != simdjson::SUCCESS) {
    return Corrupt(field, fmt::format("{} must be an integer of microseconds", field));
  }
  if (micros > kMaxMicros || micros < kMinMicros) {
    return Corrupt(field, fmt::format("{} is out of range: {} microseconds", field, micros));
  }
  return TimePoint(std::chrono::duration_cast<TimePoint::duration>(microseconds(micros)));
}

Result<std::optional<TimePoint>> ReadOptionalTime(element value, std::string_view field) {
  if (value.is_null()) return std::optional<TimePoint>();
  CDP_ASSIGN_OR_RETURN(const TimePoint t, ReadTime(value, field));
  return std::optional<TimePoint>(t);
}

// A timestamped string: [text, microseconds].
Status ReadTimestampedString(element value, const std::string& field, Property& property) {
  const simdjson::dom::array pair = value.get_array().value_unsafe();
  if (pair.size() != 2) {
    return Corrupt(field, fmt::format("{} must be null, a string, a number, a boolean or "
                                      "[text, microseconds]",
                                      field));
  }
  CDP_ASSIGN_OR_RETURN(std::string text, ReadString(pair.at(0).value_unsafe(), field));
  CDP_ASSIGN_OR_RETURN(const TimePoint t, ReadTime(pair.at(1).value_unsafe(), field));
  property.value = std::move(text);
  property.timestamp = t;
  return Status::Ok();
}

Status ReadProperties(element value, std::string_view list_field, std::vector<Property>& out) {
  simdjson::dom::object object;
  if (value.get_object().get(object) != simdjson::SUCCESS) {
    return Corrupt(list_field, fmt::format("{} must be an object", list_field));
  }
  out.reserve(object.size());
  for (const auto [name, property_value] : object) {
    Property& property = out.emplace_back();
    property.name = std::string(name);
    switch (property_value.type()) {
      case element_type::NULL_VALUE:
        break;
      case element_type::STRING:
        property.value = std::string(property_value.get_string().value_unsafe());
        break;
      case element_type::INT64:
      case element_type::UINT64:
      case element_type::DOUBLE:
        property.value = property_value.get_double().value_unsafe();
        break;
      case element_type::BOOL:
        property.value = property_value.get_bool().value_unsafe();
        break;
      case element_type::ARRAY:
        CDP_RETURN_IF_ERROR(ReadTimestampedString(
            property_value, fmt::format("{}.{}", list_field, property.name), property));
        break;
      case element_type::OBJECT: {
        const std::string field = fmt::format("{}.{}", list_field, property.name);
        return Corrupt(field, fmt::format("{} must be null, a string, a number, a boolean or "
                                          "[text, microseconds]",
                                          field));
      }
    }
  }
  return Status::Ok();
}

Result<Event> DecodeFields(const std::array<element, kFieldCount>& fields) {
  Event event;
  const auto field_name = [](FieldIndex index) { return kFields[index].field; };
  const auto read_string = [&](FieldIndex index, std::string& out) -> Status {
    CDP_ASSIGN_OR_RETURN(out, ReadString(fields[index], field_name(index)));
    return Status::Ok();
  };
  CDP_RETURN_IF_ERROR(read_string(kWorkspaceId, event.workspace_id));
  std::string_view type_name;
  if (fields[kType].get_string().get(type_name) != simdjson::SUCCESS) {
    return Corrupt("type", "type must be a string");
  }
  const std::optional<EventType> type = ParseEventType(type_name);
  if (!type) return Corrupt("type", fmt::format("unknown event type '{}'", type_name));
  event.type = *type;
  CDP_RETURN_IF_ERROR(read_string(kMessageId, event.message_id));
  CDP_RETURN_IF_ERROR(read_string(kAnonymousId, event.anonymous_id));
  CDP_RETURN_IF_ERROR(read_string(kUserId, event.user_id));
  CDP_RETURN_IF_ERROR(read_string(kGroupId, event.group_id));
  CDP_RETURN_IF_ERROR(read_string(kPreviousId, event.previous_id));
  CDP_RETURN_IF_ERROR(read_string(kEventName, event.event));

  CDP_ASSIGN_OR_RETURN(event.received_at, ReadTime(fields[kReceivedAt], field_name(kReceivedAt)));
  CDP_ASSIGN_OR_RETURN(event.sent_at, ReadOptionalTime(fields[kSentAt], field_name(kSentAt)));
  CDP_ASSIGN_OR_RETURN(event.original_timestamp, ReadOptionalTime(fields[kOriginalTimestamp],
                                                                  field_name(kOriginalTimestamp)));
  CDP_ASSIGN_OR_RETURN(event.timestamp, ReadTime(fields[kTimestamp], field_name(kTimestamp)));

  CDP_RETURN_IF_ERROR(ReadProperties(fields[kContext], field_name(kContext), event.context));
  CDP_RETURN_IF_ERROR(
      ReadProperties(fields[kProperties], field_name(kProperties), event.properties));
  CDP_RETURN_IF_ERROR(ReadProperties(fields[kTraits], field_name(kTraits), event.traits));
  CDP_RETURN_IF_ERROR(
      ReadProperties(fields[kTraitsSetOnce], field_name(kTraitsSetOnce), event.traits_set_once));

  const element integrations = fields[kIntegrations];
  if (integrations.type() == element_type::OBJECT) {
    event.integrations = simdjson::minify(integrations);
  } else if (!integrations.is_null()) {
    return Corrupt("integrations", "integrations must be an object or null");
  }
  return event;
}

}  // namespace

std::string EncodeEvent(const Event& event) {
  std::string buffer;
  buffer.reserve(EstimateSize(event));
  JsonWriter writer(std::move(buffer));
  writer.BeginObject();
  writer.Key(kFields[kVersionField].key).Int(kVersion);
  writer.Key(kFields[kWorkspaceId].key).String(event.workspace_id);
  writer.Key(kFields[kType].key).String(EventTypeName(event.type));
  writer.Key(kFields[kMessageId].key).String(event.message_id);
  writer.Key(kFields[kAnonymousId].key).String(event.anonymous_id);
  writer.Key(kFields[kUserId].key).String(event.user_id);
  writer.Key(kFields[kGroupId].key).String(event.group_id);
  writer.Key(kFields[kPreviousId].key).String(event.previous_id);
  writer.Key(kFields[kEventName].key).String(event.event);
  WriteTime(writer.Key(kFields[kReceivedAt].key), event.received_at);
  WriteOptionalTime(writer.Key(kFields[kSentAt].key), event.sent_at);
  WriteOptionalTime(writer.Key(kFields[kOriginalTimestamp].key), event.original_timestamp);
  WriteTime(writer.Key(kFields[kTimestamp].key), event.timestamp);
  WriteProperties(writer.Key(kFields[kContext].key), event.context);
  WriteProperties(writer.Key(kFields[kProperties].key), event.properties);
  WriteProperties(writer.Key(kFields[kTraits].key), event.traits);
  WriteProperties(writer.Key(kFields[kTraitsSetOnce].key), event.traits_set_once);
  writer.Key(kFields[kIntegrations].key);
  if (event.integrations.empty()) {
    writer.Null();
  } else {
    assert(event.integrations.front() == '{' && event.integrations.back() == '}');
    writer.Raw(event.integrations);
  }
  writer.EndObject();
  return std::move(writer).Take();
}

Result<Event> DecodeEvent(std::string_view payload) {
  // simdjson's DOM parser validates the whole document (structure, UTF-8,
  // numbers) before we look at it, so below only types and keys are left to
  // check. It is also the fast choice here: it dispatches to the CPU's SIMD
  // kernel at run time, where On-Demand would be compiled for the baseline
  // (fallback) kernel without -march flags.
  if (payload.empty()) return Status::BadRequest("event payload is empty");
  thread_local simdjson::dom::parser parser;
  element root;
  if (const auto error = parser.parse(payload.data(), payload.size()).get(root); error) {
    return Status::BadRequest("event payload is not valid JSON")
        .WithCause(simdjson::error_message(error));
  }
  simdjson::dom::object object;
  if (root.get_object().get(object) != simdjson::SUCCESS) {
    return Status::BadRequest("event payload is not a JSON object");
  }

  std::array<element, kFieldCount> fields;
  size_t count = 0;
  for (const auto [key, value] : object) {
    if (count == 0) {  // the version decides how to read the rest
      int64_t version;
      if (key != kFields[kVersionField].key || value.type() != element_type::INT64 ||
          value.get_int64().get(version) != simdjson::SUCCESS) {
        return Corrupt("v", "the first field must be the format version \"v\", an integer");
      }
      if (version != kVersion) {
        return Corrupt("v", fmt::format("unsupported format version {} (this reader knows {})",
                                        version, kVersion));
      }
    } else if (count == kFieldCount) {
      return Corrupt(key, fmt::format("unexpected field \"{}\" after \"{}\"", key,
                                      kFields[kFieldCount - 1].key));
    } else if (key != kFields[count].key) {
      return Corrupt(kFields[count].field,
                     fmt::format("expected field \"{}\" ({}), found \"{}\"", kFields[count].key,
                                 kFields[count].field, key));
    }
    fields[count++] = value;
  }
  if (count == 0) return Corrupt("v", "the format version \"v\" is missing");
  if (count < kFieldCount) {
    return Corrupt(kFields[count].field, fmt::format("field \"{}\" ({}) is missing",
                                                     kFields[count].key, kFields[count].field));
  }
  return DecodeFields(fields);
}

std::string EventLogKey(const Event& event) {
  const std::string& person = event.anonymous_id.empty() ? event.user_id : event.anonymous_id;
  std::string key;
  key.reserve(event.workspace_id.size() + 1 + person.size());
  key += event.workspace_id;
  key += '/';
  key += person;
  return key;
}

}  // namespace cdp::ingest
