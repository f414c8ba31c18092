// ParseSegmentRequest for /v1/batch and /v1/import.
#include <gtest/gtest.h>

#include <set>
#include <string>

#include "core/iso8601.h"
#include "core/uuid.h"
#include "ingest/property_test_util.h"
#include "ingest/request_parser.h"

namespace cdp::ingest {
namespace {

const TimePoint kReceived = *ParseIso8601("2024-05-01T12:00:10Z");

Result<ParsedRequest> ParseBatch(std::string_view body, const ParseLimits& limits = {}) {
  return ParseSegmentRequest(body, std::nullopt, limits, kReceived);
}

ParsedRequest Parsed(std::string_view body, const ParseLimits& limits = {}) {
  Result<ParsedRequest> parsed = ParseBatch(body, limits);
  EXPECT_TRUE(parsed.ok()) << parsed.status().ToString();
  return parsed.ok() ? std::move(parsed).value() : ParsedRequest{};
}

std::vector<std::string> RejectedFields(const ParsedRequest& parsed) {
  std::vector<std::string> fields;
  for (const RejectedItem& item : parsed.rejected) fields.push_back(item.status.field());
  return fields;
}

TEST(SegmentBatchTest, KeepsGoodItemsAndListsBadOnes) {
  ParsedRequest parsed = Parsed(R"({"writeKey":"wk","batch":[
      {"type":"track","userId":"u","event":"A"},
      {"type":"track","userId":"u"},
      {"type":"identify","anonymousId":"a","traits":{"plan":"pro"}},
      {"type":"page","name":"Home"},
      7,
      {"type":"group","userId":"u","groupId":"g"}]})");
  EXPECT_EQ(parsed.write_key, "wk");
  ASSERT_EQ(parsed.events.size(), 3u);
  EXPECT_EQ(parsed.event_indexes, (std::vector<size_t>{0, 2, 5}));
  EXPECT_EQ(parsed.events[0].event, "A");
  EXPECT_EQ(parsed.events[1].type, EventType::kIdentify);
  EXPECT_EQ(parsed.events[2].group_id, "g");
  ASSERT_EQ(parsed.rejected.size(), 3u);
  EXPECT_EQ(parsed.rejected[0].index, 1u);
  EXPECT_EQ(parsed.rejected[1].index, 3u);
  EXPECT_EQ(parsed.rejected[2].index, 4u);
  EXPECT_EQ(RejectedFields(parsed),
            (std::vector<std::string>{"batch[1].event", "batch[3].userId", "batch[4]"}));
  for (const RejectedItem& item : parsed.rejected) {
    EXPECT_EQ(item.status.code(), ErrorCode::kBadRequest);
  }
}

TEST(SegmentBatchTest, ItemsNeedAKnownType) {
  ParsedRequest parsed = Parsed(R"({"batch":[
      {"userId":"u","event":"A"},
      {"type":"Track","userId":"u","event":"A"},
      {"type":5,"userId":"u","event":"A"},
      {"type":"","userId":"u","event":"A"}]})");
  EXPECT_TRUE(parsed.events.empty());
  EXPECT_EQ(RejectedFields(parsed), (std::vector<std::string>{"batch[0].type", "batch[1].type",
                                                              "batch[2].type", "batch[3].type"}));
  EXPECT_NE(parsed.rejected[1].status.message().find("'Track'"), std::string::npos);
}

TEST(SegmentBatchTest, NestedFieldPathsGetTheItemPrefix) {
  ParsedRequest parsed = Parsed(R"({"batch":[
      {"type":"track","userId":"u","event":"A","properties":{"firstName":1,"first_name":2}},
      {"type":"track","userId":"u","event":"A","messageId":")" +
                                std::string(101, 'm') + R"("}]})");
  EXPECT_EQ(RejectedFields(parsed),
            (std::vector<std::string>{"batch[0].properties.first_name", "batch[1].messageId"}));
}

