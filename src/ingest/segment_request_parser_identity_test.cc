// ParseSegmentRequest and identity stitching: identify and alias refuse ids
// that would link unrelated people (linkable_id.h); the other types keep
// them; context.merge_dangerously reaches the event.
#include <fmt/format.h>
#include <gtest/gtest.h>

#include <random>
#include <string>
#include <vector>

#include "core/iso8601.h"
#include "ingest/linkable_id_test_values.h"
#include "ingest/property_test_util.h"
#include "ingest/request_parser.h"

namespace cdp::ingest {
namespace {

using testing::IsRefusedByContract;
using testing::Json;
using testing::kLookAlikeIds;
using testing::RefusedIds;

const TimePoint kReceived = *ParseIso8601("2024-05-01T12:00:10Z");

ParsedRequest Parse(std::optional<EventType> type, std::string_view body) {
  Result<ParsedRequest> parsed = ParseSegmentRequest(body, type, {}, kReceived);
  EXPECT_TRUE(parsed.ok()) << parsed.status().ToString();
  return parsed.ok() ? std::move(parsed).value() : ParsedRequest{};
}

// One Segment message with the given members (already JSON).
std::string Message(const std::vector<std::pair<std::string, std::string>>& members) {
  std::string body = "{";
  for (const auto& [key, value] : members) {
    if (body.size() > 1) body += ",";
    body += Json(key) + ":" + value;
  }
  return body + "}";
}

// The link fields of each linking type, with a legal value for each.
struct LinkFields {
  EventType type;
  std::vector<std::pair<std::string, std::string>> fields;  // name, legal JSON value
};
const LinkFields kLinking[] = {
    {EventType::kIdentify, {{"userId", "\"u1\""}, {"anonymousId", "\"a1\""}}},
    {EventType::kAlias, {{"userId", "\"u1\""}, {"previousId", "\"p1\""}}},
};

// `fields` with `field`'s value replaced by `value`.
std::string WithField(const LinkFields& link, const std::string& field, const std::string& value) {
  std::vector<std::pair<std::string, std::string>> members;
  for (const auto& [name, legal] : link.fields)
    members.emplace_back(name, name == field ? value : legal);
  return Message(members);
}

TEST(SegmentIdentityTest, IdentifyAndAliasRefuseEveryPlaceholderInEveryLinkField) {
  for (const LinkFields& link : kLinking) {
    for (const auto& [field, legal] : link.fields) {
      for (const std::string& id : RefusedIds()) {
        const std::string body = WithField(link, field, Json(id));
        ParsedRequest parsed = Parse(link.type, body);
        EXPECT_TRUE(parsed.events.empty()) << body;
        ASSERT_EQ(parsed.rejected.size(), 1u) << body;
        const Status& status = parsed.rejected[0].status;
        EXPECT_EQ(status.code(), ErrorCode::kBadRequest) << body;
        EXPECT_EQ(status.field(), field) << body;
        EXPECT_TRUE(status.message().starts_with(field + " \"")) << status.message();
        EXPECT_NE(status.message().find("is not a usable id"), std::string::npos)
            << status.message();
      }
    }
  }
}

TEST(SegmentIdentityTest, TheMessageNamesTheFieldTheValueAndTheRule) {
  ParsedRequest parsed = Parse(EventType::kIdentify, R"({"userId":"null","anonymousId":"a1"})");
  ASSERT_EQ(parsed.rejected.size(), 1u);
  EXPECT_EQ(parsed.rejected[0].status.message(),
            "userId \"null\" is not a usable id: placeholder values would merge unrelated people");
  parsed = Parse(EventType::kAlias, R"({"userId":"u1","previousId":"  "})");
  ASSERT_EQ(parsed.rejected.size(), 1u);
  EXPECT_EQ(parsed.rejected[0].status.message(),
            "previousId \"  \" is not a usable id: blank values would merge unrelated people");
}

TEST(SegmentIdentityTest, ANumericZeroIdIsThePlaceholderZero) {
  ParsedRequest parsed = Parse(EventType::kIdentify, R"({"userId":0,"anonymousId":"a1"})");
  ASSERT_EQ(parsed.rejected.size(), 1u);
  EXPECT_EQ(parsed.rejected[0].status.field(), "userId");
  parsed = Parse(EventType::kAlias, R"({"userId":"u1","previousId":0.0})");
  ASSERT_EQ(parsed.rejected.size(), 1u);
  EXPECT_EQ(parsed.rejected[0].status.field(), "previousId");
}

TEST(SegmentIdentityTest, LookAlikeIdsAreAcceptedUnchangedInEveryLinkField) {
  for (const LinkFields& link : kLinking) {
    for (const auto& [field, legal] : link.fields) {
      for (const std::string& id : kLookAlikeIds) {
        const std::string body = WithField(link, field, Json(id));
        ParsedRequest parsed = Parse(link.type, body);
        ASSERT_EQ(parsed.events.size(), 1u) << body;
        const Event& event = parsed.events[0];
        const std::string& stored = field == "userId"        ? event.user_id
                                    : field == "anonymousId" ? event.anonymous_id
                                                             : event.previous_id;
        EXPECT_EQ(stored, id) << body;
      }
    }
  }
}

TEST(SegmentIdentityTest, AnIdentifyWithOnlyOneIdIsAccepted) {
  ParsedRequest parsed = Parse(EventType::kIdentify, R"({"userId":"u1","traits":{"plan":"pro"}})");
  ASSERT_EQ(parsed.events.size(), 1u);
  EXPECT_EQ(parsed.events[0].anonymous_id, "");
  EXPECT_EQ(Describe(parsed.events[0].traits), (PropertyMap{{"plan", "s:pro"}}));
  parsed = Parse(EventType::kIdentify, R"({"anonymousId":"a1","userId":null})");
  ASSERT_EQ(parsed.events.size(), 1u);
  EXPECT_EQ(parsed.events[0].user_id, "");
  parsed = Parse(EventType::kIdentify, R"({"anonymousId":"a1","userId":""})");
  ASSERT_EQ(parsed.events.size(), 1u);
  // An empty previousId is missing, not a placeholder.
  parsed = Parse(EventType::kAlias, R"({"userId":"u1","previousId":""})");
  ASSERT_EQ(parsed.rejected.size(), 1u);
  EXPECT_EQ(parsed.rejected[0].status.message(), "previousId is required");
}

TEST(SegmentIdentityTest, TypesThatLinkNothingKeepPlaceholderIds) {
  const struct {
    EventType type;
    const char* body;
  } kCases[] = {
      {EventType::kTrack, R"({"userId":"null","anonymousId":"anonymous","event":"E"})"},
      {EventType::kPage, R"({"userId":"undefined","anonymousId":"0"})"},
      {EventType::kScreen, R"({"userId":" ","anonymousId":"guest"})"},
      {EventType::kGroup, R"({"userId":"[object Object]","anonymousId":"none","groupId":"g"})"},
      // An alias links previousId to userId; its anonymousId is not linked.
      {EventType::kAlias, R"({"userId":"u1","previousId":"p1","anonymousId":"null"})"},
  };
  for (const auto& c : kCases) {
    ParsedRequest parsed = Parse(c.type, c.body);
    ASSERT_EQ(parsed.events.size(), 1u) << c.body;
  }
  ParsedRequest parsed = Parse(EventType::kTrack, kCases[0].body);
  EXPECT_EQ(parsed.events.at(0).user_id, "null");
  EXPECT_EQ(parsed.events.at(0).anonymous_id, "anonymous");
  parsed = Parse(EventType::kScreen, kCases[2].body);
  EXPECT_EQ(parsed.events.at(0).user_id, " ");
}

TEST(SegmentIdentityTest, ABatchNamesTheRefusedItemsFieldsAndKeepsTheOthers) {
  ParsedRequest parsed = Parse(std::nullopt, R"({"batch":[
      {"type":"identify","userId":"u1","anonymousId":"a1"},
      {"type":"track","userId":"null","event":"E"},
      {"type":"alias","userId":"u2","previousId":"undefined"},
      {"type":"identify","userId":"NULL","anonymousId":"a3"},
      {"type":"identify","userId":"u4","anonymousId":" guest "},
      {"type":"alias","userId":"0","previousId":"p5"},
      {"type":"alias","userId":"u6","previousId":"nullable"}]})");
  EXPECT_EQ(parsed.event_indexes, (std::vector<size_t>{0, 1, 6}));
  ASSERT_EQ(parsed.rejected.size(), 4u);
  const std::vector<std::pair<size_t, std::string>> expected = {{2, "batch[2].previousId"},
                                                                {3, "batch[3].userId"},
                                                                {4, "batch[4].anonymousId"},
                                                                {5, "batch[5].userId"}};
  for (size_t i = 0; i < expected.size(); ++i) {
    EXPECT_EQ(parsed.rejected[i].index, expected[i].first);
    EXPECT_EQ(parsed.rejected[i].status.code(), ErrorCode::kBadRequest);
    EXPECT_EQ(parsed.rejected[i].status.field(), expected[i].second);
  }
  // The message keeps the field as the item has it; the path says which item.
  EXPECT_EQ(parsed.rejected[1].status.message(),
            "userId \"NULL\" is not a usable id: placeholder values would merge unrelated people");
}

