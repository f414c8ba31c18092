// The ingest service and identity stitching: identify / alias items with ids
// that would link unrelated people are refused one by one (400, the field as
// a path into the request), are not dead-lettered and reserve no message id;
// the merge_dangerously flag reaches the event log.
#include <fmt/format.h>
#include <gtest/gtest.h>

#include <algorithm>
#include <string>
#include <vector>

#include "ingest/ingest_service.h"
#include "ingest/ingest_test_env.h"
#include "ingest/property_test_util.h"

namespace cdp::ingest {
namespace {

using testing::IngestTestEnv;

IngestResult Capture(IngestTestEnv& env, std::string body) {
  return env.Ingest({.format = IngestFormat::kCapture,
                     .single_type = std::nullopt,
                     .body = std::move(body),
                     .credential = env.workspace_.write_key,
                     .client_ip = "203.0.113.9",
                     .user_agent = "posthog-js/1.0"});
}

std::vector<std::string> MessageIds(const std::vector<Event>& events) {
  std::vector<std::string> ids;
  for (const Event& event : events) ids.push_back(event.message_id);
  std::sort(ids.begin(), ids.end());
  return ids;
}

const Event* FindEvent(const std::vector<Event>& events, std::string_view message_id) {
  for (const Event& event : events) {
    if (event.message_id == message_id) return &event;
  }
  return nullptr;
}

TEST(IngestIdentityTest, ASegmentBatchRefusesPlaceholderLinkIdsAndKeepsTheOtherItems) {
  IngestTestEnv env;
  const IngestResult result = env.Segment(R"({"batch":[
      {"type":"identify","messageId":"m0","userId":"u0","anonymousId":"a0"},
      {"type":"track","messageId":"m1","userId":"null","event":"E"},
      {"type":"identify","messageId":"m2","userId":"u2","anonymousId":"undefined"},
      {"type":"alias","messageId":"m3","userId":"Anonymous","previousId":"p3"},
      {"type":"alias","messageId":"m4","userId":"u4","previousId":" "},
      {"type":"page","messageId":"m5","anonymousId":"0"},
      {"type":"alias","messageId":"m6","userId":"u6","previousId":"nullable"}]})",
                                          std::nullopt);
  ASSERT_TRUE(result.status.ok()) << result.status.ToString();
  EXPECT_TRUE(result.batch);
  EXPECT_EQ(result.accepted, 4u);
  ASSERT_EQ(result.rejected.size(), 3u);
  EXPECT_EQ(result.rejected[0].index, 2u);
  EXPECT_EQ(result.rejected[0].status.http_status(), 400);
  EXPECT_EQ(result.rejected[0].status.field(), "batch[2].anonymousId");
  EXPECT_EQ(result.rejected[0].status.message(),
            "anonymousId \"undefined\" is not a usable id: placeholder values would merge "
            "unrelated people");
  EXPECT_EQ(result.rejected[1].index, 3u);
  EXPECT_EQ(result.rejected[1].status.field(), "batch[3].userId");
  EXPECT_EQ(result.rejected[2].index, 4u);
  EXPECT_EQ(result.rejected[2].status.field(), "batch[4].previousId");
  EXPECT_EQ(result.rejected[2].status.message(),
            "previousId \" \" is not a usable id: blank values would merge unrelated people");

  const std::vector<Event> logged = env.LoggedEvents();
  EXPECT_EQ(MessageIds(logged), (std::vector<std::string>{"m0", "m1", "m5", "m6"}));
  // Events that link nothing keep their ids as sent.
  ASSERT_NE(FindEvent(logged, "m1"), nullptr);
  EXPECT_EQ(FindEvent(logged, "m1")->user_id, "null");
  // A validation refusal is the client's to fix: nothing is dead-lettered.
  EXPECT_TRUE(env.DeadLetters().empty());
  const IngestCounters counters = env.service_->counters();
  EXPECT_EQ(counters.accepted, 4u);
  EXPECT_EQ(counters.rejected, 3u);
  EXPECT_EQ(counters.dead_lettered, 0u);
}

