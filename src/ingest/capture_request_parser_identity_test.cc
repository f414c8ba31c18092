// ParseCaptureRequest and identity stitching: $identify, $create_alias and
// $merge_dangerously refuse ids that would link unrelated people
// (linkable_id.h); other events keep them; $merge_dangerously is an alias
// flagged in its context.
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

ParsedRequest Parse(std::string_view body) {
  Result<ParsedRequest> parsed = ParseCaptureRequest(body, {}, kReceived);
  EXPECT_TRUE(parsed.ok()) << parsed.status().ToString();
  return parsed.ok() ? std::move(parsed).value() : ParsedRequest{};
}

// One capture event: its name, its top-level distinct_id (JSON, or empty for
// none) and its properties (a JSON object's members, without braces).
std::string Capture(std::string_view event, std::string_view distinct_id,
                    std::string_view properties = "") {
  std::string body = "{\"event\":" + Json(event);
  if (!distinct_id.empty()) body += fmt::format(",\"distinct_id\":{}", distinct_id);
  return body + fmt::format(",\"properties\":{{{}}}}}", properties);
}

// Every way a linking event carries a placeholder, and the field it names.
struct LinkCase {
  std::string body;
  std::string field;
};
std::vector<LinkCase> LinkCases(const std::string& id) {
  const std::string value = Json(id);
  std::vector<LinkCase> cases = {
      {Capture("$identify", value, R"("$anon_distinct_id":"a1")"), "distinct_id"},
      {Capture("$identify", "", R"("distinct_id":)" + value), "properties.distinct_id"},
      {Capture("$identify", R"("u1")", R"("$anon_distinct_id":)" + value),
       "properties.$anon_distinct_id"},
  };
  for (const char* alias_event : {"$create_alias", "$merge_dangerously"}) {
    cases.push_back({Capture(alias_event, value, R"("alias":"p1")"), "distinct_id"});
    cases.push_back({Capture(alias_event, "", R"("alias":"p1","distinct_id":)" + value),
                     "properties.distinct_id"});
    cases.push_back({Capture(alias_event, R"("u1")", R"("alias":)" + value), "properties.alias"});
  }
  return cases;
}

TEST(CaptureIdentityTest, LinkingEventsRefuseEveryPlaceholderInEveryLinkField) {
  for (const std::string& id : RefusedIds()) {
    for (const LinkCase& c : LinkCases(id)) {
      ParsedRequest parsed = Parse(c.body);
      EXPECT_TRUE(parsed.events.empty()) << c.body;
      ASSERT_EQ(parsed.rejected.size(), 1u) << c.body;
      const Status& status = parsed.rejected[0].status;
      EXPECT_EQ(status.code(), ErrorCode::kBadRequest) << c.body;
      EXPECT_EQ(status.field(), c.field) << c.body;
      EXPECT_TRUE(status.message().starts_with(c.field + " \"")) << status.message();
      EXPECT_NE(status.message().find("is not a usable id"), std::string::npos) << status.message();
    }
  }
}

TEST(CaptureIdentityTest, TheMessageNamesTheFieldTheValueAndTheRule) {
  ParsedRequest parsed = Parse(Capture("$identify", R"("u1")", R"("$anon_distinct_id":"guest")"));
  ASSERT_EQ(parsed.rejected.size(), 1u);
  EXPECT_EQ(parsed.rejected[0].status.message(),
            "properties.$anon_distinct_id \"guest\" is not a usable id: placeholder values would "
            "merge unrelated people");
  // A numeric 0 is the placeholder "0".
  parsed = Parse(Capture("$create_alias", "0", R"("alias":"p1")"));
  ASSERT_EQ(parsed.rejected.size(), 1u);
  EXPECT_EQ(
      parsed.rejected[0].status.message(),
      "distinct_id \"0\" is not a usable id: placeholder values would merge unrelated people");
}

TEST(CaptureIdentityTest, LookAlikeIdsAreAcceptedUnchanged) {
  for (const std::string& id : kLookAlikeIds) {
    const std::string value = Json(id);
    ParsedRequest parsed = Parse(Capture("$identify", value, R"("$anon_distinct_id":)" + value));
    ASSERT_EQ(parsed.events.size(), 1u) << value;
    EXPECT_EQ(parsed.events[0].user_id, id);
    EXPECT_EQ(parsed.events[0].anonymous_id, id);
    for (const char* alias_event : {"$create_alias", "$merge_dangerously"}) {
      parsed = Parse(Capture(alias_event, value, R"("alias":)" + value));
      ASSERT_EQ(parsed.events.size(), 1u) << value;
      EXPECT_EQ(parsed.events[0].user_id, id);
      EXPECT_EQ(parsed.events[0].previous_id, id);
    }
  }
}

