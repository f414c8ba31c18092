#include <gtest/gtest.h>

#include <algorithm>
#include <limits>
#include <random>
#include <vector>

#include "store/columnar/encoding/block_encoding.h"
#include "store/columnar/encoding/encoding_test_util.h"

namespace cdp::columnar {
namespace {

using testing::ExactCopy;
using testing::HeaderOf;
using testing::RandomNulls;
using testing::View;

constexpr Int64Encoding kAllEncodings[] = {Int64Encoding::kPlain, Int64Encoding::kFrameOfReference,
                                           Int64Encoding::kDeltaVarint,
                                           Int64Encoding::kDeltaFrameOfReference};

// Encodes, decodes (both forms of the API) and checks values, nulls and
// stats against the input. Returns the encoded block.
EncodedBlock RoundTrip(const std::vector<int64_t>& values, const std::vector<uint8_t>& is_null,
                       const BlockEncodeOptions& options = {}) {
  EncodedBlock encoded = EncodeInt64Block(values, is_null, options);
  const std::vector<char> bytes = ExactCopy(encoded.bytes);
  Result<DecodedInt64Block> decoded = DecodeInt64Block(View(bytes));
  EXPECT_TRUE(decoded.ok()) << decoded.status().ToString();
  if (!decoded.ok()) return encoded;
  EXPECT_EQ(decoded->row_count(), values.size());
  size_t nulls = 0;
  bool any = false;
  int64_t min = 0, max = 0;
  for (size_t row = 0; row < values.size(); ++row) {
    const bool is_row_null = !is_null.empty() && is_null[row] != 0;
    EXPECT_EQ(decoded->IsNull(row), is_row_null) << row;
    if (is_row_null) {
      ++nulls;
      EXPECT_EQ(decoded->values()[row], 0) << row;
      continue;
    }
    EXPECT_EQ(decoded->values()[row], values[row]) << row;
    min = any ? std::min(min, values[row]) : values[row];
    max = any ? std::max(max, values[row]) : values[row];
    any = true;
  }
  EXPECT_EQ(decoded->nulls().empty(), nulls == 0);
  const BlockStats& stats = encoded.stats;
  EXPECT_EQ(stats.kind, BlockKind::kInt64);
  EXPECT_EQ(stats.row_count, values.size());
  EXPECT_EQ(stats.null_count, nulls);
  EXPECT_EQ(stats.has_min_max, any);
  if (any) {
    EXPECT_EQ(stats.int_min, min);
    EXPECT_EQ(stats.int_max, max);
  }
  const BlockHeader header = HeaderOf(encoded.bytes);
  EXPECT_EQ(header.row_count, values.size());
  EXPECT_EQ(header.null_count, nulls);
  return encoded;
}

TEST(Int64BlockTest, EmptyBlock) {
  const EncodedBlock block = RoundTrip({}, {});
  EXPECT_FALSE(block.stats.has_min_max);
  EXPECT_LE(block.bytes.size(), 10u);
}

TEST(Int64BlockTest, AllNullHasNoPayload) {
  const EncodedBlock block =
      RoundTrip(std::vector<int64_t>(1000, 7), std::vector<uint8_t>(1000, 1));
  EXPECT_EQ(HeaderOf(block.bytes).payload_size, 0u);
  EXPECT_FALSE(block.stats.has_min_max);
}

TEST(Int64BlockTest, OneRow) {
  for (const Int64Encoding encoding : kAllEncodings) {
    BlockEncodeOptions options;
    options.int64_encoding = encoding;
    for (const int64_t value : {int64_t{0}, int64_t{-5}, INT64_MIN, INT64_MAX}) {
      const EncodedBlock block = RoundTrip({value}, {}, options);
      EXPECT_EQ(HeaderOf(block.bytes).encoding, static_cast<uint8_t>(encoding));
    }
  }
}

TEST(Int64BlockTest, ExtremesDoNotOverflowAnyEncoding) {
  const std::vector<int64_t> values = {INT64_MIN, INT64_MAX, INT64_MIN, 0,  -1, INT64_MAX,
                                       INT64_MAX, INT64_MIN, 1,         -1, 0,  INT64_MIN};
  for (const Int64Encoding encoding : kAllEncodings) {
    BlockEncodeOptions options;
    options.int64_encoding = encoding;
    const EncodedBlock block = RoundTrip(values, {}, options);
    EXPECT_EQ(HeaderOf(block.bytes).encoding, static_cast<uint8_t>(encoding));
  }
  // Deltas of exactly 2^63 (the scale must not become 2^63).
  const std::vector<int64_t> halves = {0, INT64_MIN, 0, INT64_MIN, 0};
  for (const Int64Encoding encoding : kAllEncodings) {
    BlockEncodeOptions options;
    options.int64_encoding = encoding;
    RoundTrip(halves, {}, options);
  }
}

TEST(Int64BlockTest, RandomRoundTripsEveryEncodingWidthAndCodec) {
  std::mt19937_64 rng(3);
  for (const Int64Encoding encoding : kAllEncodings) {
    for (int width = 0; width <= 64; width += (width < 20 ? 1 : 5)) {
      for (const bool aligned : {false, true}) {
        const size_t rows = 1 + rng() % 3000;
        const uint64_t mask = width == 64 ? ~uint64_t{0} : (uint64_t{1} << width) - 1;
        const auto base = static_cast<int64_t>(rng());
        const uint64_t scale = rng() % 4 == 0 ? 1000 : 1;
        std::vector<int64_t> values(rows);
        for (int64_t& value : values) {
          value = static_cast<int64_t>(static_cast<uint64_t>(base) + (rng() & mask) * scale);
        }
        if (rng() % 2 == 0) std::sort(values.begin(), values.end());
        const std::vector<uint8_t> is_null = RandomNulls(rng, rows, rng() % 3 == 0 ? 0.9 : 0.1);
        BlockEncodeOptions options;
        options.int64_encoding = encoding;
        options.byte_aligned_widths = aligned;
        options.codec = static_cast<BlockCodec>(rng() % 3);
        const EncodedBlock block = RoundTrip(values, is_null, options);
        const BlockHeader header = HeaderOf(block.bytes);
        if (header.row_count > header.null_count) {
          EXPECT_EQ(header.encoding, static_cast<uint8_t>(encoding));
          EXPECT_EQ(header.codec, *options.codec);
        }
      }
    }
  }
}

TEST(Int64BlockTest, AutomaticChoiceIsCompact) {
  std::mt19937_64 rng(4);
  // Sorted-by-person millisecond timestamps: small deltas, jumps between persons.
  std::vector<int64_t> times;
  int64_t time = 1'700'000'000'000'000;
  while (times.size() < 16384) {
    if (rng() % 5 == 0)
      time = 1'700'000'000'000'000 + static_cast<int64_t>(rng() % 86'400'000) * 1000;
    time += static_cast<int64_t>(rng() % 60'000) * 1000;
    times.push_back(time);
  }
  const EncodedBlock block = RoundTrip(times, {});
  EXPECT_LT(block.bytes.size(), times.size() * 4);
  BlockEncodeOptions same_level;  // candidates ranked at the final zstd level
  same_level.ranking_zstd_level = same_level.zstd_level;
  EXPECT_LT(RoundTrip(times, {}, same_level).bytes.size(), times.size() * 4);

  // A constant column is a few bytes.
  const EncodedBlock constant = RoundTrip(std::vector<int64_t>(16384, 42), {});
  EXPECT_LT(constant.bytes.size(), 40u);

  // Integers below 100 take at most 7 bits.
  std::vector<int64_t> small(16384);
  for (int64_t& value : small) value = static_cast<int64_t>(rng() % 100);
  EXPECT_LE(RoundTrip(small, {}).bytes.size(), small.size() * 7 / 8 + 32);
}

TEST(Int64BlockTest, DecodeIntoTheSameObjectReusesIt) {
  std::mt19937_64 rng(5);
  DecodedInt64Block decoded;
  for (const size_t rows : {5000, 10, 0, 7000, 3}) {
    std::vector<int64_t> values(rows);
    for (int64_t& value : values) value = static_cast<int64_t>(rng() % 100000);
    const std::vector<uint8_t> is_null = RandomNulls(rng, rows, rows == 7000 ? 0.5 : 0.0);
    const EncodedBlock block = EncodeInt64Block(values, is_null);
    ASSERT_TRUE(DecodeInt64Block(block.bytes, decoded).ok());
    ASSERT_EQ(decoded.row_count(), rows);
    ASSERT_EQ(decoded.nulls().empty(), std::count(is_null.begin(), is_null.end(), 1) == 0);
    for (size_t row = 0; row < rows; ++row) {
      ASSERT_EQ(decoded.IsNull(row), is_null[row] != 0);
      if (!is_null[row]) {
        ASSERT_EQ(decoded.values()[row], values[row]);
      }
    }
  }
}

TEST(Int64BlockTest, ReadingAnotherKindIsAnError) {
  const EncodedBlock block = EncodeInt64Block(std::vector<int64_t>{1, 2, 3}, {});
  EXPECT_FALSE(DecodeDoubleBlock(block.bytes).ok());
  EXPECT_FALSE(DecodeStringBlock(block.bytes).ok());
  EXPECT_FALSE(DecodeBoolBlock(block.bytes).ok());
  EXPECT_EQ(DecodeDoubleBlock(block.bytes).status().code(), ErrorCode::kInternal);
}

}  // namespace
}  // namespace cdp::columnar
