#include <gtest/gtest.h>

#include <bit>
#include <cmath>
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

// Round trip with a bit-exact comparison; returns the encoded block.
EncodedBlock RoundTrip(const std::vector<double>& values, const std::vector<uint8_t>& is_null,
                       const BlockEncodeOptions& options = {}) {
  EncodedBlock encoded = EncodeDoubleBlock(values, is_null, options);
  const std::vector<char> bytes = ExactCopy(encoded.bytes);
  Result<DecodedDoubleBlock> decoded = DecodeDoubleBlock(View(bytes));
  EXPECT_TRUE(decoded.ok()) << decoded.status().ToString();
  if (!decoded.ok()) return encoded;
  EXPECT_EQ(decoded->row_count(), values.size());
  size_t nulls = 0;
  bool nan = false;
  for (size_t row = 0; row < values.size(); ++row) {
    const bool is_row_null = !is_null.empty() && is_null[row] != 0;
    EXPECT_EQ(decoded->IsNull(row), is_row_null);
    if (is_row_null) {
      ++nulls;
      continue;
    }
    nan |= std::isnan(values[row]);
    EXPECT_EQ(std::bit_cast<uint64_t>(decoded->values()[row]), std::bit_cast<uint64_t>(values[row]))
        << "row " << row << ": " << values[row];
  }
  EXPECT_EQ(encoded.stats.null_count, nulls);
  EXPECT_EQ(encoded.stats.has_nan, nan);
  return encoded;
}

DoubleEncoding EncodingOf(const EncodedBlock& block) {
  return static_cast<DoubleEncoding>(HeaderOf(block.bytes).encoding);
}