TEST(IngestIdentityTest, ARefusedSingleIdentifyStoresNothingAndItsFixedRetryIsNoDuplicate) {
  IngestTestEnv env;
  IngestResult result = env.Segment(R"({"messageId":"m1","userId":"guest","anonymousId":"a1"})",
                                    EventType::kIdentify);
  ASSERT_TRUE(result.status.ok()) << result.status.ToString();
  EXPECT_FALSE(result.batch);
  EXPECT_EQ(result.accepted, 0u);
  ASSERT_EQ(result.rejected.size(), 1u);
  EXPECT_EQ(result.rejected[0].status.code(), ErrorCode::kBadRequest);
  EXPECT_EQ(result.rejected[0].status.field(), "userId");
  EXPECT_TRUE(env.LoggedEvents().empty());

  result =
      env.Segment(R"({"messageId":"m1","userId":"u1","anonymousId":"a1"})", EventType::kIdentify);
  EXPECT_EQ(result.accepted, 1u);
  EXPECT_EQ(result.duplicates, 0u);
  EXPECT_EQ(MessageIds(env.LoggedEvents()), (std::vector<std::string>{"m1"}));
}

TEST(IngestIdentityTest, ACaptureBatchRefusesPlaceholderLinkIdsAndKeepsTheOtherItems) {
  IngestTestEnv env;
  const IngestResult result = Capture(env, R"({"batch":[
      {"event":"$identify","uuid":"m0","distinct_id":"u0","properties":{"$anon_distinct_id":"a0"}},
      {"event":"$identify","uuid":"m1","distinct_id":"u1","properties":{"$anon_distinct_id":"null"}},
      {"event":"$create_alias","uuid":"m2","distinct_id":"undefined","properties":{"alias":"p2"}},
      {"event":"$merge_dangerously","uuid":"m3","distinct_id":"u3","properties":{"alias":"[object Object]"}},
      {"event":"$pageview","uuid":"m4","distinct_id":"anonymous"},
      {"event":"$identify","uuid":"m5","properties":{"distinct_id":"0"}}]})");
  ASSERT_TRUE(result.status.ok()) << result.status.ToString();
  EXPECT_EQ(result.accepted, 2u);
  std::vector<std::string> fields;
  for (const RejectedItem& item : result.rejected) {
    EXPECT_EQ(item.status.http_status(), 400);
    fields.push_back(item.status.field());
  }
  EXPECT_EQ(fields, (std::vector<std::string>{"batch[1].properties.$anon_distinct_id",
                                              "batch[2].distinct_id", "batch[3].properties.alias",
                                              "batch[5].properties.distinct_id"}));
  EXPECT_EQ(MessageIds(env.LoggedEvents()), (std::vector<std::string>{"m0", "m4"}));
  EXPECT_TRUE(env.DeadLetters().empty());
}

TEST(IngestIdentityTest, MergeDangerouslyReachesTheLogAsABooleanContextProperty) {
  IngestTestEnv env;
  IngestResult result =
      Capture(env, R"({"event":"$merge_dangerously","uuid":"c1","distinct_id":"u2",)"
                   R"("properties":{"alias":"u1"}})");
  ASSERT_TRUE(result.status.ok()) << result.status.ToString();
  EXPECT_EQ(result.accepted, 1u);
  result = env.Segment(R"({"messageId":"s1","userId":"u3","previousId":"u4",)"
                       R"("context":{"merge_dangerously":true}})",
                       EventType::kAlias);
  EXPECT_EQ(result.accepted, 1u);
  result = env.Segment(R"({"messageId":"s2","userId":"u5","anonymousId":"a5",)"
                       R"("context":{"merge_dangerously":true}})",
                       EventType::kIdentify);
  EXPECT_EQ(result.accepted, 1u);

  const std::vector<Event> logged = env.LoggedEvents();
  for (const char* message_id : {"c1", "s1", "s2"}) {
    const Event* event = FindEvent(logged, message_id);
    ASSERT_NE(event, nullptr) << message_id;
    const auto flag =
        std::find_if(event->context.begin(), event->context.end(),
                     [](const Property& property) { return property.name == "merge_dangerously"; });
    ASSERT_NE(flag, event->context.end()) << message_id;
    ASSERT_TRUE(std::holds_alternative<bool>(flag->value)) << message_id;
    EXPECT_TRUE(std::get<bool>(flag->value)) << message_id;
  }
  const Event* merge = FindEvent(logged, "c1");
  EXPECT_EQ(merge->type, EventType::kAlias);
  EXPECT_EQ(merge->user_id, "u2");
  EXPECT_EQ(merge->previous_id, "u1");
  // Enrichment still adds the connection's context beside the flag.
  EXPECT_EQ(Describe(merge->context).count("ip"), 1u);
  EXPECT_EQ(FindEvent(logged, "s2")->type, EventType::kIdentify);
}

}  // namespace
}  // namespace cdp::ingest
