#include "query/paths/key_counter.h"

#include <gtest/gtest.h>

#include <algorithm>
#include <map>
#include <random>

namespace cdp::query {
namespace {

TEST(KeyCounterTest, CountsLikeAMapThroughGrowthAndMerges) {
  std::mt19937_64 random(17);
  KeyCounter first;
  KeyCounter second;
  std::map<uint64_t, uint64_t> expected;
  for (int i = 0; i < 50'000; ++i) {
    // Keys shaped like transitions (two small codes), zero included.
    const uint64_t key = (random() % 40) << 32 | (random() % 300);
    (i % 3 == 0 ? first : second).Add(key);
    ++expected[key];
  }
  first.Merge(second);
  std::vector<std::pair<uint64_t, uint64_t>> entries = first.Entries();
  std::sort(entries.begin(), entries.end());
  EXPECT_EQ(first.size(), expected.size());
  const std::vector<std::pair<uint64_t, uint64_t>> expected_entries(expected.begin(),
                                                                    expected.end());
  EXPECT_EQ(entries, expected_entries);
}

}  // namespace
}  // namespace cdp::query
