#include <gtest/gtest.h>

#include <random>
#include <vector>

#include "store/columnar/encoding/block_encoding.h"
#include "store/columnar/encoding/encoding_test_util.h"

namespace cdp::columnar {
namespace {

using testing::ExactCopy;
using testing::RandomNulls;
using testing::View;

TEST(BoolBlockTest, RandomRoundTrips) {
  std::mt19937_64 rng(9);
  for (int iteration = 0; iteration < 100; ++iteration) {
    const size_t rows = rng() % 20000;
    std::vector<uint8_t> values(rows);
    const uint64_t bias = rng() % 10;
    for (uint8_t& value : values)
      value = rng() % 10 < bias ? static_cast<uint8_t>(1 + rng() % 255) : 0;
    const std::vector<uint8_t> is_null = RandomNulls(rng, rows, (rng() % 3) * 0.45);
    BlockEncodeOptions options;
    if (rng() % 2 == 0) options.codec = static_cast<BlockCodec>(rng() % 3);
    const EncodedBlock block = EncodeBoolBlock(values, is_null, options);
    const std::vector<char> bytes = ExactCopy(block.bytes);
    Result<DecodedBoolBlock> decoded = DecodeBoolBlock(View(bytes));
    ASSERT_TRUE(decoded.ok()) << decoded.status().ToString();
    ASSERT_EQ(decoded->row_count(), rows);
    bool seen[2] = {false, false};
    for (size_t row = 0; row < rows; ++row) {
      ASSERT_EQ(decoded->IsNull(row), is_null[row] != 0);
      const uint8_t expected = is_null[row] ? 0 : (values[row] != 0);
      ASSERT_EQ(decoded->values()[row], expected);
      if (!is_null[row]) seen[expected] = true;
    }
    EXPECT_EQ(block.stats.has_min_max, seen[0] || seen[1]);
    if (seen[0] || seen[1]) {
      EXPECT_EQ(block.stats.int_min, seen[0] ? 0 : 1);
      EXPECT_EQ(block.stats.int_max, seen[1] ? 1 : 0);
      EXPECT_EQ(MayContainBool(block.stats, true), seen[1]);
      EXPECT_EQ(MayContainBool(block.stats, false), seen[0]);
    }
  }
}

TEST(BoolBlockTest, ConstantColumnIsTiny) {
  const EncodedBlock block = EncodeBoolBlock(std::vector<uint8_t>(16384, 1), {});
  EXPECT_LT(block.bytes.size(), 64u);
  Result<DecodedBoolBlock> decoded = DecodeBoolBlock(block.bytes);
  ASSERT_TRUE(decoded.ok());
  EXPECT_TRUE(decoded->nulls().empty());
  EXPECT_EQ(decoded->values()[16383], 1);
}

}  // namespace
}  // namespace cdp::columnar
