// ParseSegmentRequest for the single-event endpoints (/v1/track, ...); the
// batch shape is in segment_request_parser_batch_test.cc.
#include <gtest/gtest.h>

#include <string>

#include "core/iso8601.h"
#include "core/uuid.h"
#include "ingest/property_test_util.h"
#include "ingest/request_parser.h"

namespace cdp::ingest {
namespace {

const TimePoint kReceived = *ParseIso8601("2024-05-01T12:00:10Z");

ParsedRequest Parse(EventType type, std::string_view body, const ParseLimits& limits = {}) {
  Result<ParsedRequest> parsed = ParseSegmentRequest(body, type, limits, kReceived);
  EXPECT_TRUE(parsed.ok()) << parsed.status().ToString();
  return parsed.ok() ? std::move(parsed).value() : ParsedRequest{};
}

// The one accepted event of a single-event request.
Event Accepted(EventType type, std::string_view body) {
  ParsedRequest parsed = Parse(type, body);
  EXPECT_TRUE(parsed.rejected.empty()) << parsed.rejected[0].status.ToString();
  EXPECT_EQ(parsed.events.size(), 1u);
  return parsed.events.empty() ? Event{} : std::move(parsed.events[0]);
}

// The status of the rejected single event.
Status Rejected(EventType type, std::string_view body, const ParseLimits& limits = {}) {
  ParsedRequest parsed = Parse(type, body, limits);
  EXPECT_TRUE(parsed.events.empty());
  EXPECT_EQ(parsed.rejected.size(), 1u);
  if (parsed.rejected.empty()) return Status::Internal("not rejected");
  EXPECT_EQ(parsed.rejected[0].index, 0u);
  return std::move(parsed.rejected[0].status);
}

TEST(SegmentSingleTest, AcceptsAMinimalTrack) {
  ParsedRequest parsed =
      Parse(EventType::kTrack, R"({"userId":"u1","event":"Signed Up","writeKey":"wk_1"})");
  ASSERT_EQ(parsed.events.size(), 1u);
  EXPECT_EQ(parsed.event_indexes, std::vector<size_t>{0});
  EXPECT_EQ(parsed.write_key, "wk_1");
  const Event& event = parsed.events[0];
  EXPECT_EQ(event.type, EventType::kTrack);
  EXPECT_EQ(event.user_id, "u1");
  EXPECT_EQ(event.anonymous_id, "");
  EXPECT_EQ(event.event, "Signed Up");
  EXPECT_EQ(event.received_at, kReceived);
  EXPECT_EQ(event.timestamp, kReceived);
  EXPECT_FALSE(event.sent_at.has_value());
  EXPECT_FALSE(event.original_timestamp.has_value());
  EXPECT_TRUE(event.properties.empty());
  EXPECT_EQ(event.integrations, "");
}

TEST(SegmentSingleTest, RefusesBodiesThatAreNotJsonObjects) {
  for (const char* body : {"", "{", "{\"a\":tru}", "[1]x", "{\"a\":\"\xff\"}"}) {
    Result<ParsedRequest> parsed = ParseSegmentRequest(body, EventType::kTrack, {}, kReceived);
    ASSERT_FALSE(parsed.ok()) << body;
    EXPECT_EQ(parsed.status().code(), ErrorCode::kBadRequest);
    EXPECT_EQ(parsed.status().message(), "request body is not valid JSON");
    EXPECT_EQ(parsed.status().field(), "");
  }
  for (const char* body : {"[]", "\"track\"", "42", "null"}) {
    Result<ParsedRequest> parsed = ParseSegmentRequest(body, EventType::kTrack, {}, kReceived);
    ASSERT_FALSE(parsed.ok()) << body;
    EXPECT_EQ(parsed.status().code(), ErrorCode::kBadRequest);
    EXPECT_EQ(parsed.status().field(), "");
  }
}

TEST(SegmentSingleTest, TheEndpointDecidesTheType) {
  Event event = Accepted(EventType::kIdentify, R"({"type":"track","userId":"u1"})");
  EXPECT_EQ(event.type, EventType::kIdentify);
}

TEST(SegmentSingleTest, NullMeansNotGiven) {
  Event event =
      Accepted(EventType::kTrack, R"({"userId":null,"anonymousId":"a1","event":"E",)"
                                  R"("properties":null,"timestamp":null,"messageId":null})");
  EXPECT_EQ(event.anonymous_id, "a1");
  EXPECT_EQ(event.timestamp, kReceived);
  EXPECT_FALSE(event.message_id.empty());
}

TEST(SegmentSingleTest, RejectionsNameTheField) {
  const struct {
    EventType type;
    const char* body;
    const char* field;
  } kCases[] = {
      {EventType::kTrack, R"({"event":"E"})", "userId"},
      {EventType::kTrack, R"({"userId":"","anonymousId":"","event":"E"})", "userId"},
      {EventType::kTrack, R"({"userId":true,"event":"E"})", "userId"},
      {EventType::kTrack, R"({"anonymousId":{},"event":"E"})", "anonymousId"},
      {EventType::kTrack, R"({"userId":"u"})", "event"},
      {EventType::kTrack, R"({"userId":"u","event":""})", "event"},
      {EventType::kTrack, R"({"userId":"u","event":5})", "event"},
      {EventType::kPage, R"({"userId":"u","name":["x"]})", "name"},
      {EventType::kGroup, R"({"userId":"u"})", "groupId"},
      {EventType::kGroup, R"({"userId":"u","groupId":""})", "groupId"},
      {EventType::kGroup, R"({"userId":"u","groupId":false})", "groupId"},
      {EventType::kAlias, R"({"userId":"u"})", "previousId"},
      {EventType::kAlias, R"({"anonymousId":"a","previousId":"p"})", "userId"},
      {EventType::kTrack, R"({"userId":"u","event":"E","messageId":7})", "messageId"},
      {EventType::kTrack, R"({"userId":"u","event":"E","timestamp":"yesterday"})", "timestamp"},
      {EventType::kTrack, R"({"userId":"u","event":"E","timestamp":1714557600})", "timestamp"},
      {EventType::kTrack, R"({"userId":"u","event":"E","sentAt":"2024-05-01"})", "sentAt"},
      {EventType::kTrack, R"({"userId":"u","event":"E","originalTimestamp":"x"})",
       "originalTimestamp"},
      {EventType::kTrack, R"({"userId":"u","event":"E","properties":[1]})", "properties"},
      {EventType::kIdentify, R"({"userId":"u","traits":"vip"})", "traits"},
      {EventType::kTrack, R"({"userId":"u","event":"E","context":1})", "context"},
      {EventType::kTrack, R"({"userId":"u","event":"E","integrations":[]})", "integrations"},
      {EventType::kTrack, R"({"userId":"u","event":"E","properties":{"a":{"$":1}}})",
       "properties.a.$"},
      {EventType::kIdentify, R"({"userId":"u","traits":{"first_name":"a","firstName":"b"}})",
       "traits.firstName"},
      {EventType::kTrack, R"({"userId":"u","event":"E","context":{"ip":"1","IP":"2"}})",
       "context.IP"},
  };
  for (const auto& c : kCases) {
    Status status = Rejected(c.type, c.body);
    EXPECT_EQ(status.code(), ErrorCode::kBadRequest) << c.body;
    EXPECT_EQ(status.field(), c.field) << c.body << " → " << status.ToString();
  }
}

TEST(SegmentSingleTest, CollisionMessageNamesTheFlattenedName) {
  Status status =
      Rejected(EventType::kTrack, R"({"userId":"u","event":"E",)"
                                  R"("properties":{"first_name":"a","firstName":"b"}})");
  EXPECT_EQ(status.field(), "properties.firstName");
  EXPECT_NE(status.message().find("first_name"), std::string::npos) << status.message();
}

TEST(SegmentSingleTest, AssignsAUuidV7WhenMessageIdIsMissing) {
  Event first = Accepted(EventType::kTrack, R"({"userId":"u","event":"E"})");
  Event second = Accepted(EventType::kTrack, R"({"userId":"u","event":"E","messageId":""})");
  for (const Event* event : {&first, &second}) {
    const std::optional<Uuid> id = Uuid::Parse(event->message_id);
    ASSERT_TRUE(id.has_value()) << event->message_id;
    EXPECT_EQ(id->version(), 7);
    EXPECT_EQ(id->ToString(), event->message_id);
  }
  EXPECT_NE(first.message_id, second.message_id);
}

TEST(SegmentSingleTest, KeepsMessageIdsUpTheLimit) {
  const std::string at_limit(100, 'm');
  Event event =
      Accepted(EventType::kTrack, R"({"userId":"u","event":"E","messageId":")" + at_limit + "\"}");
  EXPECT_EQ(event.message_id, at_limit);
  // The limit counts characters, not bytes.
  std::string accented;
  for (int i = 0; i < 100; ++i) accented += "\xc3\xa9";
  event =
      Accepted(EventType::kTrack, R"({"userId":"u","event":"E","messageId":")" + accented + "\"}");
  EXPECT_EQ(event.message_id, accented);

