#include "query/request_json.h"

#include <fmt/format.h>

#include <cmath>

#include "core/iso8601.h"

namespace cdp::query {

namespace {

using simdjson::dom::element;
using simdjson::dom::element_type;

std::string Join(const std::string& path, std::string_view key) {
  return path.empty() ? std::string(key) : fmt::format("{}.{}", path, key);
}

bool IsDate(std::string_view text) {
  if (text.size() != 10 || text[4] != '-' || text[7] != '-') return false;
  for (const size_t i : {0, 1, 2, 3, 5, 6, 8, 9}) {
    if (text[i] < '0' || text[i] > '9') return false;
  }
  return true;
}

}  // namespace

Status FieldError(const std::string& path, std::string_view what) {
  return Status::BadRequest(fmt::format("{} must be {}", path, what), path);
}

std::optional<TimePoint> ParseRequestTime(std::string_view text) {
  if (IsDate(text)) return ParseIso8601DateTime(fmt::format("{}T00:00:00Z", text));
  return ParseIso8601DateTime(text);
}

Result<RequestObject> RequestObject::Parse(simdjson::dom::parser& parser, std::string_view body) {
  element root;
  if (parser.parse(body.data(), body.size()).get(root) != simdjson::SUCCESS) {
    return Status::BadRequest("the body is not valid JSON");
  }
  if (!root.is_object()) return Status::BadRequest("the body must be a JSON object");
  return RequestObject(root.get_object().value_unsafe(), "");
}

Result<RequestObject> RequestObject::Of(element value, std::string path) {
  if (!value.is_object()) return FieldError(path, "an object");
  return RequestObject(value.get_object().value_unsafe(), std::move(path));
}

std::string RequestObject::PathOf(std::string_view key) const { return Join(path_, key); }

Status RequestObject::Expected(std::string_view key, std::string_view what) const {
  return FieldError(PathOf(key), what);
}

Status RequestObject::RejectUnknownKeys(std::initializer_list<std::string_view> known) const {
  for (const auto field : object_) {
    bool found = false;
    for (const std::string_view name : known) found = found || name == field.key;
    if (!found) {
      const std::string path = PathOf(field.key);
      return Status::BadRequest(fmt::format("unknown field {}", path), path);
    }
  }
  return Status::Ok();
}

std::optional<element> RequestObject::Value(std::string_view key) const {
  element value;
  if (object_.at_key(key).get(value) != simdjson::SUCCESS || value.is_null()) return std::nullopt;
  return value;
}

bool RequestObject::Has(std::string_view key) const { return Value(key).has_value(); }

Result<std::optional<std::string_view>> RequestObject::OptionalString(std::string_view key) const {
  const std::optional<element> value = Value(key);
  if (!value) return std::optional<std::string_view>();
  if (!value->is_string()) return Expected(key, "a string");
  return std::optional<std::string_view>(value->get_string().value_unsafe());
}

Result<std::string_view> RequestObject::String(std::string_view key) const {
  CDP_ASSIGN_OR_RETURN(const std::optional<std::string_view> text, OptionalString(key));
  if (!text) return Status::BadRequest(fmt::format("{} is required", PathOf(key)), PathOf(key));
  return *text;
}

Result<std::optional<int64_t>> RequestObject::OptionalInt(std::string_view key, int64_t min,
                                                          int64_t max) const {
  const std::optional<element> value = Value(key);
  if (!value) return std::optional<int64_t>();
  int64_t number = 0;
  bool integral = false;
  if (value->is_int64()) {
    number = value->get_int64().value_unsafe();
    integral = true;
  } else if (value->is_double()) {
    // 7.0 is an integer too; 7.5 is not.
    const double real = value->get_double().value_unsafe();
    integral = std::isfinite(real) && std::trunc(real) == real && std::fabs(real) < 9e15;
    number = integral ? static_cast<int64_t>(real) : 0;
  }
  const std::string range = fmt::format("an integer from {} to {}", min, max);
  if (!integral || number < min || number > max) return Expected(key, range);
  return std::optional<int64_t>(number);
}

Result<int64_t> RequestObject::Int(std::string_view key, int64_t fallback, int64_t min,
                                   int64_t max) const {
  CDP_ASSIGN_OR_RETURN(const std::optional<int64_t> number, OptionalInt(key, min, max));
  return number.value_or(fallback);
}

Result<std::optional<double>> RequestObject::OptionalNumber(std::string_view key) const {
  const std::optional<element> value = Value(key);
  if (!value) return std::optional<double>();
  if (!value->is_number()) return Expected(key, "a number");
  return std::optional<double>(double(*value));
}

Result<bool> RequestObject::Bool(std::string_view key, bool fallback) const {
  const std::optional<element> value = Value(key);
  if (!value) return fallback;
  if (!value->is_bool()) return Expected(key, "true or false");
  return value->get_bool().value_unsafe();
}

Result<std::optional<TimePoint>> RequestObject::OptionalTime(std::string_view key) const {
  CDP_ASSIGN_OR_RETURN(const std::optional<std::string_view> text, OptionalString(key));
  if (!text) return std::optional<TimePoint>();
  const std::optional<TimePoint> time = ParseRequestTime(*text);
  if (!time) {
    return Expected(key, "an ISO-8601 date-time such as 2026-03-01T00:00:00Z, or a date");
  }
  return time;
}

Result<TimePoint> RequestObject::Time(std::string_view key) const {
  CDP_ASSIGN_OR_RETURN(const std::optional<TimePoint> time, OptionalTime(key));
  if (!time) return Status::BadRequest(fmt::format("{} is required", PathOf(key)), PathOf(key));
  return *time;
}

Result<std::optional<RequestObject>> RequestObject::OptionalObject(std::string_view key) const {
  const std::optional<element> value = Value(key);
  if (!value) return std::optional<RequestObject>();
  CDP_ASSIGN_OR_RETURN(RequestObject object, Of(*value, PathOf(key)));
  return std::optional<RequestObject>(std::move(object));
}

Result<RequestObject> RequestObject::Object(std::string_view key) const {
  CDP_ASSIGN_OR_RETURN(std::optional<RequestObject> object, OptionalObject(key));
  if (!object) return Status::BadRequest(fmt::format("{} is required", PathOf(key)), PathOf(key));
  return std::move(*object);
}

Result<std::vector<RequestObject::Element>> RequestObject::Array(std::string_view key, size_t min,
                                                                 size_t max) const {
  std::vector<Element> elements;
  const std::optional<element> value = Value(key);
  simdjson::dom::array array;
  if (value && value->get_array().get(array) != simdjson::SUCCESS) {
    return Expected(key, "an array");
  }
  if (value) {
    for (const element item : array) {
      elements.push_back({item, fmt::format("{}[{}]", PathOf(key), elements.size())});
    }
  }
  if (elements.size() < min || elements.size() > max) {
    const std::string what = min == max ? fmt::format("an array of {} elements", min)
                                        : fmt::format("an array of {} to {} elements", min, max);
    return Expected(key, what);
  }
  return elements;
}

}  // namespace cdp::query
