#include "ingest/item_fields.h"

#include <fmt/format.h>

#include <charconv>
#include <cmath>

#include "core/iso8601.h"
#include "core/uuid.h"

namespace cdp::ingest {

namespace {

using simdjson::dom::element;
using simdjson::dom::element_type;

// The field's value, or nullopt when it is absent or null.
std::optional<element> Find(const simdjson::dom::object& object, std::string_view key) {
  element value;
  if (object.at_key(key).get(value) != simdjson::SUCCESS || value.is_null()) return std::nullopt;
  return value;
}

Status WrongType(std::string_view key, std::string_view expected) {
  return Status::BadRequest(fmt::format("{} must be {}", key, expected), std::string(key));
}

// Integers print exactly; other doubles in their shortest round-trip form.
std::string DecimalText(double value) {
  if (std::isfinite(value) && value == std::trunc(value) &&
      std::fabs(value) < 9.007199254740992e15) {
    return std::to_string(static_cast<int64_t>(value));
  }
  char buffer[32];
  const auto result = std::to_chars(buffer, buffer + sizeof(buffer), value);
  return std::string(buffer, result.ptr);
}

}  // namespace

Result<std::optional<std::string_view>> ReadString(const simdjson::dom::object& object,
                                                   std::string_view key) {
  const std::optional<element> value = Find(object, key);
  if (!value) return std::optional<std::string_view>();
  std::string_view text;
  if (value->get_string().get(text) != simdjson::SUCCESS) return WrongType(key, "a string");
  return std::optional<std::string_view>(text);
}

Result<std::string> ReadId(const simdjson::dom::object& object, std::string_view key) {
  const std::optional<element> value = Find(object, key);
  if (!value) return std::string();
  switch (value->type()) {
    case element_type::STRING:
      return std::string(value->get_string().value_unsafe());
    case element_type::INT64:
      return std::to_string(value->get_int64().value_unsafe());
    case element_type::UINT64:
      return std::to_string(value->get_uint64().value_unsafe());
    case element_type::DOUBLE:
      return DecimalText(value->get_double().value_unsafe());
    default:
      return WrongType(key, "a string or a number");
  }
}

Result<std::optional<simdjson::dom::object>> ReadObject(const simdjson::dom::object& object,
                                                        std::string_view key) {
  const std::optional<element> value = Find(object, key);
  if (!value) return std::optional<simdjson::dom::object>();
  simdjson::dom::object child;
  if (value->get_object().get(child) != simdjson::SUCCESS) return WrongType(key, "an object");
  return std::optional<simdjson::dom::object>(child);
}

Result<std::optional<TimePoint>> ReadTime(const simdjson::dom::object& object,
                                          std::string_view key) {
  CDP_ASSIGN_OR_RETURN(const std::optional<std::string_view> text, ReadString(object, key));
  if (!text) return std::optional<TimePoint>();
  const std::optional<TimePoint> time = ParseIso8601DateTime(*text);
  if (!time) {
    return Status::BadRequest(
        fmt::format("{} must be an ISO-8601 date-time such as 2024-05-01T10:00:00.000Z", key),
        std::string(key));
  }
  return time;
}

Result<std::string> ReadMessageId(const simdjson::dom::object& object, std::string_view key,
                                  size_t max_chars) {
  CDP_ASSIGN_OR_RETURN(const std::optional<std::string_view> id, ReadString(object, key));
  if (!id || id->empty()) return Uuid::NewV7().ToString();
  // Characters, not bytes: count the bytes that start a UTF-8 sequence.
  size_t chars = 0;
  for (const char c : *id) chars += (static_cast<unsigned char>(c) & 0xC0) != 0x80;
  if (chars > max_chars) {
    return Status::BadRequest(
        fmt::format("{} is {} characters long; the limit is {}", key, chars, max_chars),
        std::string(key));
  }
  return std::string(*id);
}

}  // namespace cdp::ingest
