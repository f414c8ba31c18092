#include "model/event_codec.h"

#include <fmt/format.h>
#include <simdjson.h>

#include <algorithm>
#include <array>
#include <cassert>
#include <charconv>
#include <chrono>
#include <cmath>
#include <cstdint>
#include <cstring>
#include <limits>
#include <optional>
#include <utility>

#include "core/json_writer.h"

namespace cdp {

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
//
// The payload is written directly rather than through JsonWriter: its shape
// is fixed, so there are no commas to track, the keys are constants, and the
// strings (almost always printable ASCII) are checked for characters to
// escape eight bytes at a time. Encoding runs once per ingested event; this
// takes 40% of the instructions JsonWriter took (and well under half the
// time), for the same bytes.

int64_t ToMicros(TimePoint t) {
  return std::chrono::floor<microseconds>(t.time_since_epoch()).count();
}

constexpr uint64_t kEachByte = 0x0101010101010101ull;
constexpr uint64_t kHighBits = 0x8080808080808080ull;

// Whether any of the eight bytes needs more than a copy: a control
// character, '"', '\\', or a byte of a multi-byte UTF-8 sequence (exact).
bool AnyByteToEscape(uint64_t bytes) {
  const uint64_t quotes = bytes ^ (kEachByte * '"');
  const uint64_t backslashes = bytes ^ (kEachByte * '\\');
  const uint64_t flagged = ((bytes - kEachByte * 0x20) & ~bytes) |
                           ((quotes - kEachByte) & ~quotes) |
                           ((backslashes - kEachByte) & ~backslashes) | bytes;
  return (flagged & kHighBits) != 0;
}

bool IsPlainAscii(unsigned char c) { return c >= 0x20 && c < 0x80 && c != '"' && c != '\\'; }

// Whether `text` is printable ASCII without '"' or '\\' (nothing to escape):
// eight bytes at a time, the last ones again in an overlapping word.
bool IsPlainText(std::string_view text) {
  const char* const data = text.data();
  const size_t size = text.size();
  uint64_t bytes;
  if (size < 8) {
    for (size_t i = 0; i < size; ++i) {
      if (!IsPlainAscii(static_cast<unsigned char>(data[i]))) return false;
    }
    return true;
  }
  for (size_t i = 0; i + 8 <= size; i += 8) {
    std::memcpy(&bytes, data + i, 8);
    if (AnyByteToEscape(bytes)) return false;
  }
  std::memcpy(&bytes, data + size - 8, 8);
  return !AnyByteToEscape(bytes);
}

// Appends `text` escaped exactly as AppendJsonEscaped does, when IsPlainText
// said no: plain ASCII runs are copied, and an ASCII character to escape, and
// everything from the first non-ASCII byte on, go through AppendJsonEscaped
// itself (its output depends on nothing before a character boundary, so the
// split is invisible).
void AppendEscaped(std::string& out, std::string_view text) {
  const char* const data = text.data();
  const size_t size = text.size();
  size_t done = 0;
  while (done < size) {
    size_t end = done;
    while (end < size && IsPlainAscii(static_cast<unsigned char>(data[end]))) ++end;
    out.append(data + done, end - done);
    if (end == size) return;
    if (static_cast<unsigned char>(data[end]) >= 0x80) {
      AppendJsonEscaped(out, text.substr(end));
      return;
    }
    AppendJsonEscaped(out, text.substr(end, 1));
    done = end + 1;
  }
}

// Writes into a buffer sized up front (EstimateSize) through a cursor: one
// capacity check per piece, rather than std::string's per append.
class PayloadWriter {
 public:
  explicit PayloadWriter(size_t capacity) {
    buffer_.resize(capacity);
    next_ = buffer_.data();
    end_ = next_ + buffer_.size();
  }

  // Punctuation and keys, written as given.
  PayloadWriter& Raw(std::string_view text) {
    char* out = Room(text.size());
    std::memcpy(out, text.data(), text.size());
    next_ = out + text.size();
    return *this;
  }
  PayloadWriter& Char(char c) {
    *Room(1) = c;
    ++next_;
    return *this;
  }
  PayloadWriter& String(std::string_view text) {
    if (!IsPlainText(text)) {
      std::string escaped = "\"";
      AppendEscaped(escaped, text);
      escaped += '"';
      return Raw(escaped);
    }
    char* out = Room(text.size() + 2);
    *out++ = '"';
    std::memcpy(out, text.data(), text.size());
    out += text.size();
    *out++ = '"';
    next_ = out;
    return *this;
  }
  PayloadWriter& Int(int64_t value) {
    char* out = Room(kMaxNumberChars);
    next_ = std::to_chars(out, out + kMaxNumberChars, value).ptr;
    return *this;
  }
  // The shortest text that reads back as `value`, as JsonWriter writes it.
  PayloadWriter& Number(double value) {
    assert(std::isfinite(value));
    // fmt writes -0.0 as "-0", which reads back as the integer 0.
    if (value == 0 && std::signbit(value)) return Raw("-0.0");
    char* out = Room(kMaxNumberChars);
    next_ = fmt::format_to_n(out, kMaxNumberChars, "{}", value).out;
    return *this;
  }
  PayloadWriter& Time(TimePoint t) { return Int(ToMicros(t)); }
  PayloadWriter& OptionalTime(const std::optional<TimePoint>& t) {
    return t ? Time(*t) : Raw("null");
  }
  PayloadWriter& Properties(const std::vector<Property>& properties);