  Status status =
      Rejected(EventType::kTrack, R"({"userId":"u","event":"E","messageId":")" + at_limit + "m\"}");
  EXPECT_EQ(status.field(), "messageId");
  EXPECT_NE(status.message().find("100"), std::string::npos) << status.message();
}

TEST(SegmentSingleTest, WritesNumericIdsAsDecimalText) {
  Event event = Accepted(EventType::kGroup,
                         R"({"userId":12345,"anonymousId":-7,"groupId":18446744073709551615})");
  EXPECT_EQ(event.user_id, "12345");
  EXPECT_EQ(event.anonymous_id, "-7");
  EXPECT_EQ(event.group_id, "18446744073709551615");
  event = Accepted(EventType::kAlias, R"({"userId":1.5,"previousId":1e3})");
  EXPECT_EQ(event.user_id, "1.5");
  EXPECT_EQ(event.previous_id, "1000");
}

TEST(SegmentSingleTest, PageAndScreenNamesAreTheEventName) {
  Event page = Accepted(EventType::kPage,
                        R"({"anonymousId":"a","name":"Pricing","properties":{"url":"https://x"}})");
  EXPECT_EQ(page.type, EventType::kPage);
  EXPECT_EQ(page.event, "Pricing");
  EXPECT_EQ(Describe(page.properties), (PropertyMap{{"url", "s:https://x"}}));
  Event screen = Accepted(EventType::kScreen, R"({"anonymousId":"a"})");
  EXPECT_EQ(screen.event, "");
}

TEST(SegmentSingleTest, IdentifyFlattensTraitsAndKeepsContextTraitsInContext) {
  Event event = Accepted(EventType::kIdentify,
                         R"({"userId":"u","traits":{"firstName":"Ada","address":{"city":"Paris"}},)"
                         R"("properties":{"ignored":1},)"
                         R"("context":{"traits":{"plan":"pro"},"userAgent":"UA"}})");
  EXPECT_EQ(Describe(event.traits),
            (PropertyMap{{"first_name", "s:Ada"}, {"address_city", "s:Paris"}}));
  EXPECT_TRUE(event.properties.empty());
  EXPECT_EQ(Describe(event.context),
            (PropertyMap{{"traits_plan", "s:pro"}, {"user_agent", "s:UA"}}));
}

TEST(SegmentSingleTest, AliasAndGroupFields) {
  Event alias = Accepted(EventType::kAlias, R"({"userId":"new","previousId":"old"})");
  EXPECT_EQ(alias.previous_id, "old");
  Event group = Accepted(EventType::kGroup,
                         R"({"anonymousId":"a","groupId":"g1","traits":{"Company Name":"ACME"}})");
  EXPECT_EQ(group.group_id, "g1");
  EXPECT_EQ(Describe(group.traits), (PropertyMap{{"company_name", "s:ACME"}}));
}

TEST(SegmentSingleTest, CorrectsClockSkewWithSentAt) {
  // Received 12:00:10; the client says it sent at 12:00:05 an event of 12:00:00.
  Event event =
      Accepted(EventType::kTrack, R"({"userId":"u","event":"E","timestamp":"2024-05-01T12:00:00Z",)"
                                  R"("sentAt":"2024-05-01T12:00:05Z"})");
  EXPECT_EQ(event.timestamp, *ParseIso8601("2024-05-01T12:00:05Z"));
  EXPECT_EQ(event.original_timestamp, *ParseIso8601("2024-05-01T12:00:00Z"));
  EXPECT_EQ(event.sent_at, *ParseIso8601("2024-05-01T12:00:05Z"));
  EXPECT_EQ(event.received_at, kReceived);

  // A client clock two hours ahead, in another zone.
  event = Accepted(EventType::kTrack,
                   R"({"userId":"u","event":"E","timestamp":"2024-05-01T15:59:00+02:00",)"
                   R"("sentAt":"2024-05-01T16:00:00.250+02:00"})");
  EXPECT_EQ(event.timestamp, *ParseIso8601("2024-05-01T11:59:09.750Z"));
}

TEST(SegmentSingleTest, TimestampFallbacks) {
  // No sentAt: the client's timestamp as is.
  Event event = Accepted(EventType::kTrack,
                         R"({"userId":"u","event":"E","timestamp":"2024-05-01T09:00:00Z"})");
  EXPECT_EQ(event.timestamp, *ParseIso8601("2024-05-01T09:00:00Z"));
  // originalTimestamp stands in for a missing timestamp...
  event = Accepted(EventType::kTrack,
                   R"({"userId":"u","event":"E","originalTimestamp":"2024-05-01T12:00:00Z",)"
                   R"("sentAt":"2024-05-01T12:00:01Z"})");
  EXPECT_EQ(event.original_timestamp, *ParseIso8601("2024-05-01T12:00:00Z"));
  EXPECT_EQ(event.timestamp, *ParseIso8601("2024-05-01T12:00:09Z"));
  // ...but timestamp wins when both are given.
  event = Accepted(EventType::kTrack,
                   R"({"userId":"u","event":"E","originalTimestamp":"2024-05-01T11:00:00Z",)"
                   R"("timestamp":"2024-05-01T10:00:00Z"})");
  EXPECT_EQ(event.original_timestamp, *ParseIso8601("2024-05-01T10:00:00Z"));
  EXPECT_EQ(event.timestamp, *ParseIso8601("2024-05-01T10:00:00Z"));
  // sentAt alone: received_at, sentAt kept.
  event =
      Accepted(EventType::kTrack, R"({"userId":"u","event":"E","sentAt":"2024-05-01T12:00:00Z"})");
  EXPECT_EQ(event.timestamp, kReceived);
  EXPECT_EQ(event.sent_at, *ParseIso8601("2024-05-01T12:00:00Z"));
}

TEST(SegmentSingleTest, FlattensPropertiesAndContext) {
  Event event = Accepted(
      EventType::kTrack,
      R"({"userId":"u","event":"Order Completed","properties":{"orderID":"o1","total":12.5,)"
      R"("products":[{"sku":"a"}],"coupon":null,"shippedAt":"2024-05-01T10:00:00.000Z"},)"
      R"("context":{"ip":"1.2.3.4","page":{"url":"https://x/y","referrer":""}}})");
  EXPECT_EQ(Describe(event.properties),
            (PropertyMap{{"order_id", "s:o1"},
                         {"total", "n:12.5"},
                         {"products", R"(s:[{"sku":"a"}])"},
                         {"coupon", "null"},
                         {"shipped_at", "t:2024-05-01T10:00:00.000Z"}}));
  EXPECT_EQ(
      Describe(event.context),
      (PropertyMap{{"ip", "s:1.2.3.4"}, {"page_url", "s:https://x/y"}, {"page_referrer", "s:"}}));
}

TEST(SegmentSingleTest, EnforcesMaxEventBytesOnTheBody) {
  ParseLimits limits;
  std::string body = R"({"userId":"u","event":"E","properties":{"pad":")";
  body += std::string(200 - body.size() - 3, 'x') + "\"}}";
  ASSERT_EQ(body.size(), 200u);
  limits.max_event_bytes = 200;
  Result<ParsedRequest> parsed =
      ParseSegmentRequest("\n " + body + " \n", EventType::kTrack, limits, kReceived);
  ASSERT_TRUE(parsed.ok());
  EXPECT_EQ(parsed->events.size(), 1u);  // surrounding whitespace does not count

  limits.max_event_bytes = 199;
  Status status = Rejected(EventType::kTrack, body, limits);
  EXPECT_EQ(status.code(), ErrorCode::kPayloadTooLarge);
  EXPECT_EQ(status.field(), "");
  EXPECT_NE(status.message().find("199"), std::string::npos) << status.message();
}

}  // namespace
}  // namespace cdp::ingest
