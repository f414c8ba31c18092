#include "store/columnar/encoding/block_stats.h"

#include <gtest/gtest.h>

#include <cmath>
#include <limits>
#include <random>
#include <string>
#include <vector>

namespace cdp::columnar {
namespace {

std::string RandomEdgeString(std::mt19937_64& rng) {
  // Long runs of 0xff and 0x00 around the 64-byte cut are the hard cases.
  std::string text(rng() % 80, '\0');
  for (char& c : text) {
    switch (rng() % 4) {
      case 0:
        c = '\xff';
        break;
      case 1:
        c = '\0';
        break;
      case 2:
        c = 'a';
        break;
      default:
        c = static_cast<char>(rng());
    }
  }
  return text;
}

TEST(BlockStatsTest, TruncatedBoundsStillBoundEveryValue) {
  std::mt19937_64 rng(20);
  for (int iteration = 0; iteration < 20000; ++iteration) {
    const std::string value = RandomEdgeString(rng);
    const std::string_view min = TruncateStatsMin(value);
    EXPECT_LE(min.size(), kMaxStatsStringBytes);
    EXPECT_LE(min, value);
    bool unbounded = false;
    const std::string max = TruncateStatsMax(value, unbounded);
    if (value.size() <= kMaxStatsStringBytes) {
      EXPECT_EQ(max, value);
      EXPECT_FALSE(unbounded);
      continue;
    }
    if (unbounded) {
      EXPECT_EQ(value.substr(0, kMaxStatsStringBytes), std::string(kMaxStatsStringBytes, '\xff'));
      continue;
    }
    EXPECT_LE(max.size(), kMaxStatsStringBytes);
    EXPECT_GT(std::string_view(max), std::string_view(value));
    // It bounds every string with the same 64-byte prefix as well.
    std::string sibling = value.substr(0, kMaxStatsStringBytes) + std::string(100, '\xff');
    EXPECT_GT(std::string_view(max), std::string_view(sibling));
  }
}

TEST(BlockStatsTest, SerializesEveryKindCompactly) {
  std::vector<BlockStats> all;
  BlockStats ints;
  ints.kind = BlockKind::kInt64;
  ints.row_count = 16384;
  ints.null_count = 3;
  ints.has_min_max = true;
  ints.int_min = INT64_MIN;
  ints.int_max = INT64_MAX;
  all.push_back(ints);
  ints.int_min = ints.int_max = -7;
  all.push_back(ints);
  BlockStats doubles;
  doubles.kind = BlockKind::kDouble;
  doubles.row_count = 10;
  doubles.has_min_max = true;
  doubles.double_min = -0.0;
  doubles.double_max = std::numeric_limits<double>::infinity();
  doubles.has_nan = true;
  all.push_back(doubles);
  BlockStats bools;
  bools.kind = BlockKind::kBool;
  bools.row_count = 5;
  bools.null_count = 5;
  all.push_back(bools);
  BlockStats strings;
  strings.kind = BlockKind::kString;
  strings.row_count = 100;
  strings.has_min_max = true;
  strings.string_min = std::string("\0a", 2);
  strings.string_max = "zz";
  strings.has_value_hashes = true;
  strings.value_hashes = {1, 5, UINT64_MAX};
  all.push_back(strings);
  strings.string_max.clear();
  strings.string_max_unbounded = true;
  strings.has_value_hashes = false;
  strings.value_hashes.clear();
  all.push_back(strings);

  std::string bytes;
  for (const BlockStats& stats : all) AppendBlockStats(stats, bytes);
  std::string_view in = bytes;
  for (const BlockStats& expected : all) {
    BlockStats stats;
    ASSERT_TRUE(ReadBlockStats(in, stats).ok());
    EXPECT_EQ(stats, expected);
  }
  EXPECT_TRUE(in.empty());

  std::string one;
  AppendBlockStats(all[1], one);
  EXPECT_LE(one.size(), 8u);  // kind, flags, rows, nulls, min, range
}

TEST(BlockStatsTest, DamagedStatsAreErrorsNotCrashes) {
  BlockStats strings;
  strings.kind = BlockKind::kString;
  strings.row_count = 100;
  strings.has_min_max = true;
  strings.string_min = "abc";
  strings.string_max = "xyz";
  strings.has_value_hashes = true;
  strings.value_hashes = {1, 2, 3};
  std::string bytes;
  AppendBlockStats(strings, bytes);
  std::mt19937_64 rng(21);
  for (size_t size = 0; size < bytes.size(); ++size) {
    const std::vector<char> exact(bytes.begin(), bytes.begin() + static_cast<ptrdiff_t>(size));
    std::string_view in(exact.data(), exact.size());
    BlockStats stats;
    EXPECT_FALSE(ReadBlockStats(in, stats).ok()) << size;
  }
  for (int iteration = 0; iteration < 20000; ++iteration) {
    std::vector<char> damaged(bytes.begin(), bytes.end());
    for (uint64_t flips = 1 + rng() % 3; flips > 0; --flips) {
      damaged[rng() % damaged.size()] ^= static_cast<char>(1 << (rng() % 8));
    }
    std::string_view in(damaged.data(), damaged.size());
    BlockStats stats;
    (void)ReadBlockStats(in, stats);  // must not crash or read past the end
  }
}

TEST(BlockStatsTest, SkippingAnswers) {
  BlockStats ints;
  ints.kind = BlockKind::kInt64;
  ints.row_count = 10;
  ints.has_min_max = true;
  ints.int_min = 10;
  ints.int_max = 20;
  EXPECT_TRUE(MayContainInt64(ints, 10));
  EXPECT_TRUE(MayContainInt64(ints, 20));
  EXPECT_FALSE(MayContainInt64(ints, 9));
  EXPECT_FALSE(MayContainInt64(ints, 21));
  EXPECT_TRUE(MayOverlapInt64(ints, 0, 10));
  EXPECT_TRUE(MayOverlapInt64(ints, 20, 30));
  EXPECT_FALSE(MayOverlapInt64(ints, 21, 30));
  EXPECT_FALSE(MayOverlapInt64(ints, 15, 12));  // empty range
  EXPECT_TRUE(MayContainString(ints, "x"));     // another kind: cannot tell
  ints.null_count = 10;
  ints.has_min_max = false;
  EXPECT_FALSE(MayContainInt64(ints, 15));

  BlockStats doubles;
  doubles.kind = BlockKind::kDouble;
  doubles.row_count = 10;
  doubles.has_min_max = true;
  doubles.double_min = -0.0;
  doubles.double_max = 2.5;
  EXPECT_TRUE(MayContainDouble(doubles, 0.0));
  EXPECT_TRUE(MayContainDouble(doubles, 2.5));
  EXPECT_FALSE(MayContainDouble(doubles, 2.6));
  EXPECT_TRUE(MayContainDouble(doubles, NAN));  // cannot tell
  doubles.row_count = doubles.null_count = 10;
  EXPECT_FALSE(MayContainDouble(doubles, NAN));
  doubles.null_count = 0;
  EXPECT_TRUE(MayOverlapDouble(doubles, -INFINITY, INFINITY));

  BlockStats strings;
  strings.kind = BlockKind::kString;
  strings.row_count = 10;
  strings.has_min_max = true;
  strings.string_min = "b";
  strings.string_max = "d";
  EXPECT_TRUE(MayContainString(strings, "c"));
  EXPECT_TRUE(MayContainString(strings, "b"));
  EXPECT_FALSE(MayContainString(strings, "a"));
  EXPECT_FALSE(MayContainString(strings, "da"));
  EXPECT_TRUE(MayOverlapString(strings, "a", "b"));
  EXPECT_FALSE(MayOverlapString(strings, "e", "f"));
  strings.string_max_unbounded = true;
  EXPECT_TRUE(MayContainString(strings, "zzz"));
  strings.has_value_hashes = true;
  strings.value_hashes = {HashStatsValue("c")};
  EXPECT_TRUE(MayContainString(strings, "c"));
  EXPECT_FALSE(MayContainString(strings, "cc"));
}

}  // namespace
}  // namespace cdp::columnar
