// The data-driven cases of tests/queries/sql: input events, a request, the
// expected result, checked with RunSqlQuery.
#include <fmt/format.h>
#include <gtest/gtest.h>
#include <simdjson.h>

#include <algorithm>
#include <filesystem>
#include <fstream>
#include <sstream>

#include "core/iso8601.h"
#include "query/sql/sql_query.h"
#include "query/testing/test_event_store.h"

namespace cdp::query {
namespace {

Result<std::vector<Property>> PropertiesOf(simdjson::dom::element section) {
  std::vector<Property> properties;
  simdjson::dom::object object;
  if (section.get(object)) return Status::BadRequest("a property section must be an object");
  for (const auto field : object) {
    Property& property = properties.emplace_back();
    property.name = std::string(field.key);
    switch (field.value.type()) {
      case simdjson::dom::element_type::STRING: {
        const std::string_view text = field.value.get_string();
        property.value = std::string(text);
        property.timestamp = ParseIso8601DateTime(text);
        break;
      }
      case simdjson::dom::element_type::INT64:
      case simdjson::dom::element_type::UINT64:
      case simdjson::dom::element_type::DOUBLE:
        property.value = double(field.value.get_double());
        break;
      case simdjson::dom::element_type::BOOL:
        property.value = bool(field.value.get_bool());
        break;
      case simdjson::dom::element_type::NULL_VALUE:
        break;
      default:
        return Status::BadRequest("property " + property.name + " must be a scalar");
    }
  }
  return properties;
}

Result<Event> EventOf(simdjson::dom::element json, size_t index) {
  Event event;
  event.workspace_id = "ws_test";
  event.message_id = fmt::format("m{:04}", index);
  simdjson::dom::object object;
  if (json.get(object)) return Status::BadRequest("an event must be an object");
  for (const auto field : object) {
    const std::string_view key = field.key;
    std::string_view text;
    if (key == "properties" || key == "context" || key == "traits" || key == "traits_set_once") {
      CDP_ASSIGN_OR_RETURN(std::vector<Property> properties, PropertiesOf(field.value));
      (key == "properties" ? event.properties
       : key == "context"  ? event.context
       : key == "traits"   ? event.traits
                           : event.traits_set_once) = std::move(properties);
      continue;
    }
    if (field.value.get(text)) return Status::BadRequest(fmt::format("{} must be a string", key));
    if (key == "type") {
      const std::optional<EventType> type = ParseEventType(text);
      if (!type) return Status::BadRequest("unknown type");
      event.type = *type;
    } else if (key == "event") {
      event.event = text;
    } else if (key == "anonymous_id") {
      event.anonymous_id = text;
    } else if (key == "user_id") {
      event.user_id = text;
    } else if (key == "timestamp") {
      const std::optional<TimePoint> time = ParseIso8601DateTime(text);
      if (!time) return Status::BadRequest("bad timestamp");
      event.timestamp = *time;
      event.received_at = *time;
    } else {
      return Status::BadRequest(fmt::format("unknown event key {}", key));
    }
  }
  return event;
}

// JSON equality: objects by keys (any order), numbers by value.
bool SameJson(simdjson::dom::element a, simdjson::dom::element b, std::string& where) {
  const auto is_number = [](simdjson::dom::element e) {
    return e.is_int64() || e.is_uint64() || e.is_double();
  };
  if (is_number(a) && is_number(b)) {
    if (double(a.get_double()) == double(b.get_double())) return true;
    where = fmt::format("{} != {}", simdjson::to_string(a), simdjson::to_string(b));
    return false;
  }
  if (a.type() != b.type()) {
    where = fmt::format("{} != {}", simdjson::to_string(a), simdjson::to_string(b));
    return false;
  }
  switch (a.type()) {
    case simdjson::dom::element_type::OBJECT: {
      const simdjson::dom::object x = a.get_object();
      const simdjson::dom::object y = b.get_object();
      if (x.size() != y.size()) {
        where = "keys differ: " + simdjson::to_string(a);
        return false;
      }
      for (const auto field : x) {
        simdjson::dom::element other;
        if (y[field.key].get(other)) {
          where = fmt::format("missing key {}", field.key);
          return false;
        }
        if (!SameJson(field.value, other, where)) {
          where = fmt::format("{}: {}", field.key, where);
          return false;
        }
      }
      return true;
    }
    case simdjson::dom::element_type::ARRAY: {
      const simdjson::dom::array x = a.get_array();
      const simdjson::dom::array y = b.get_array();
      if (x.size() != y.size()) {
        where = fmt::format("{} != {}", simdjson::to_string(a), simdjson::to_string(b));
        return false;
      }
      for (size_t i = 0; i < x.size(); ++i) {
        if (!SameJson(x.at(i), y.at(i), where)) {
          where = fmt::format("[{}]: {}", i, where);
          return false;
        }
      }
      return true;
    }
    default:
      if (simdjson::to_string(a) == simdjson::to_string(b)) return true;
      where = fmt::format("{} != {}", simdjson::to_string(a), simdjson::to_string(b));
      return false;
  }
}

void CheckCase(const std::filesystem::path& path) {
  SCOPED_TRACE(path.filename().string());
  simdjson::dom::parser parser;
  simdjson::dom::element root;
  ASSERT_EQ(parser.load(path.string()).get(root), simdjson::SUCCESS);
  std::string_view description;
  ASSERT_EQ(root["description"].get(description), simdjson::SUCCESS);
  simdjson::dom::array events_json;
  ASSERT_EQ(root["events"].get(events_json), simdjson::SUCCESS);
  std::vector<Event> events;
  for (const simdjson::dom::element event : events_json) {
    Result<Event> parsed = EventOf(event, events.size());
    ASSERT_TRUE(parsed.ok()) << parsed.status().ToString();
    events.push_back(std::move(parsed).value());
  }
  simdjson::dom::element request;
  simdjson::dom::element expected;
  ASSERT_EQ(root["request"].get(request), simdjson::SUCCESS);
  ASSERT_EQ(root["expected"].get(expected), simdjson::SUCCESS);
  const std::string body = simdjson::to_string(request);
  const std::string expected_json = simdjson::to_string(expected);

  query::testing::TestEventStore store(events, 2, 2);
  QueryContext context;
  context.workspace_id = "ws_test";
  const Result<QueryOutput> output = RunSqlQuery(context, store.store(), body);
  ASSERT_TRUE(output.ok()) << output.status().ToString();
  simdjson::dom::parser result_parser;
  simdjson::dom::element actual;
  ASSERT_EQ(result_parser.parse(output->json).get(actual), simdjson::SUCCESS) << output->json;
  simdjson::dom::parser expected_parser;
  simdjson::dom::element wanted;
  ASSERT_EQ(expected_parser.parse(expected_json).get(wanted), simdjson::SUCCESS);
  std::string where;
  EXPECT_TRUE(SameJson(actual, wanted, where)) << where << "\nactual: " << output->json;
}

TEST(SqlCasesTest, DataDrivenCases) {
  std::vector<std::filesystem::path> cases;
  for (const auto& entry : std::filesystem::directory_iterator(CDP_SQL_CASES_DIR)) {
    if (entry.path().extension() == ".json") cases.push_back(entry.path());
  }
  std::sort(cases.begin(), cases.end());
  ASSERT_GE(cases.size(), 2u);
  for (const auto& path : cases) CheckCase(path);
}

}  // namespace
}  // namespace cdp::query