// Random batches against the reference rule: an identify or alias is refused
// at its first placeholder link field (in the order the fields are read);
// every other item is accepted with its ids as sent.
TEST(SegmentIdentityTest, RandomBatchesMatchTheReferenceRule) {
  std::mt19937 random(20261125);
  const std::vector<std::string> refused = RefusedIds();
  const auto pick_id = [&]() -> std::string {
    switch (random() % 3) {
      case 0:
        return refused[random() % refused.size()];
      case 1:
        return kLookAlikeIds[random() % kLookAlikeIds.size()];
      default:
        return fmt::format("id{}", random() % 50);
    }
  };
  const char* kTypes[] = {"track", "identify", "page", "screen", "group", "alias"};
  for (int round = 0; round < 20; ++round) {
    struct Item {
      std::string type, user_id, anonymous_id, previous_id;
    };
    std::vector<Item> items(1 + random() % 60);
    std::string body = R"({"batch":[)";
    for (size_t i = 0; i < items.size(); ++i) {
      Item& item = items[i];
      item.type = kTypes[random() % 6];
      // At least one of userId and anonymousId; alias needs userId.
      const unsigned which = random() % 3;
      if (which != 1 || item.type == "alias") item.user_id = pick_id();
      if (which != 0) item.anonymous_id = pick_id();
      std::vector<std::pair<std::string, std::string>> members = {{"type", Json(item.type)}};
      if (!item.user_id.empty()) members.emplace_back("userId", Json(item.user_id));
      if (!item.anonymous_id.empty()) members.emplace_back("anonymousId", Json(item.anonymous_id));
      if (item.type == "alias") {
        item.previous_id = pick_id();
        members.emplace_back("previousId", Json(item.previous_id));
      }
      if (item.type == "track") members.emplace_back("event", "\"E\"");
      if (item.type == "group") members.emplace_back("groupId", "\"g\"");
      body += (i > 0 ? "," : "") + Message(members);
    }
    body += "]}";

    std::vector<size_t> accepted;
    std::vector<std::string> refused_fields;
    for (size_t i = 0; i < items.size(); ++i) {
      const Item& item = items[i];
      std::vector<std::pair<std::string, std::string>> linked;
      if (item.type == "identify") {
        linked = {{"userId", item.user_id}, {"anonymousId", item.anonymous_id}};
      } else if (item.type == "alias") {
        linked = {{"userId", item.user_id}, {"previousId", item.previous_id}};
      }
      std::string field;
      for (const auto& [name, id] : linked) {
        if (!id.empty() && IsRefusedByContract(id)) {
          field = name;
          break;
        }
      }
      if (field.empty()) {
        accepted.push_back(i);
      } else {
        refused_fields.push_back(fmt::format("batch[{}].{}", i, field));
      }
    }

    ParsedRequest parsed = Parse(std::nullopt, body);
    ASSERT_EQ(parsed.event_indexes, accepted) << body;
    std::vector<std::string> fields;
    for (const RejectedItem& item : parsed.rejected) fields.push_back(item.status.field());
    ASSERT_EQ(fields, refused_fields) << body;
    for (size_t i = 0; i < accepted.size(); ++i) {
      const Item& item = items[accepted[i]];
      EXPECT_EQ(parsed.events[i].user_id, item.user_id);
      EXPECT_EQ(parsed.events[i].anonymous_id, item.anonymous_id);
      EXPECT_EQ(parsed.events[i].previous_id, item.previous_id);
    }
  }
}