TEST(DoubleBlockTest, SpecialValuesRoundTripBitExactly) {
  const double nan_with_payload = std::bit_cast<double>(uint64_t{0x7ff8'0000'dead'beef});
  const std::vector<double> values = {0.0,
                                      -0.0,
                                      std::numeric_limits<double>::infinity(),
                                      -std::numeric_limits<double>::infinity(),
                                      std::numeric_limits<double>::quiet_NaN(),
                                      nan_with_payload,
                                      -std::numeric_limits<double>::quiet_NaN(),
                                      std::numeric_limits<double>::denorm_min(),
                                      -std::numeric_limits<double>::denorm_min(),
                                      std::numeric_limits<double>::min(),
                                      std::numeric_limits<double>::max(),
                                      std::numeric_limits<double>::lowest(),
                                      1e-310,
                                      0.1};
  for (const DoubleEncoding encoding : {DoubleEncoding::kPlain, DoubleEncoding::kDecimal}) {
    BlockEncodeOptions options;
    options.double_encoding = encoding;
    const EncodedBlock block = RoundTrip(values, {}, options);
    EXPECT_EQ(EncodingOf(block), DoubleEncoding::kPlain);  // decimal cannot hold NaN
    EXPECT_TRUE(block.stats.has_nan);
    EXPECT_EQ(block.stats.double_min, -std::numeric_limits<double>::infinity());
    EXPECT_EQ(block.stats.double_max, std::numeric_limits<double>::infinity());
  }
  // Each one alone, too (-0.0 must not become 0.0 through the decimal path).
  for (const double value : values) {
    const EncodedBlock block = RoundTrip({value, value, value}, {});
    if (std::signbit(value) && value == 0) {
      EXPECT_EQ(EncodingOf(block), DoubleEncoding::kPlain);
    }
  }
}

TEST(DoubleBlockTest, PricesAndIntegersUseTheDecimalEncoding) {
  std::mt19937_64 rng(6);
  std::vector<double> prices(16384);
  for (double& price : prices) price = static_cast<double>(rng() % 100000) / 100.0;
  const EncodedBlock priced = RoundTrip(prices, {});
  EXPECT_EQ(EncodingOf(priced), DoubleEncoding::kDecimal);
  EXPECT_LT(priced.bytes.size(), prices.size() * 3);

  std::vector<double> counts(16384);
  for (double& count : counts) count = static_cast<double>(rng() % 1000) - 500;
  const EncodedBlock counted = RoundTrip(counts, {});
  EXPECT_EQ(EncodingOf(counted), DoubleEncoding::kDecimal);
  EXPECT_LT(counted.bytes.size(), counts.size() * 2);

  // Coordinates with six decimals, and large integers near 2^53.
  std::vector<double> coordinates(1000);
  for (double& value : coordinates)
    value = static_cast<double>(static_cast<int64_t>(rng() % 360'000'000) - 180'000'000) / 1e6;
  EXPECT_EQ(EncodingOf(RoundTrip(coordinates, {})), DoubleEncoding::kDecimal);
  std::vector<double> big(1000);
  for (double& value : big) value = static_cast<double>(rng() >> 11);
  EXPECT_EQ(EncodingOf(RoundTrip(big, {})), DoubleEncoding::kDecimal);
}

TEST(DoubleBlockTest, NonDecimalsFallBackToPlain) {
  std::mt19937_64 rng(7);
  std::uniform_real_distribution<double> draw(-1e6, 1e6);
  std::vector<double> values(5000);
  for (double& value : values) value = draw(rng);
  BlockEncodeOptions options;
  options.double_encoding = DoubleEncoding::kDecimal;  // cannot apply: ignored
  EXPECT_EQ(EncodingOf(RoundTrip(values, {}, options)), DoubleEncoding::kPlain);
  values[0] = 0.1 + 0.2;
  EXPECT_EQ(EncodingOf(RoundTrip({0.5, 0.1 + 0.2}, {})), DoubleEncoding::kPlain);
}

TEST(DoubleBlockTest, RandomRoundTripsEveryPath) {
  std::mt19937_64 rng(8);
  for (int iteration = 0; iteration < 200; ++iteration) {
    const size_t rows = rng() % 2000;
    std::vector<double> values(rows);
    const int digits = static_cast<int>(rng() % 12);
    for (double& value : values) {
      switch (rng() % 4) {
        case 0:
          value = std::bit_cast<double>(rng());  // anything, NaNs included
          break;
        default:
          value = static_cast<double>(static_cast<int64_t>(rng() % 2'000'000) - 1'000'000) /
                  std::pow(10.0, digits);
      }
    }
    if (rng() % 2 == 0) {
      for (double& value : values) {
        if (std::isnan(value) || std::isinf(value)) value = 1.5;
        value = std::round(value * 100) / 100;
        if (std::abs(value) > 1e12) value = 3;
      }
    }
    BlockEncodeOptions options;
    if (rng() % 2 == 0) options.double_encoding = static_cast<DoubleEncoding>(rng() % 2);
    if (rng() % 2 == 0) options.int64_encoding = static_cast<Int64Encoding>(rng() % 4);
    if (rng() % 2 == 0) options.codec = static_cast<BlockCodec>(rng() % 3);
    RoundTrip(values, RandomNulls(rng, rows, rng() % 2 == 0 ? 0.0 : 0.9), options);
  }
}

TEST(DoubleBlockTest, EmptyAllNullAndStats) {
  RoundTrip({}, {});
  const EncodedBlock all_null = RoundTrip({1, 2, 3}, {1, 1, 1});
  EXPECT_FALSE(all_null.stats.has_min_max);
  const EncodedBlock only_nan = RoundTrip({NAN, 2}, {0, 1});
  EXPECT_FALSE(only_nan.stats.has_min_max);
  EXPECT_TRUE(only_nan.stats.has_nan);
  const EncodedBlock some = RoundTrip({5, -2.5, 7.25, 100}, {0, 0, 0, 1});
  EXPECT_EQ(some.stats.double_min, -2.5);
  EXPECT_EQ(some.stats.double_max, 7.25);
}

}  // namespace
}  // namespace cdp::columnar
