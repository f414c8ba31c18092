#include "meta/sqlite/sqlite_identity_json.h"

#include <gtest/gtest.h>

#include <string>
#include <vector>

#include "meta/sqlite/sqlite_profile_row.h"
#include "model/person_map.h"

namespace cdp {
namespace {

TEST(SqliteIdentityJsonTest, StringArraysRoundTripEveryByte) {
  const std::vector<std::vector<std::string>> cases = {
      {},
      {""},
      {"a", "b"},
      {"quote\"back\\slash", "new\nline\ttab\r", std::string("nul\0byte", 8), "\x01\x1f"},
      {"caf\xC3\xA9", "bad utf-8 \xFF\xFE", "emoji \xF0\x9F\x98\x80"},
  };
  for (const auto& items : cases) {
    const std::string json = JsonStringArray(items);
    auto parsed = ParseJsonStringArray(json, "test");
    ASSERT_TRUE(parsed.ok()) << json;
    EXPECT_EQ(*parsed, items) << json;
  }
  EXPECT_EQ(JsonStringArray({"a\"b", "\x02"}), R"(["a\"b","\u0002"])");
}

TEST(SqliteIdentityJsonTest, ParsesWhatOtherWritersWrite) {
  auto parsed =
      ParseJsonStringArray(R"( [ "a" , "\u00e9\/\b\f" ,"\ud83d\ude00", "\ud800x" ] )", "t");
  ASSERT_TRUE(parsed.ok());
  EXPECT_EQ(*parsed,
            (std::vector<std::string>{"a", "\xC3\xA9/\b\f", "\xF0\x9F\x98\x80", "\xEF\xBF\xBDx"}));
  for (const char* broken : {"", "[", "[\"a\"", "[\"a\",]", "[1]", "{}", "[\"a\"] x", "[\"\\x\"]",
                             "[\"a\nb\"]", "[\"\\u12\"]"}) {
    auto result = ParseJsonStringArray(broken, "profiles.user_ids");
    ASSERT_FALSE(result.ok()) << broken;
    EXPECT_EQ(result.status().code(), ErrorCode::kInternal);
    EXPECT_NE(result.status().cause().find("profiles.user_ids"), std::string::npos);
  }
}

TEST(SqliteIdentityJsonTest, ClassifiesScalars) {
  EXPECT_EQ(ClassifyJsonScalar("\"pro\""), JsonScalarKind::kString);
  EXPECT_EQ(ClassifyJsonScalar(" \"a\\\"b\" "), JsonScalarKind::kString);
  for (const char* number : {"0", "-1", "3.25", "1e9", "-0.5E-3", "12"}) {
    EXPECT_EQ(ClassifyJsonScalar(number), JsonScalarKind::kNumber) << number;
  }
  EXPECT_EQ(ClassifyJsonScalar("true"), JsonScalarKind::kBoolean);
  EXPECT_EQ(ClassifyJsonScalar("false"), JsonScalarKind::kBoolean);
  EXPECT_EQ(ClassifyJsonScalar("null"), JsonScalarKind::kNull);
  for (const char* other : {"", " ", "pro", "01", "1.", ".5", "+1", "1e", "tru", "truex", "[1]",
                            "{}", "\"a", "1 2", "NaN"}) {
    EXPECT_FALSE(ClassifyJsonScalar(other).has_value()) << other;
  }
  EXPECT_EQ(DecodeJsonString(" \"a\\nb\" "), "a\nb");
  EXPECT_FALSE(DecodeJsonString("3").has_value());
}

TEST(SqliteProfileRowTest, BuildsStatsListsTraitsAndSearchText) {
  std::vector<IdentityMemberRow> members = {
      {"anon-B", false, 2, 300, 900},
      {"User@X.com", true, 5, 100, 500},
      {"anon-A", false, 0, std::nullopt, std::nullopt},
      {"anon-C", false, 1, 300, 300},
      {"u2", true, 1, 50, 60},
  };
  const std::vector<IdentityTraitRow> traits = {
      {"plan", false, "\"Free\"", 10, 1}, {"plan", false, "\"Pro\"", 20, 2},
      {"plan", true, "\"Trial\"", 5, 3},  {"age", true, "41", 9, 4},
      {"age", true, "40", 9, 5},  // a tie: the first write stays
      {"vip", false, "true", 7, 6},       {"vip", false, "false", 7, 7},  // a tie: the later wins
      {"gone", false, "null", 1, 8},      {"na\"me", true, "2.5", 1, 9},
  };
  const ProfileRow row = BuildProfileRow("anon-A", members, traits);
  EXPECT_EQ(row.person, "anon-A");
  EXPECT_EQ(row.person_key, static_cast<int64_t>(PersonKeyOf("anon-A")));
  EXPECT_EQ(row.event_count, 9);
  EXPECT_EQ(row.first_seen, 50);
  EXPECT_EQ(row.last_seen, 900);
  EXPECT_EQ(row.user_ids_json, R"(["u2","User@X.com"])");
  // Equal first_seen: by id; no events: last.
  EXPECT_EQ(row.anonymous_ids_json, R"(["anon-B","anon-C","anon-A"])");
  EXPECT_EQ(row.traits_json, R"({"age":41,"gone":null,"na\"me":2.5,"plan":"Pro","vip":false})");
  EXPECT_EQ(row.search_text, "u2\nuser@x.com\nanon-b\nanon-c\nanon-a\n41\n2.5\npro\nfalse");
}

TEST(SqliteProfileRowTest, APersonWithoutEventsHasZeroTimes) {
  const ProfileRow row = BuildProfileRow("a", {{"a", false, 0, std::nullopt, std::nullopt}}, {});
  EXPECT_EQ(row.event_count, 0);
  EXPECT_EQ(row.first_seen, 0);
  EXPECT_EQ(row.last_seen, 0);
  EXPECT_EQ(row.traits_json, "{}");
  EXPECT_EQ(row.user_ids_json, "[]");
  EXPECT_EQ(row.anonymous_ids_json, R"(["a"])");
  EXPECT_EQ(row.search_text, "a");
}

}  // namespace
}  // namespace cdp