TEST(SegmentIdentityTest, ContextMergeDangerouslyArrivesAsABooleanContextProperty) {
  for (const EventType type : {EventType::kIdentify, EventType::kAlias}) {
    ParsedRequest parsed = Parse(type, R"({"userId":"u1","anonymousId":"a1","previousId":"p1",)"
                                       R"("context":{"merge_dangerously":true,"ip":"1.2.3.4"}})");
    ASSERT_EQ(parsed.events.size(), 1u);
    EXPECT_EQ(Describe(parsed.events[0].context),
              (PropertyMap{{"merge_dangerously", "b:true"}, {"ip", "s:1.2.3.4"}}));
    const Property& flag = parsed.events[0].context.at(0);
    EXPECT_EQ(flag.name, "merge_dangerously");
    ASSERT_TRUE(std::holds_alternative<bool>(flag.value));
    EXPECT_TRUE(std::get<bool>(flag.value));
  }
  // A batch's context reaches every item, under the item's own.
  ParsedRequest parsed = Parse(std::nullopt, R"({"context":{"merge_dangerously":true},"batch":[
      {"type":"alias","userId":"u1","previousId":"p1"},
      {"type":"alias","userId":"u2","previousId":"p2","context":{"merge_dangerously":false}}]})");
  ASSERT_EQ(parsed.events.size(), 2u);
  EXPECT_EQ(Describe(parsed.events[0].context), (PropertyMap{{"merge_dangerously", "b:true"}}));
  EXPECT_EQ(Describe(parsed.events[1].context), (PropertyMap{{"merge_dangerously", "b:false"}}));
}

}  // namespace
}  // namespace cdp::ingest