TEST(CaptureIdentityTest, AnIdentifyWithoutAnonymousIdIsAccepted) {
  ParsedRequest parsed = Parse(R"({"event":"$identify","distinct_id":"u1","$set":{"plan":"pro"}})");
  ASSERT_EQ(parsed.events.size(), 1u);
  EXPECT_EQ(parsed.events[0].anonymous_id, "");
  EXPECT_EQ(Describe(parsed.events[0].traits), (PropertyMap{{"plan", "s:pro"}}));
  // An empty $anon_distinct_id is not given.
  parsed = Parse(Capture("$identify", R"("u1")", R"("$anon_distinct_id":"")"));
  ASSERT_EQ(parsed.events.size(), 1u);
  EXPECT_EQ(parsed.events[0].anonymous_id, "");
}

TEST(CaptureIdentityTest, EventsThatLinkNothingKeepPlaceholderIds) {
  for (const char* event : {"clicked", "$pageview", "$screen", "$autocapture", "$set"}) {
    for (const char* id : {"null", "anonymous", " ", "0", "[object Object]"}) {
      ParsedRequest parsed = Parse(Capture(event, Json(id)));
      ASSERT_EQ(parsed.events.size(), 1u) << event << " " << id;
      EXPECT_EQ(parsed.events[0].anonymous_id, id);
    }
  }
  // properties.alias means nothing to an $identify.
  ParsedRequest parsed = Parse(Capture("$identify", R"("u1")", R"("alias":"null")"));
  ASSERT_EQ(parsed.events.size(), 1u);
}

TEST(CaptureIdentityTest, MergeDangerouslyIsAnAliasFlaggedInItsContext) {
  ParsedRequest parsed =
      Parse(R"({"event":"$merge_dangerously","distinct_id":"user-2","uuid":"m1",)"
            R"("properties":{"alias":"user-1","$lib":"web"}})");
  ASSERT_EQ(parsed.events.size(), 1u);
  const Event& event = parsed.events[0];
  EXPECT_EQ(event.type, EventType::kAlias);
  EXPECT_EQ(event.user_id, "user-2");
  EXPECT_EQ(event.previous_id, "user-1");
  EXPECT_EQ(event.anonymous_id, "");
  EXPECT_EQ(event.event, "");
  EXPECT_EQ(event.message_id, "m1");
  ASSERT_EQ(event.context.size(), 1u);
  EXPECT_EQ(event.context[0].name, "merge_dangerously");
  ASSERT_TRUE(std::holds_alternative<bool>(event.context[0].value));
  EXPECT_TRUE(std::get<bool>(event.context[0].value));
  EXPECT_FALSE(event.context[0].timestamp.has_value());
  EXPECT_EQ(Describe(event.properties), (PropertyMap{{"alias", "s:user-1"}, {"lib", "s:web"}}));

  // $create_alias is the same link without the flag.
  parsed = Parse(Capture("$create_alias", R"("user-2")", R"("alias":"user-1")"));
  ASSERT_EQ(parsed.events.size(), 1u);
  EXPECT_EQ(parsed.events[0].type, EventType::kAlias);
  EXPECT_TRUE(parsed.events[0].context.empty());
}

TEST(CaptureIdentityTest, MergeDangerouslyNeedsPropertiesAlias) {
  for (const std::string& body : {Capture("$merge_dangerously", R"("u1")"),
                                  Capture("$merge_dangerously", R"("u1")", R"("alias":"")"),
                                  Capture("$merge_dangerously", R"("u1")", R"("alias":null)")}) {
    ParsedRequest parsed = Parse(body);
    ASSERT_EQ(parsed.rejected.size(), 1u) << body;
    EXPECT_EQ(parsed.rejected[0].status.field(), "properties.alias");
    EXPECT_EQ(parsed.rejected[0].status.message(), "$merge_dangerously requires properties.alias");
  }
  ParsedRequest parsed = Parse(Capture("$merge_dangerously", R"("u1")", R"("alias":[1])"));
  ASSERT_EQ(parsed.rejected.size(), 1u);
  EXPECT_EQ(parsed.rejected[0].status.field(), "properties.alias");
  parsed = Parse(R"({"event":"$merge_dangerously","properties":{"alias":"p"}})");
  ASSERT_EQ(parsed.rejected.size(), 1u);
  EXPECT_EQ(parsed.rejected[0].status.field(), "distinct_id");
}

