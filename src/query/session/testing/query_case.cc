#include "query/session/testing/query_case.h"

#include <fmt/format.h>
#include <simdjson.h>

#include <algorithm>
#include <cmath>
#include <filesystem>

#include "core/iso8601.h"
#include "query/request_json.h"

namespace cdp::query::testing {

namespace {

using simdjson::dom::element;

Status CaseError(const std::string& file, const std::string& what) {
  return Status::Internal(fmt::format("{}: {}", file, what));
}

// Flattens `object` into `out` as ingestion would for simple keys: nested
// objects become parent_child, arrays their JSON text.
void Flatten(simdjson::dom::object object, const std::string& prefix, std::vector<Property>& out) {
  for (const auto field : object) {
    const std::string name =
        prefix.empty() ? std::string(field.key) : prefix + "_" + std::string(field.key);
    const element value = field.value;
    if (value.is_object()) {
      Flatten(value.get_object().value_unsafe(), name, out);
      continue;
    }
    Property property;
    property.name = name;
    if (value.is_string()) {
      const std::string_view text = value.get_string().value_unsafe();
      property.value = std::string(text);
      property.timestamp = ParseIso8601DateTime(text);
    } else if (value.is_number()) {
      property.value = double(value);
    } else if (value.is_bool()) {
      property.value = value.get_bool().value_unsafe();
    } else if (value.is_array()) {
      property.value = simdjson::minify(value);
    }
    out.push_back(std::move(property));
  }
}

Result<Event> EventOf(element value, const std::string& where) {
  if (!value.is_object()) return CaseError(where, "an event must be an object");
  Event event;
  event.workspace_id = std::string(kCaseWorkspace);
  const simdjson::dom::object fields = value.get_object().value_unsafe();
  for (const auto field : fields) {
    const std::string_view key = field.key;
    const element item = field.value;
    if (key == "properties" || key == "context" || key == "traits") {
      if (!item.is_object()) return CaseError(where, fmt::format("{} must be an object", key));
      auto& section = key == "properties" ? event.properties
                      : key == "context"  ? event.context
                                          : event.traits;
      Flatten(item.get_object().value_unsafe(), "", section);
      continue;
    }
    if (!item.is_string()) return CaseError(where, fmt::format("{} must be a string", key));
    const std::string_view text = item.get_string().value_unsafe();
    if (key == "type") {
      const std::optional<EventType> type = ParseEventType(text);
      if (!type) return CaseError(where, fmt::format("unknown type {}", text));
      event.type = *type;
    } else if (key == "event") {
      event.event = std::string(text);
    } else if (key == "anonymous_id") {
      event.anonymous_id = std::string(text);
    } else if (key == "user_id") {
      event.user_id = std::string(text);
    } else if (key == "timestamp") {
      const std::optional<TimePoint> time = ParseRequestTime(text);
      if (!time) return CaseError(where, fmt::format("bad timestamp {}", text));
      event.timestamp = *time;
      event.received_at = *time;
    } else {
      return CaseError(where, fmt::format("unknown event key {}", key));
    }
  }
  return event;
}

Result<QueryCase> LoadCase(const std::filesystem::path& path) {
  const std::string file = path.filename().string();
  simdjson::dom::parser parser;
  simdjson::padded_string text;
  if (simdjson::padded_string::load(path.string()).get(text) != simdjson::SUCCESS) {
    return CaseError(file, "cannot be read");
  }
  element root;
  if (parser.parse(text).get(root) != simdjson::SUCCESS || !root.is_object()) {
    return CaseError(file, "is not a JSON object");
  }
  QueryCase query_case;
  query_case.name = path.stem().string();
  const simdjson::dom::object fields = root.get_object().value_unsafe();
  for (const auto field : fields) {
    const std::string_view key = field.key;
    if (key == "description" && field.value.is_string()) {
      query_case.description = std::string(field.value.get_string().value_unsafe());
    } else if (key == "events" && field.value.is_array()) {
      size_t index = 0;
      const simdjson::dom::array items = field.value.get_array().value_unsafe();
      for (const element item : items) {
        CDP_ASSIGN_OR_RETURN(Event event, EventOf(item, fmt::format("{} events[{}]", file, index)));
        event.message_id = fmt::format("{}-{}", query_case.name, index++);
        query_case.events.push_back(std::move(event));
      }
    } else if (key == "request" && field.value.is_object()) {
      query_case.request = simdjson::minify(field.value);
    } else if (key == "expected" && field.value.is_object()) {
      query_case.expected = simdjson::minify(field.value);
    } else {
      return CaseError(file, fmt::format("unexpected key {}", key));
    }
  }
  if (query_case.request.empty() || query_case.expected.empty()) {
    return CaseError(file, "needs a request and an expected result");
  }
  return query_case;
}

std::string Describe(element value) { return simdjson::minify(value); }

std::string Compare(element actual, element expected, const std::string& path, double tolerance) {
  const std::string where = path.empty() ? "(the result)" : path;
  if (actual.is_number() && expected.is_number()) {
    const double a = double(actual);
    const double e = double(expected);
    if (std::fabs(a - e) <= tolerance * std::max({1.0, std::fabs(a), std::fabs(e)})) return "";
    return fmt::format("{}: {}, expected {}", where, Describe(actual), Describe(expected));
  }
  if (actual.type() != expected.type()) {
    return fmt::format("{}: {}, expected {}", where, Describe(actual), Describe(expected));
  }
  if (expected.is_object()) {
    const simdjson::dom::object a = actual.get_object().value_unsafe();
    const simdjson::dom::object e = expected.get_object().value_unsafe();
    for (const auto field : e) {
      element value;
      const std::string child =
          path.empty() ? std::string(field.key) : fmt::format("{}.{}", path, field.key);
      if (a.at_key(field.key).get(value) != simdjson::SUCCESS) return child + ": missing";
      std::string difference = Compare(value, field.value, child, tolerance);
      if (!difference.empty()) return difference;
    }
    for (const auto field : a) {
      element value;
      if (e.at_key(field.key).get(value) != simdjson::SUCCESS) {
        return fmt::format("{}: unexpected key {}", where, field.key);
      }
    }
    return "";
  }
  if (expected.is_array()) {
    const simdjson::dom::array a = actual.get_array().value_unsafe();
    const simdjson::dom::array e = expected.get_array().value_unsafe();
    if (a.size() != e.size()) {
      return fmt::format("{}: {} elements, expected {}: {} vs {}", where, a.size(), e.size(),
                         Describe(actual), Describe(expected));
    }
    for (size_t i = 0; i < e.size(); ++i) {
      std::string difference = Compare(a.at(i).value_unsafe(), e.at(i).value_unsafe(),
                                       fmt::format("{}[{}]", path, i), tolerance);
      if (!difference.empty()) return difference;
    }
    return "";
  }
  if (Describe(actual) != Describe(expected)) {
    return fmt::format("{}: {}, expected {}", where, Describe(actual), Describe(expected));
  }
  return "";
}

}  // namespace

Result<std::vector<QueryCase>> LoadQueryCases(std::string_view kind) {
  const std::filesystem::path dir = std::filesystem::path(CDP_QUERY_CASES_DIR) / kind;
  std::vector<std::filesystem::path> files;
  std::error_code error;
  for (const auto& entry : std::filesystem::directory_iterator(dir, error)) {
    if (entry.path().extension() == ".json") files.push_back(entry.path());
  }
  if (error) return CaseError(dir.string(), error.message());
  std::sort(files.begin(), files.end());
  std::vector<QueryCase> cases;
  for (const std::filesystem::path& file : files) {
    CDP_ASSIGN_OR_RETURN(QueryCase query_case, LoadCase(file));
    cases.push_back(std::move(query_case));
  }
  return cases;
}

std::string JsonDifference(std::string_view actual, std::string_view expected, double tolerance) {
  simdjson::dom::parser actual_parser;
  simdjson::dom::parser expected_parser;
  element a;
  element e;
  if (actual_parser.parse(actual.data(), actual.size()).get(a) != simdjson::SUCCESS) {
    return fmt::format("the result is not JSON: {}", actual);
  }
  if (expected_parser.parse(expected.data(), expected.size()).get(e) != simdjson::SUCCESS) {
    return fmt::format("the expected result is not JSON: {}", expected);
  }
  return Compare(a, e, "", tolerance);
}

}  // namespace cdp::query::testing