TEST(SegmentBatchTest, WholeRequestErrors) {
  const struct {
    const char* body;
    const char* field;
  } kCases[] = {
      {R"({})", "batch"},
      {R"({"batch":null})", "batch"},
      {R"({"batch":{"type":"track"}})", "batch"},
      {R"({"batch":[],"writeKey":5})", "writeKey"},
      {R"({"batch":[],"sentAt":"now"})", "sentAt"},
      {R"({"batch":[],"context":"web"})", "context"},
      {R"({"batch":[],"context":{"a":1,"A":2}})", "context.A"},
      {R"({"batch":[],"integrations":true})", "integrations"},
  };
  for (const auto& c : kCases) {
    Result<ParsedRequest> parsed = ParseBatch(c.body);
    ASSERT_FALSE(parsed.ok()) << c.body;
    EXPECT_EQ(parsed.status().code(), ErrorCode::kBadRequest) << c.body;
    EXPECT_EQ(parsed.status().field(), c.field) << c.body;
  }
  Result<ParsedRequest> parsed = ParseBatch("not json");
  ASSERT_FALSE(parsed.ok());
  EXPECT_EQ(parsed.status().message(), "request body is not valid JSON");
  EXPECT_EQ(parsed.status().field(), "");
}

TEST(SegmentBatchTest, AnEmptyBatchIsValid) {
  ParsedRequest parsed = Parsed(R"({"batch":[]})");
  EXPECT_TRUE(parsed.events.empty());
  EXPECT_TRUE(parsed.rejected.empty());
}

std::string BatchOf(size_t count) {
  std::string body = R"({"batch":[)";
  for (size_t i = 0; i < count; ++i) {
    body += i ? "," : "";
    body += R"({"type":"track","userId":"u","event":"E"})";
  }
  return body + "]}";
}

TEST(SegmentBatchTest, EnforcesMaxBatchEvents) {
  ParseLimits limits;
  limits.max_batch_events = 3;
  EXPECT_EQ(Parsed(BatchOf(3), limits).events.size(), 3u);
  Result<ParsedRequest> parsed = ParseBatch(BatchOf(4), limits);
  ASSERT_FALSE(parsed.ok());
  EXPECT_EQ(parsed.status().code(), ErrorCode::kPayloadTooLarge);
  EXPECT_EQ(parsed.status().field(), "batch");
  EXPECT_NE(parsed.status().message().find("3"), std::string::npos) << parsed.status().message();
  // The default limit.
  EXPECT_EQ(Parsed(BatchOf(2500)).events.size(), 2500u);
  EXPECT_EQ(ParseBatch(BatchOf(2501)).status().code(), ErrorCode::kPayloadTooLarge);
}

TEST(SegmentBatchTest, EnforcesMaxEventBytesPerItem) {
  const std::string small = R"({"type":"track","userId":"u","event":"E"})";
  std::string large = R"({"type":"track","userId":"u","event":"E","properties":{"pad":")";
  large += std::string(120 - large.size() - 3, 'x') + "\"}}";
  ASSERT_EQ(large.size(), 120u);
  // Pretty-printed, with escapes and nested arrays, so that sizing must follow the JSON.
  const std::string body = "{\"batch\": [\n  " + small + ",\n  " + large + " ,\n  " + small +
                           R"(, ["]", {"}": 1}], )" + large + "\n]}";
  ParseLimits limits;
  limits.max_event_bytes = 119;
  ParsedRequest parsed = Parsed(body, limits);
  EXPECT_EQ(parsed.event_indexes, (std::vector<size_t>{0, 2}));
  ASSERT_EQ(parsed.rejected.size(), 3u);
  EXPECT_EQ(parsed.rejected[0].status.code(), ErrorCode::kPayloadTooLarge);
  EXPECT_EQ(parsed.rejected[0].status.field(), "batch[1]");
  EXPECT_NE(parsed.rejected[0].status.message().find("119"), std::string::npos);
  EXPECT_EQ(parsed.rejected[1].status.field(), "batch[3]");  // not an object
  EXPECT_EQ(parsed.rejected[2].status.field(), "batch[4]");

  limits.max_event_bytes = 120;
  EXPECT_EQ(Parsed(body, limits).events.size(), 4u);

  // An escaped key names the same array for the sizing pass as for the DOM.
  limits.max_event_bytes = 119;
  parsed = Parsed(R"({"other":[1,2,3],"\u0062atch":[)" + small + "," + large + "]}", limits);
  EXPECT_EQ(parsed.event_indexes, (std::vector<size_t>{0}));
  EXPECT_EQ(RejectedFields(parsed), (std::vector<std::string>{"batch[1]"}));
}