TEST(CaptureIdentityTest, ABatchNamesTheRefusedItemsFieldsAndKeepsTheOthers) {
  ParsedRequest parsed = Parse(R"({"api_key":"k","batch":[
      {"event":"$identify","distinct_id":"u0","properties":{"$anon_distinct_id":"a0"}},
      {"event":"$pageview","distinct_id":"undefined"},
      {"event":"$create_alias","distinct_id":"u2","properties":{"alias":"anonymous"}},
      {"event":"$merge_dangerously","distinct_id":"null","properties":{"alias":"p3"}},
      {"event":"$identify","distinct_id":"u4","properties":{"$anon_distinct_id":"\t"}},
      {"event":"$merge_dangerously","distinct_id":"u5","properties":{"alias":"p5"}},
      {"event":"$identify","properties":{"distinct_id":"None"}}]})");
  EXPECT_EQ(parsed.event_indexes, (std::vector<size_t>{0, 1, 5}));
  const std::vector<std::pair<size_t, std::string>> expected = {
      {2, "batch[2].properties.alias"},
      {3, "batch[3].distinct_id"},
      {4, "batch[4].properties.$anon_distinct_id"},
      {6, "batch[6].properties.distinct_id"}};
  ASSERT_EQ(parsed.rejected.size(), expected.size());
  for (size_t i = 0; i < expected.size(); ++i) {
    EXPECT_EQ(parsed.rejected[i].index, expected[i].first);
    EXPECT_EQ(parsed.rejected[i].status.code(), ErrorCode::kBadRequest);
    EXPECT_EQ(parsed.rejected[i].status.field(), expected[i].second);
  }
  EXPECT_EQ(Describe(parsed.events.at(2).context), (PropertyMap{{"merge_dangerously", "b:true"}}));
}

// Random batches against the reference rule: a linking event is refused at
// its first placeholder link field (distinct_id, then the other id); every
// other event is accepted with its ids as sent.
TEST(CaptureIdentityTest, RandomBatchesMatchTheReferenceRule) {
  std::mt19937 random(1125);
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
  const char* kEvents[] = {"$identify", "$create_alias", "$merge_dangerously",
                           "$pageview", "$screen",       "bought"};
  for (int round = 0; round < 20; ++round) {
    struct Item {
      std::string event, distinct_id, other_id;  // other: $anon_distinct_id or alias
      bool in_properties = false;                // distinct_id inside properties
    };
    std::vector<Item> items(1 + random() % 60);
    std::string body = R"({"batch":[)";
    for (size_t i = 0; i < items.size(); ++i) {
      Item& item = items[i];
      item.event = kEvents[random() % 6];
      item.distinct_id = pick_id();
      item.in_properties = random() % 2 == 0;
      std::string properties;
      if (item.in_properties) properties = "\"distinct_id\":" + Json(item.distinct_id);
      const bool alias = item.event == "$create_alias" || item.event == "$merge_dangerously";
      if (alias || (item.event == "$identify" && random() % 2 == 0)) {
        item.other_id = pick_id();
        if (!properties.empty()) properties += ",";
        properties += Json(alias ? "alias" : "$anon_distinct_id") + ":" + Json(item.other_id);
      }
      body += (i > 0 ? "," : "") +
              Capture(item.event, item.in_properties ? "" : Json(item.distinct_id), properties);
    }
    body += "]}";

    std::vector<size_t> accepted;
    std::vector<std::string> refused_fields;
    for (size_t i = 0; i < items.size(); ++i) {
      const Item& item = items[i];
      std::string field;
      if (item.event == "$identify" || item.event == "$create_alias" ||
          item.event == "$merge_dangerously") {
        if (IsRefusedByContract(item.distinct_id)) {
          field = item.in_properties ? "properties.distinct_id" : "distinct_id";
        } else if (!item.other_id.empty() && IsRefusedByContract(item.other_id)) {
          field = item.event == "$identify" ? "properties.$anon_distinct_id" : "properties.alias";
        }
      }
      if (field.empty()) {
        accepted.push_back(i);
      } else {
        refused_fields.push_back(fmt::format("batch[{}].{}", i, field));
      }
    }

    ParsedRequest parsed = Parse(body);
    ASSERT_EQ(parsed.event_indexes, accepted) << body;
    std::vector<std::string> fields;
    for (const RejectedItem& item : parsed.rejected) fields.push_back(item.status.field());
    ASSERT_EQ(fields, refused_fields) << body;
    for (size_t i = 0; i < accepted.size(); ++i) {
      const Item& item = items[accepted[i]];
      const Event& event = parsed.events[i];
      if (item.event == "$identify") {
        EXPECT_EQ(event.user_id, item.distinct_id);
        EXPECT_EQ(event.anonymous_id, item.other_id);
      } else if (item.other_id.empty()) {
        EXPECT_EQ(event.anonymous_id, item.distinct_id);
      } else {
        EXPECT_EQ(event.user_id, item.distinct_id);
        EXPECT_EQ(event.previous_id, item.other_id);
      }
      EXPECT_EQ(event.context.size(), item.event == "$merge_dangerously" ? 1u : 0u);
    }
  }
}

}  // namespace
}  // namespace cdp::ingest
