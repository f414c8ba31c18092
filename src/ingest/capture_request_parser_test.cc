#include <gtest/gtest.h>

#include <string>

#include "core/iso8601.h"
#include "core/uuid.h"
#include "ingest/property_test_util.h"
#include "ingest/request_parser.h"

namespace cdp::ingest {
namespace {

const TimePoint kReceived = *ParseIso8601("2024-05-01T12:00:10Z");

ParsedRequest Parse(std::string_view body, const ParseLimits& limits = {}) {
  Result<ParsedRequest> parsed = ParseCaptureRequest(body, limits, kReceived);
  EXPECT_TRUE(parsed.ok()) << parsed.status().ToString();
  return parsed.ok() ? std::move(parsed).value() : ParsedRequest{};
}

Event Accepted(std::string_view body) {
  ParsedRequest parsed = Parse(body);
  EXPECT_TRUE(parsed.rejected.empty()) << parsed.rejected[0].status.ToString();
  EXPECT_EQ(parsed.events.size(), 1u);
  return parsed.events.empty() ? Event{} : std::move(parsed.events[0]);
}

Status Rejected(std::string_view body, const ParseLimits& limits = {}) {
  ParsedRequest parsed = Parse(body, limits);
  EXPECT_TRUE(parsed.events.empty());
  EXPECT_EQ(parsed.rejected.size(), 1u);
  return parsed.rejected.empty() ? Status::Internal("not rejected")
                                 : std::move(parsed.rejected[0].status);
}

TEST(CaptureTest, AnyOtherEventIsATrack) {
  ParsedRequest parsed = Parse(R"({"api_key":"phc_1","event":"clicked button","distinct_id":"d1",)"
                               R"("properties":{"$current_url":"https://x","$browser":"Firefox",)"
                               R"("buttonColor":"red"}})");
  EXPECT_EQ(parsed.write_key, "phc_1");
  ASSERT_EQ(parsed.events.size(), 1u);
  const Event& event = parsed.events[0];
  EXPECT_EQ(event.type, EventType::kTrack);
  EXPECT_EQ(event.event, "clicked button");
  EXPECT_EQ(event.anonymous_id, "d1");
  EXPECT_EQ(event.user_id, "");
  EXPECT_EQ(Describe(event.properties), (PropertyMap{{"current_url", "s:https://x"},
                                                     {"browser", "s:Firefox"},
                                                     {"button_color", "s:red"}}));
  EXPECT_TRUE(event.context.empty());
  EXPECT_EQ(event.timestamp, kReceived);
  EXPECT_EQ(Uuid::Parse(event.message_id)->version(), 7);
  // "$"-named events other than the special ones stay tracks, named as sent.
  EXPECT_EQ(Accepted(R"({"event":"$autocapture","distinct_id":"d"})").event, "$autocapture");
}

TEST(CaptureTest, IdentifyTakesTraitsFromSetAtTheTopAndInProperties) {
  Event event = Accepted(R"({"event":"$identify","distinct_id":"user-1",)"
                         R"("$set":{"email":"a@x","plan":"pro"},"$set_once":{"firstSeen":"web"},)"
                         R"("properties":{"$anon_distinct_id":"anon-9","$set":{"plan":"free",)"
                         R"("Company":"ACME"},"$set_once":{"first_seen":"ios","ref":"ad"},)"
                         R"("$lib":"web"}})");
  EXPECT_EQ(event.type, EventType::kIdentify);
  EXPECT_EQ(event.user_id, "user-1");
  EXPECT_EQ(event.anonymous_id, "anon-9");
  EXPECT_EQ(event.event, "");
  // The top level wins over properties.$set.
  EXPECT_EQ(Describe(event.traits),
            (PropertyMap{{"email", "s:a@x"}, {"plan", "s:pro"}, {"company", "s:ACME"}}));
  EXPECT_EQ(Describe(event.traits_set_once),
            (PropertyMap{{"first_seen", "s:web"}, {"ref", "s:ad"}}));
  EXPECT_EQ(Describe(event.properties),
            (PropertyMap{{"anon_distinct_id", "s:anon-9"}, {"lib", "s:web"}}));
}

TEST(CaptureTest, IdentifyWithoutAnonymousId) {
  Event event = Accepted(R"({"event":"$identify","distinct_id":"u"})");
  EXPECT_EQ(event.user_id, "u");
  EXPECT_EQ(event.anonymous_id, "");
}

TEST(CaptureTest, CreateAliasNeedsPropertiesAlias) {
  Event event =
      Accepted(R"({"event":"$create_alias","distinct_id":"u1","properties":{"alias":"old-id"}})");
  EXPECT_EQ(event.type, EventType::kAlias);
  EXPECT_EQ(event.user_id, "u1");
  EXPECT_EQ(event.previous_id, "old-id");
  EXPECT_EQ(Rejected(R"({"event":"$create_alias","distinct_id":"u1"})").field(),
            "properties.alias");
  EXPECT_EQ(
      Rejected(R"({"event":"$create_alias","distinct_id":"u1","properties":{"alias":""}})").field(),
      "properties.alias");
  EXPECT_EQ(Rejected(R"({"event":"$create_alias","distinct_id":"u1","properties":{"alias":[1]}})")
                .field(),
            "properties.alias");
}

TEST(CaptureTest, PageviewIsAnUnnamedPage) {
  Event event =
      Accepted(R"({"event":"$pageview","distinct_id":"d",)"
               R"("properties":{"$current_url":"https://x/pricing","$pathname":"/pricing"}})");
  EXPECT_EQ(event.type, EventType::kPage);
  EXPECT_EQ(event.event, "");
  EXPECT_EQ(event.anonymous_id, "d");
  EXPECT_EQ(Describe(event.properties),
            (PropertyMap{{"current_url", "s:https://x/pricing"}, {"pathname", "s:/pricing"}}));
}

TEST(CaptureTest, ScreenIsNamedByScreenName) {
  Event event =
      Accepted(R"({"event":"$screen","distinct_id":"d","properties":{"$screen_name":"Settings"}})");
  EXPECT_EQ(event.type, EventType::kScreen);
  EXPECT_EQ(event.event, "Settings");
  EXPECT_EQ(event.anonymous_id, "d");
  EXPECT_EQ(Accepted(R"({"event":"$screen","distinct_id":"d"})").event, "");
  EXPECT_EQ(
      Rejected(R"({"event":"$screen","distinct_id":"d","properties":{"$screen_name":1}})").field(),
      "properties.$screen_name");
}

TEST(CaptureTest, SetAppliesToEveryType) {
  Event event = Accepted(R"({"event":"purchase","distinct_id":"d","$set":{"vip":true},)"
                         R"("properties":{"$set_once":{"firstPurchase":"2024-05-01T10:00:00Z"}}})");
  EXPECT_EQ(Describe(event.traits), (PropertyMap{{"vip", "b:true"}}));
  EXPECT_EQ(Describe(event.traits_set_once),
            (PropertyMap{{"first_purchase", "t:2024-05-01T10:00:00Z"}}));
  EXPECT_TRUE(event.properties.empty());
}

TEST(CaptureTest, DistinctIdMayComeFromPropertiesOrBeANumber) {
  EXPECT_EQ(Accepted(R"({"event":"e","properties":{"distinct_id":"p1"}})").anonymous_id, "p1");
  EXPECT_EQ(Accepted(R"({"event":"e","distinct_id":"top","properties":{"distinct_id":"p"}})")
                .anonymous_id,
            "top");
  EXPECT_EQ(Accepted(R"({"event":"$identify","distinct_id":42})").user_id, "42");
}

TEST(CaptureTest, RejectionsNameTheField) {
  const struct {
    const char* body;
    const char* field;
  } kCases[] = {
      {R"({"distinct_id":"d"})", "event"},
      {R"({"event":"","distinct_id":"d"})", "event"},
      {R"({"event":5,"distinct_id":"d"})", "event"},
      {R"({"event":"e"})", "distinct_id"},
      {R"({"event":"e","distinct_id":""})", "distinct_id"},
      {R"({"event":"e","distinct_id":{}})", "distinct_id"},
      {R"({"event":"e","properties":{"distinct_id":true}})", "properties.distinct_id"},
      {R"({"event":"e","distinct_id":"d","properties":"x"})", "properties"},
      {R"({"event":"e","distinct_id":"d","timestamp":"soon"})", "timestamp"},
      {R"({"event":"e","distinct_id":"d","sent_at":"soon"})", "sent_at"},
      {R"({"event":"e","distinct_id":"d","uuid":1})", "uuid"},
      {R"({"event":"e","distinct_id":"d","$set":[]})", "$set"},
      {R"({"event":"e","distinct_id":"d","properties":{"$set_once":1}})", "properties.$set_once"},
      {R"({"event":"e","distinct_id":"d","properties":{"a":1,"A":2}})", "properties.A"},
      {R"({"event":"e","distinct_id":"d","$set":{"a":1,"A":2}})", "$set.A"},
      {R"({"event":"e","distinct_id":"d","properties":{"$set":{"a":1,"A":2}}})",
       "properties.$set.A"},
  };
  for (const auto& c : kCases) {
    Status status = Rejected(c.body);
    EXPECT_EQ(status.code(), ErrorCode::kBadRequest) << c.body;
    EXPECT_EQ(status.field(), c.field) << c.body << " → " << status.ToString();
  }
}

TEST(CaptureTest, UuidIsTheMessageId) {
  EXPECT_EQ(
      Accepted(R"({"event":"e","distinct_id":"d","uuid":"0190a1b2-c3d4-7e5f-8a9b-0c1d2e3f4a5b"})")
          .message_id,
      "0190a1b2-c3d4-7e5f-8a9b-0c1d2e3f4a5b");
  Status status =
      Rejected(R"({"event":"e","distinct_id":"d","uuid":")" + std::string(101, 'u') + "\"}");
  EXPECT_EQ(status.field(), "uuid");
}

TEST(CaptureTest, TimestampWithAndWithoutSentAt) {
  Event event = Accepted(R"({"event":"e","distinct_id":"d","timestamp":"2024-05-01T09:00:00Z"})");
  EXPECT_EQ(event.timestamp, *ParseIso8601("2024-05-01T09:00:00Z"));
  EXPECT_FALSE(event.sent_at.has_value());
  event = Accepted(R"({"event":"e","distinct_id":"d","timestamp":"2024-05-01T12:00:00Z",)"
                   R"("sent_at":"2024-05-01T12:00:05Z"})");
  EXPECT_EQ(event.timestamp, *ParseIso8601("2024-05-01T12:00:05Z"));
}

TEST(CaptureBatchTest, TopLevelApiKeyAndSentAtApplyToAllItems) {
  ParsedRequest parsed = Parse(R"({"api_key":"top","sent_at":"2024-05-01T12:00:05Z","batch":[
      {"event":"a","distinct_id":"d","api_key":"item","timestamp":"2024-05-01T12:00:00Z"},
      {"event":"b"},
      {"event":"c","distinct_id":"d","sent_at":"2024-05-01T12:00:00Z"},
      "x"]})");
  EXPECT_EQ(parsed.write_key, "top");
  EXPECT_EQ(parsed.event_indexes, (std::vector<size_t>{0, 2}));
  EXPECT_EQ(parsed.events.at(0).timestamp, *ParseIso8601("2024-05-01T12:00:05Z"));
  // An item's own sent_at is not read; the request's is.
  EXPECT_EQ(parsed.events.at(1).sent_at, *ParseIso8601("2024-05-01T12:00:05Z"));
  ASSERT_EQ(parsed.rejected.size(), 2u);
  EXPECT_EQ(parsed.rejected[0].status.field(), "batch[1].distinct_id");
  EXPECT_EQ(parsed.rejected[1].status.field(), "batch[3]");
}