TEST(SegmentBatchTest, DeepMergesTheBatchContextUnderEachItem) {
  ParsedRequest parsed = Parsed(R"({"batch":[
      {"type":"track","userId":"u","event":"A",
       "context":{"library":{"version":"2.0"},"locale":"fr","userAgent":"item","ip":null}},
      {"type":"track","userId":"u","event":"B"}],
    "context":{"library":{"name":"analytics-go","version":"1.0"},"ip":"1.2.3.4",
               "user_agent":"batch"}})");
  ASSERT_EQ(parsed.events.size(), 2u);
  EXPECT_EQ(Describe(parsed.events[0].context), (PropertyMap{{"library_version", "s:2.0"},
                                                             {"library_name", "s:analytics-go"},
                                                             {"locale", "s:fr"},
                                                             {"user_agent", "s:item"},
                                                             {"ip", "null"}}));
  EXPECT_EQ(Describe(parsed.events[1].context), (PropertyMap{{"library_name", "s:analytics-go"},
                                                             {"library_version", "s:1.0"},
                                                             {"ip", "s:1.2.3.4"},
                                                             {"user_agent", "s:batch"}}));
}

TEST(SegmentBatchTest, MergesTheBatchIntegrationsUnderEachItem) {
  ParsedRequest parsed = Parsed(R"({"batch":[
      {"type":"track","userId":"u","event":"A",
       "integrations":{"Mixpanel":false,"Google Analytics":{"clientId":"c1"}}},
      {"type":"track","userId":"u","event":"B"},
      {"type":"track","userId":"u","event":"C","integrations":{"All":true}}],
    "integrations":{"All":false,"Mixpanel":true}})");
  ASSERT_EQ(parsed.events.size(), 3u);
  EXPECT_EQ(parsed.events[0].integrations,
            R"({"Mixpanel":false,"Google Analytics":{"clientId":"c1"},"All":false})");
  EXPECT_EQ(parsed.events[1].integrations, R"({"All":false,"Mixpanel":true})");
  EXPECT_EQ(parsed.events[2].integrations, R"({"All":true,"Mixpanel":true})");
  // Without batch integrations an item's own are kept as sent, compact.
  parsed = Parsed(R"({"batch":[{"type":"track","userId":"u","event":"A",
                                "integrations": { "Amplitude" : true }}]})");
  EXPECT_EQ(parsed.events.at(0).integrations, R"({"Amplitude":true})");
}

TEST(SegmentBatchTest, BatchSentAtAppliesToItemsWithoutTheirOwn) {
  ParsedRequest parsed = Parsed(R"({"sentAt":"2024-05-01T12:00:05Z","batch":[
      {"type":"track","userId":"u","event":"A","timestamp":"2024-05-01T12:00:00Z"},
      {"type":"track","userId":"u","event":"B","timestamp":"2024-05-01T12:00:00Z",
       "sentAt":"2024-05-01T12:00:01Z"},
      {"type":"track","userId":"u","event":"C"}]})");
  ASSERT_EQ(parsed.events.size(), 3u);
  EXPECT_EQ(parsed.events[0].timestamp, *ParseIso8601("2024-05-01T12:00:05Z"));
  EXPECT_EQ(parsed.events[1].timestamp, *ParseIso8601("2024-05-01T12:00:09Z"));
  EXPECT_EQ(parsed.events[2].sent_at, *ParseIso8601("2024-05-01T12:00:05Z"));
  EXPECT_EQ(parsed.events[2].timestamp, kReceived);
}

TEST(SegmentBatchTest, AssignsDistinctUuidV7MessageIds) {
  ParsedRequest parsed = Parsed(BatchOf(50));
  std::set<std::string> ids;
  for (const Event& event : parsed.events) {
    const std::optional<Uuid> id = Uuid::Parse(event.message_id);
    ASSERT_TRUE(id.has_value());
    EXPECT_EQ(id->version(), 7);
    ids.insert(event.message_id);
  }
  EXPECT_EQ(ids.size(), 50u);
}

}  // namespace
}  // namespace cdp::ingest
