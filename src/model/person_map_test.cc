#include "model/person_map.h"

#include <gtest/gtest.h>

#include <map>
#include <random>

namespace cdp {
namespace {

TEST(PersonKeyTest, EmptyIdHasNoPerson) {
  EXPECT_EQ(PersonKeyOf(""), 0u);
  EXPECT_NE(PersonKeyOf("a"), 0u);
  EXPECT_NE(PersonKeyOf("a"), PersonKeyOf("b"));
}

TEST(PersonKeyTest, UserIdIsTheAuthority) {
  EXPECT_EQ(ResolutionIdOf("anon", "user"), "user");
  EXPECT_EQ(ResolutionIdOf("anon", ""), "anon");
  EXPECT_EQ(ResolutionIdOf("", ""), "");
}

TEST(ProfileIdTest, RoundTrips) {
  for (const PersonKey key :
       {PersonKey{1}, PersonKey{0xDEADBEEF}, ~PersonKey{0}, PersonKeyOf("user-1")}) {
    const std::string id = ProfileIdOf(key);
    EXPECT_EQ(id.size(), 20u);
    EXPECT_EQ(ParseProfileId(id), key) << id;
  }
  EXPECT_EQ(ProfileIdOf(0xAB), "prs_00000000000000ab");
}

TEST(ProfileIdTest, RefusesOtherText) {
  for (const std::string_view text :
       {"", "prs_", "prs_00000000000000AB", "prs_000000000000000g", "usr_00000000000000ab",
        "prs_00000000000000ab0", "prs_0000000000000000"}) {
    EXPECT_EQ(ParseProfileId(text), std::nullopt) << text;
  }
}

TEST(PersonMapTest, UnlistedIdsAreTheirOwnPerson) {
  const PersonMap map;
  EXPECT_EQ(map.Resolve(42), 42u);
  EXPECT_EQ(map.Resolve(0), 0u);
  EXPECT_EQ(map.merged_ids(), 0u);
}

TEST(PersonMapTest, ChangesApplyInOrderAndUnmergeRestores) {
  const auto empty = std::make_shared<const PersonMap>();
  const std::vector<PersonMap::Change> merge = {{2, 1}, {3, 1}, {2, 5}};
  const auto merged = empty->With(merge);
  EXPECT_EQ(merged->Resolve(2), 5u);
  EXPECT_EQ(merged->Resolve(3), 1u);
  EXPECT_EQ(merged->merged_ids(), 2u);
  EXPECT_GT(merged->version(), empty->version());
  const std::vector<PersonMap::Change> unmerge = {{3, 3}};
  const auto split = merged->With(unmerge);
  EXPECT_EQ(split->Resolve(3), 3u);
  EXPECT_EQ(split->merged_ids(), 1u);
  EXPECT_EQ(merged->Resolve(3), 1u) << "snapshots are immutable";
}

// Many updates, folding the overlay into the base several times, against a
// std::map holding the same changes.
TEST(PersonMapTest, MatchesAPlainMapThroughFolds) {
  std::mt19937_64 random(7);
  std::map<PersonKey, PersonKey> expected;
  auto map = std::make_shared<const PersonMap>();
  for (int round = 0; round < 40; ++round) {
    std::vector<PersonMap::Change> changes;
    const int count = static_cast<int>(random() % 3000);
    for (int i = 0; i < count; ++i) {
      const PersonKey key = 1 + random() % 20'000;
      const PersonKey value = random() % 4 == 0 ? key : 1 + random() % 20'000;
      changes.emplace_back(key, value);
      expected[key] = value;
    }
    map = map->With(changes);
  }
  size_t merged = 0;
  for (PersonKey key = 1; key <= 20'000; ++key) {
    const auto found = expected.find(key);
    const PersonKey want = found == expected.end() ? key : found->second;
    ASSERT_EQ(map->Resolve(key), want) << key;
    if (want != key) ++merged;
  }
  EXPECT_EQ(map->merged_ids(), merged);
}

}  // namespace
}  // namespace cdp