TEST(CaptureBatchTest, WithoutATopLevelKeyTheFirstItemKeyIsTheWriteKey) {
  ParsedRequest parsed = Parse(R"({"batch":[{"event":"a","distinct_id":"d"},
      {"event":"b","distinct_id":"d","api_key":"k1"},{"event":"c","distinct_id":"d","api_key":"k2"},
      {"event":"d","distinct_id":"d","api_key":7}]})");
  EXPECT_EQ(parsed.write_key, "k1");
  EXPECT_EQ(parsed.events.size(), 3u);
  ASSERT_EQ(parsed.rejected.size(), 1u);
  EXPECT_EQ(parsed.rejected[0].status.field(), "batch[3].api_key");
}

TEST(CaptureBatchTest, WholeRequestErrorsAndLimits) {
  for (const char* body : {R"({"batch":null})", R"({"batch":{}})", R"({"batch":[],"api_key":1})",
                           R"({"batch":[],"sent_at":"x"})"}) {
    Result<ParsedRequest> parsed = ParseCaptureRequest(body, {}, kReceived);
    EXPECT_FALSE(parsed.ok()) << body;
    EXPECT_EQ(parsed.status().code(), ErrorCode::kBadRequest) << body;
  }
  EXPECT_EQ(ParseCaptureRequest("[]", {}, kReceived).status().field(), "");
  EXPECT_TRUE(Parse(R"({"batch":[]})").events.empty());

  ParseLimits limits;
  limits.max_batch_events = 1;
  const std::string two =
      R"({"batch":[{"event":"a","distinct_id":"d"},{"event":"b","distinct_id":"d"}]})";
  Result<ParsedRequest> parsed = ParseCaptureRequest(two, limits, kReceived);
  ASSERT_FALSE(parsed.ok());
  EXPECT_EQ(parsed.status().code(), ErrorCode::kPayloadTooLarge);
  EXPECT_EQ(parsed.status().field(), "batch");

  limits = ParseLimits{};
  limits.max_event_bytes = 40;
  const std::string body = R"({"batch":[{"event":"a","distinct_id":"d"},)"
                           R"({"event":"b","distinct_id":"d","properties":{"long":"xxxxxxxx"}}]})";
  ParsedRequest sized = Parse(body, limits);
  EXPECT_EQ(sized.event_indexes, (std::vector<size_t>{0}));
  ASSERT_EQ(sized.rejected.size(), 1u);
  EXPECT_EQ(sized.rejected[0].status.code(), ErrorCode::kPayloadTooLarge);
  EXPECT_EQ(sized.rejected[0].status.field(), "batch[1]");
  Status single =
      Rejected(R"({"event":"b","distinct_id":"d","properties":{"long":"xxxxxxxx"}})", limits);
  EXPECT_EQ(single.code(), ErrorCode::kPayloadTooLarge);
}

}  // namespace
}  // namespace cdp::ingest