  std::string Take() && {
    buffer_.resize(static_cast<size_t>(next_ - buffer_.data()));
    return std::move(buffer_);
  }

 private:
  // Enough for any int64 ("-9223372036854775808") and any shortest double
  // ("-2.2250738585072014e-308").
  static constexpr size_t kMaxNumberChars = 32;

  // Where `size` more bytes go, growing the buffer if needed.
  char* Room(size_t size) {
    if (static_cast<size_t>(end_ - next_) < size) Grow(size);
    return next_;
  }
  void Grow(size_t size) {
    const size_t used = static_cast<size_t>(next_ - buffer_.data());
    buffer_.resize(std::max(buffer_.size() * 2, used + size));
    next_ = buffer_.data() + used;
    end_ = buffer_.data() + buffer_.size();
  }

  std::string buffer_;  // [data, next_) written
  char* next_;
  char* end_;
};

PayloadWriter& PayloadWriter::Properties(const std::vector<Property>& properties) {
  Char('{');
  bool first = true;
  for (const Property& property : properties) {
    if (!first) Char(',');
    first = false;
    String(property.name).Char(':');
    assert(!property.timestamp || std::holds_alternative<std::string>(property.value));
    if (const auto* text = std::get_if<std::string>(&property.value)) {
      if (property.timestamp) {
        Char('[').String(*text).Char(',').Time(*property.timestamp).Char(']');
      } else {
        String(*text);
      }
    } else if (const auto* number = std::get_if<double>(&property.value)) {
      Number(*number);
    } else if (const auto* boolean = std::get_if<bool>(&property.value)) {
      Raw(*boolean ? "true" : "false");
    } else {
      Raw("null");
    }
  }
  return Char('}');
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
  // Each key with the punctuation before it, in kFields order.
  static const std::array<std::string, kFieldCount> kPrefixes = [] {
    std::array<std::string, kFieldCount> prefixes;
    for (size_t i = 0; i < kFieldCount; ++i) {
      prefixes[i] = fmt::format("{}\"{}\":", i == 0 ? "{" : ",", kFields[i].key);
    }
    return prefixes;
  }();
  PayloadWriter writer(EstimateSize(event));
  writer.Raw(kPrefixes[kVersionField]).Int(kVersion);
  writer.Raw(kPrefixes[kWorkspaceId]).String(event.workspace_id);
  writer.Raw(kPrefixes[kType]).String(EventTypeName(event.type));
  writer.Raw(kPrefixes[kMessageId]).String(event.message_id);
  writer.Raw(kPrefixes[kAnonymousId]).String(event.anonymous_id);
  writer.Raw(kPrefixes[kUserId]).String(event.user_id);
  writer.Raw(kPrefixes[kGroupId]).String(event.group_id);
  writer.Raw(kPrefixes[kPreviousId]).String(event.previous_id);
  writer.Raw(kPrefixes[kEventName]).String(event.event);
  writer.Raw(kPrefixes[kReceivedAt]).Time(event.received_at);
  writer.Raw(kPrefixes[kSentAt]).OptionalTime(event.sent_at);
  writer.Raw(kPrefixes[kOriginalTimestamp]).OptionalTime(event.original_timestamp);
  writer.Raw(kPrefixes[kTimestamp]).Time(event.timestamp);
  writer.Raw(kPrefixes[kContext]).Properties(event.context);
  writer.Raw(kPrefixes[kProperties]).Properties(event.properties);
  writer.Raw(kPrefixes[kTraits]).Properties(event.traits);
  writer.Raw(kPrefixes[kTraitsSetOnce]).Properties(event.traits_set_once);
  writer.Raw(kPrefixes[kIntegrations]);
  if (event.integrations.empty()) {
    writer.Raw("null");
  } else {
    assert(event.integrations.front() == '{' && event.integrations.back() == '}');
    writer.Raw(event.integrations);
  }
  writer.Char('}');
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

}  // namespace cdp
