#include "gen/synthetic_ids.h"

#include <gtest/gtest.h>

#include <regex>
#include <string>
#include <unordered_set>

namespace cdp::gen {
namespace {

std::string MessageId(const SyntheticIds& ids, uint64_t person, uint64_t seq) {
  char out[SyntheticIds::kUuidChars];
  ids.MessageId(person, seq, out);
  return std::string(out, sizeof out);
}

TEST(SyntheticIdsTest, MessageIdsAreUniqueAndUuidShaped) {
  const SyntheticIds ids(42);
  const std::regex uuid("[0-9a-f]{8}-[0-9a-f]{4}-4[0-9a-f]{3}-[89ab][0-9a-f]{3}-[0-9a-f]{12}");
  std::unordered_set<std::string> seen;
  for (uint64_t person = 0; person < 400; ++person) {
    for (uint64_t seq = 0; seq < 250; ++seq) {
      const std::string id = MessageId(ids, person, seq);
      ASSERT_TRUE(seen.insert(id).second) << id;
      if (seq % 50 == 0) {
        ASSERT_TRUE(std::regex_match(id, uuid)) << id;
      }
    }
  }
  // The extremes of the domain stay distinct too.
  const uint64_t max = (uint64_t{1} << 61) - 1;
  EXPECT_NE(MessageId(ids, max, 0), MessageId(ids, 0, max));
  EXPECT_TRUE(seen.insert(MessageId(ids, max, max)).second);
}

TEST(SyntheticIdsTest, TheSeedDecides) {
  EXPECT_EQ(MessageId(SyntheticIds(1), 5, 7), MessageId(SyntheticIds(1), 5, 7));
  EXPECT_NE(MessageId(SyntheticIds(1), 5, 7), MessageId(SyntheticIds(2), 5, 7));
}

TEST(SyntheticIdsTest, AnonymousIdsDifferFromMessageIds) {
  const SyntheticIds ids(9);
  char anonymous[SyntheticIds::kUuidChars];
  ids.AnonymousId(3, 0, anonymous);
  EXPECT_NE(std::string(anonymous, sizeof anonymous), MessageId(ids, 3, 0));
}

TEST(SyntheticIdsTest, PrefixedIds) {
  const SyntheticIds ids(9);
  char user[SyntheticIds::kPrefixedChars];
  ids.UserId(12, user);
  EXPECT_TRUE(std::regex_match(std::string(user, sizeof user), std::regex("usr_[0-9a-f]{16}")));
  std::unordered_set<std::string> orders;
  for (uint64_t person = 0; person < 100; ++person) {
    for (uint64_t number = 1; number < 20; ++number) {
      char order[SyntheticIds::kPrefixedChars];
      ids.OrderId(person, number, order);
      EXPECT_TRUE(orders.insert(std::string(order, sizeof order)).second);
    }
  }
}

}  // namespace
}  // namespace cdp::gen
