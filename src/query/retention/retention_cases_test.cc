// The data-driven cases of tests/queries/retention/*.json, checked with the
// engine: {"description", "events": [event objects], "request": {...},
// "expected": {result object}}. The service's runner will load them too; this
// small loader verifies them now.
#include <fmt/format.h>
#include <gtest/gtest.h>
#include <simdjson.h>

#include <algorithm>
#include <cmath>
#include <filesystem>

#include "core/iso8601.h"
#include "query/retention/retention_query.h"
#include "query/testing/test_event_store.h"

namespace cdp::query {
namespace {

using simdjson::dom::element;

// The first difference between two JSON values ("" when equal); numbers
// compare by value (1 equals 1.0).
std::string JsonDifference(element actual, element expected, const std::string& path) {
  if (expected.is_number() && actual.is_number()) {
    const double a = double(actual);
    const double e = double(expected);
    return std::fabs(a - e) <= 1e-9 * std::max(1.0, std::fabs(e))
               ? ""
               : fmt::format("{}: {} instead of {}", path, a, e);
  }
  if (actual.type() != expected.type()) {
    return fmt::format("{}: {} instead of {}", path, simdjson::minify(actual),
                       simdjson::minify(expected));
  }
  if (expected.is_object()) {
    const simdjson::dom::object a = actual;
    const simdjson::dom::object e = expected;
    for (const auto field : e) {
      element value;
      if (a.at_key(field.key).get(value) != simdjson::SUCCESS) {
        return fmt::format("{}.{}: missing", path, field.key);
      }
      const std::string difference =
          JsonDifference(value, field.value, fmt::format("{}.{}", path, field.key));
      if (!difference.empty()) return difference;
    }
    if (a.size() != e.size()) return fmt::format("{}: unexpected fields", path);
    return "";
  }
  if (expected.is_array()) {
    const simdjson::dom::array a = actual;
    const simdjson::dom::array e = expected;
    if (a.size() != e.size()) {
      return fmt::format("{}: {} elements instead of {}", path, a.size(), e.size());
    }
    for (size_t i = 0; i < e.size(); ++i) {
      const std::string difference =
          JsonDifference(a.at(i), e.at(i), fmt::format("{}[{}]", path, i));
      if (!difference.empty()) return difference;
    }
    return "";
  }
  return simdjson::minify(actual) == simdjson::minify(expected)
             ? ""
             : fmt::format("{}: {} instead of {}", path, simdjson::minify(actual),
                           simdjson::minify(expected));
}

// The flat properties object at `key` of an event object (none when absent).
std::vector<Property> PropertiesOf(simdjson::dom::object event, std::string_view key) {
  std::vector<Property> properties;
  simdjson::dom::object object;
  if (event[key].get(object) != simdjson::SUCCESS) return properties;
  for (const auto field : object) {
    Property property;
    property.name = std::string(field.key);
    if (field.value.is_string()) {
      property.value = std::string(std::string_view(field.value));
      property.timestamp = ParseIso8601DateTime(std::string_view(field.value));
    } else if (field.value.is_bool()) {
      property.value = bool(field.value);
    } else if (field.value.is_number()) {
      property.value = double(field.value);
    } else {
      EXPECT_TRUE(field.value.is_null()) << "flat properties only: " << field.key;
    }
    properties.push_back(std::move(property));
  }
  return properties;
}

std::string StringOf(simdjson::dom::object object, std::string_view key) {
  std::string_view value;
  return object[key].get(value) == simdjson::SUCCESS ? std::string(value) : std::string();
}

Event EventOf(simdjson::dom::object object, size_t index) {
  Event event;
  event.workspace_id = "ws_test";
  event.message_id = fmt::format("case-{}", index);
  event.type = ParseEventType(StringOf(object, "type")).value_or(EventType::kTrack);
  event.event = StringOf(object, "event");
  event.anonymous_id = StringOf(object, "anonymous_id");
  event.user_id = StringOf(object, "user_id");
  const std::optional<TimePoint> timestamp = ParseIso8601DateTime(StringOf(object, "timestamp"));
  EXPECT_TRUE(timestamp.has_value()) << "event " << index << " needs a timestamp";
  event.timestamp = timestamp.value_or(TimePoint{});
  event.received_at = event.timestamp;
  event.properties = PropertiesOf(object, "properties");
  event.context = PropertiesOf(object, "context");
  event.traits = PropertiesOf(object, "traits");
  return event;
}

TEST(RetentionCasesTest, EveryCaseGivesItsExpectedResult) {
  std::vector<std::filesystem::path> files;
  for (const auto& entry : std::filesystem::directory_iterator(CDP_RETENTION_CASES_DIR)) {
    if (entry.path().extension() == ".json") files.push_back(entry.path());
  }
  std::sort(files.begin(), files.end());
  ASSERT_GE(files.size(), 2u);
  for (const std::filesystem::path& file : files) {
    SCOPED_TRACE(file.filename().string());
    simdjson::dom::parser parser;
    simdjson::padded_string text;
    ASSERT_EQ(simdjson::padded_string::load(file.string()).get(text), simdjson::SUCCESS);
    simdjson::dom::object test_case;
    ASSERT_EQ(parser.parse(text).get(test_case), simdjson::SUCCESS);
    std::vector<Event> events;
    for (const element event : simdjson::dom::array(test_case["events"])) {
      events.push_back(EventOf(event, events.size()));
    }
    testing::TestEventStore fixture(events, 2, 4);
    const QueryContext context{.workspace_id = "ws_test"};
    const std::string body = simdjson::minify(test_case["request"].value_unsafe());
    const Result<QueryOutput> output = RunRetentionQuery(context, fixture.store(), body);
    ASSERT_TRUE(output.ok()) << output.status().message();
    simdjson::dom::parser result_parser;
    const element result = result_parser.parse(output->json);
    EXPECT_EQ(JsonDifference(result, test_case["expected"].value_unsafe(), "result"), "")
        << output->json;
  }
}

}  // namespace
}  // namespace cdp::query
