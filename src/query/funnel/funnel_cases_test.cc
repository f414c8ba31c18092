// The data-driven cases of tests/queries/funnel/*.json, each
//   {"description", "events": [...], "request": {...}, "expected": {...}}
// run through RunFunnelQuery on a real store and compared with "expected"
// (numbers to 1e-9). The service's case runner may replace this loader.
#include <fmt/format.h>
#include <gtest/gtest.h>
#include <simdjson.h>

#include <cmath>
#include <filesystem>
#include <string>
#include <vector>

#include "core/iso8601.h"
#include "model/event.h"
#include "query/funnel/funnel_query.h"
#include "query/testing/test_event_store.h"

namespace cdp::query {
namespace {

using simdjson::dom::element;

std::vector<Property> PropertiesOf(element section) {
  std::vector<Property> properties;
  simdjson::dom::object object;
  if (section.get_object().get(object) != simdjson::SUCCESS) return properties;
  for (const auto field : object) {
    Property property;
    property.name = std::string(field.key);
    const element value = field.value;
    if (value.is_string()) {
      const std::string_view text = value.get_string().value_unsafe();
      property.value = std::string(text);
      property.timestamp = ParseIso8601DateTime(text);
    } else if (value.is_bool()) {
      property.value = value.get_bool().value_unsafe();
    } else if (value.is_number()) {
      property.value = double(value);
    }
    properties.push_back(std::move(property));
  }
  return properties;
}

std::string StringAt(simdjson::dom::object object, std::string_view key) {
  std::string_view text;
  return object[key].get_string().get(text) == simdjson::SUCCESS ? std::string(text) : "";
}

Event EventOf(simdjson::dom::object object, size_t index) {
  Event event;
  event.workspace_id = "ws_test";
  event.message_id = fmt::format("case-{}", index);
  const std::string type = StringAt(object, "type");
  event.type = ParseEventType(type.empty() ? "track" : type).value_or(EventType::kTrack);
  event.event = StringAt(object, "event");
  event.anonymous_id = StringAt(object, "anonymous_id");
  event.user_id = StringAt(object, "user_id");
  const std::optional<TimePoint> timestamp = ParseIso8601DateTime(StringAt(object, "timestamp"));
  EXPECT_TRUE(timestamp.has_value()) << "event " << index << " has no valid timestamp";
  event.timestamp = timestamp.value_or(TimePoint{});
  event.received_at = event.timestamp;
  element section;
  if (object["properties"].get(section) == simdjson::SUCCESS) {
    event.properties = PropertiesOf(section);
  }
  if (object["context"].get(section) == simdjson::SUCCESS) event.context = PropertiesOf(section);
  if (object["traits"].get(section) == simdjson::SUCCESS) event.traits = PropertiesOf(section);
  return event;
}

// The first difference between two JSON values, as "path: what"; "" when
// they agree.
std::string Difference(element actual, element expected, const std::string& path) {
  if (expected.is_number() && actual.is_number()) {
    const double a = double(actual);
    const double e = double(expected);
    return std::fabs(a - e) <= 1e-9 * std::max(1.0, std::fabs(e))
               ? ""
               : fmt::format("{}: {} instead of {}", path, a, e);
  }
  if (actual.type() != expected.type()) {
    return fmt::format("{}: {} instead of {}", path, simdjson::to_string(actual),
                       simdjson::to_string(expected));
  }
  if (expected.is_object()) {
    simdjson::dom::object a = actual.get_object().value_unsafe();
    simdjson::dom::object e = expected.get_object().value_unsafe();
    if (a.size() != e.size()) {
      return fmt::format("{}: {} keys instead of {}: {}", path, a.size(), e.size(),
                         simdjson::to_string(actual));
    }
    for (const auto field : e) {
      element value;
      if (a[field.key].get(value) != simdjson::SUCCESS) {
        return fmt::format("{}.{}: missing", path, field.key);
      }
      std::string difference =
          Difference(value, field.value, fmt::format("{}.{}", path, field.key));
      if (!difference.empty()) return difference;
    }
    return "";
  }
  if (expected.is_array()) {
    simdjson::dom::array a = actual.get_array().value_unsafe();
    simdjson::dom::array e = expected.get_array().value_unsafe();
    if (a.size() != e.size()) {
      return fmt::format("{}: {} elements instead of {}: {}", path, a.size(), e.size(),
                         simdjson::to_string(actual));
    }
    for (size_t i = 0; i < e.size(); ++i) {
      std::string difference = Difference(a.at(i).value_unsafe(), e.at(i).value_unsafe(),
                                          fmt::format("{}[{}]", path, i));
      if (!difference.empty()) return difference;
    }
    return "";
  }
  return simdjson::to_string(actual) == simdjson::to_string(expected)
             ? ""
             : fmt::format("{}: {} instead of {}", path, simdjson::to_string(actual),
                           simdjson::to_string(expected));
}

TEST(FunnelCasesTest, EveryCaseGivesItsExpectedResult) {
  std::vector<std::filesystem::path> files;
  for (const auto& entry : std::filesystem::directory_iterator(CDP_FUNNEL_CASES_DIR)) {
    if (entry.path().extension() == ".json") files.push_back(entry.path());
  }
  std::sort(files.begin(), files.end());
  ASSERT_GE(files.size(), 2u) << "no cases in " << CDP_FUNNEL_CASES_DIR;
  for (const std::filesystem::path& file : files) {
    SCOPED_TRACE(file.filename().string());
    simdjson::dom::parser parser;
    simdjson::dom::object root;
    ASSERT_EQ(parser.load(file.string()).get_object().get(root), simdjson::SUCCESS);
    simdjson::dom::array event_objects;
    ASSERT_EQ(root["events"].get_array().get(event_objects), simdjson::SUCCESS);
    std::vector<Event> events;
    for (const element event : event_objects) {
      events.push_back(EventOf(event.get_object().value(), events.size()));
    }
    const std::string request = simdjson::to_string(root["request"].value());
    const std::string expected = simdjson::to_string(root["expected"].value());

    testing::TestEventStore store(events, 2, 4);
    const QueryContext context{.workspace_id = "ws_test", .parallelism = 2};
    const Result<QueryOutput> output = RunFunnelQuery(context, store.store(), request);
    ASSERT_TRUE(output.ok()) << output.status().message();
    simdjson::dom::parser actual_parser;
    simdjson::dom::parser expected_parser;
    const element actual = actual_parser.parse(output->json).value();
    const element wanted = expected_parser.parse(expected).value();
    EXPECT_EQ(Difference(actual, wanted, "result"), "") << output->json;
  }
}

}  // namespace
}  // namespace cdp::query
