#pragma once

#include <simdjson.h>

#include <cstdint>
#include <initializer_list>
#include <optional>
#include <string>
#include <string_view>
#include <utility>
#include <vector>

#include "core/clock.h"
#include "core/result.h"

namespace cdp::query {

// Reads one JSON object of a query request, field by field, turning every
// problem into a BadRequest that names the offending field by its full path
// ("steps[2].filters[0].operator"), so a client can point at it.
//
// Absent and null mean the same: "not given". A value of the wrong type, an
// out-of-range number or an unknown key (RejectUnknownKeys) is an error, never
// silently ignored.
//
// Lifetime: views into the parsed document; valid while its parser lives.
class RequestObject {
 public:
  // Parses `body` (padded or not) with `parser`; BadRequest unless it is a
  // JSON object.
  static Result<RequestObject> Parse(simdjson::dom::parser& parser, std::string_view body);
  // The object `value`, found at `path`; BadRequest when it is not one.
  static Result<RequestObject> Of(simdjson::dom::element value, std::string path);

  // The path of this object ("" for the body) and of one of its keys.
  const std::string& path() const { return path_; }
  std::string PathOf(std::string_view key) const;

  // BadRequest naming the first key not in `known`.
  Status RejectUnknownKeys(std::initializer_list<std::string_view> known) const;
  bool Has(std::string_view key) const;

  Result<std::string_view> String(std::string_view key) const;  // required
  Result<std::optional<std::string_view>> OptionalString(std::string_view key) const;
  // An integer in [min, max]; `fallback` when absent.
  Result<int64_t> Int(std::string_view key, int64_t fallback, int64_t min, int64_t max) const;
  Result<std::optional<int64_t>> OptionalInt(std::string_view key, int64_t min, int64_t max) const;
  Result<std::optional<double>> OptionalNumber(std::string_view key) const;
  Result<bool> Bool(std::string_view key, bool fallback) const;
  // An ISO-8601 date-time with 'Z' or an offset ("2026-03-01T00:00:00+01:00");
  // a date alone ("2026-03-01") means its midnight UTC.
  Result<TimePoint> Time(std::string_view key) const;  // required
  Result<std::optional<TimePoint>> OptionalTime(std::string_view key) const;
  // One of `names` (the spelling clients use), mapped to its value; `fallback`
  // when absent. The error lists the accepted names.
  template <typename T>
  Result<T> Choice(std::string_view key,
                   std::initializer_list<std::pair<std::string_view, T>> names, T fallback) const;
  Result<RequestObject> Object(std::string_view key) const;  // required
  Result<std::optional<RequestObject>> OptionalObject(std::string_view key) const;
  // The elements of an array, with their paths ("steps[0]"); empty when
  // absent. BadRequest when it has fewer than `min` or more than `max`.
  struct Element {
    simdjson::dom::element value;
    std::string path;
  };
  Result<std::vector<Element>> Array(std::string_view key, size_t min, size_t max) const;
  // The raw value, when present and not null.
  std::optional<simdjson::dom::element> Value(std::string_view key) const;

 private:
  RequestObject(simdjson::dom::object object, std::string path)
      : object_(object), path_(std::move(path)) {}
  Status Expected(std::string_view key, std::string_view what) const;

  simdjson::dom::object object_;
  std::string path_;
};

// BadRequest "<path> must be <what>", naming the field.
Status FieldError(const std::string& path, std::string_view what);

// Parses a time as RequestObject::Time does; nullopt when it is not one.
std::optional<TimePoint> ParseRequestTime(std::string_view text);

template <typename T>
Result<T> RequestObject::Choice(std::string_view key,
                                std::initializer_list<std::pair<std::string_view, T>> names,
                                T fallback) const {
  CDP_ASSIGN_OR_RETURN(const std::optional<std::string_view> text, OptionalString(key));
  if (!text) return fallback;
  std::string accepted;
  for (const auto& [name, value] : names) {
    if (name == *text) return value;
    if (!accepted.empty()) accepted += ", ";
    accepted += name;
  }
  return Expected(key, "one of " + accepted);
}

}  // namespace cdp::query
