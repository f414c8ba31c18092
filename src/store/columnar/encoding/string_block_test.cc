#include <gtest/gtest.h>

#include <algorithm>
#include <random>
#include <set>
#include <string>
#include <vector>

#include "store/columnar/encoding/block_encoding.h"
#include "store/columnar/encoding/encoding_test_util.h"

namespace cdp::columnar {
namespace {

using testing::ExactCopy;
using testing::HeaderOf;
using testing::RandomNulls;
using testing::View;

constexpr StringEncoding kAllEncodings[] = {StringEncoding::kPlain, StringEncoding::kPlainUuid,
                                            StringEncoding::kDictionary,
                                            StringEncoding::kDictionaryUuid};

std::vector<std::string_view> Views(const std::vector<std::string>& strings) {
  return std::vector<std::string_view>(strings.begin(), strings.end());
}

// Round trip plus checks of the decoded form's contract and of the stats
// against a brute force. Returns the encoded block.
EncodedBlock RoundTrip(const std::vector<std::string>& strings, const std::vector<uint8_t>& is_null,
                       const BlockEncodeOptions& options = {}) {
  const std::vector<std::string_view> values = Views(strings);
  EncodedBlock encoded = EncodeStringBlock(values, is_null, options);
  const std::vector<char> bytes = ExactCopy(encoded.bytes);
  Result<DecodedStringBlock> result = DecodeStringBlock(View(bytes));
  EXPECT_TRUE(result.ok()) << result.status().ToString();
  if (!result.ok()) return encoded;
  // Moving keeps the dictionary's views valid.
  const DecodedStringBlock decoded = std::move(result).value();
  EXPECT_EQ(decoded.row_count(), values.size());
  std::set<std::string> distinct;
  for (size_t row = 0; row < values.size(); ++row) {
    const bool is_row_null = !is_null.empty() && is_null[row] != 0;
    EXPECT_EQ(decoded.IsNull(row), is_row_null);
    if (is_row_null) {
      EXPECT_EQ(decoded.codes()[row], 0u);
      continue;
    }
    EXPECT_LT(decoded.codes()[row], decoded.dictionary().size());
    EXPECT_EQ(decoded.value(row), values[row]) << "row " << row;
    distinct.insert(strings[row]);
  }
  if (decoded.dictionary_is_sorted_unique()) {
    EXPECT_EQ(decoded.dictionary().size(), distinct.size());
    EXPECT_TRUE(std::is_sorted(decoded.dictionary().begin(), decoded.dictionary().end()));
  }
  const BlockStats& stats = encoded.stats;
  EXPECT_EQ(stats.row_count, values.size());
  EXPECT_EQ(stats.has_min_max, !distinct.empty());
  for (const std::string& value : distinct) {
    EXPECT_LE(std::string_view(stats.string_min), value);
    if (!stats.string_max_unbounded) {
      EXPECT_GE(std::string_view(stats.string_max), value);
    }
    EXPECT_TRUE(MayContainString(stats, value));
  }
  EXPECT_EQ(stats.has_value_hashes, !distinct.empty() && distinct.size() <= kMaxStatsValueHashes);
  if (stats.has_value_hashes) {
    std::set<uint64_t> hashes;
    for (const std::string& value : distinct) hashes.insert(HashStatsValue(value));
    EXPECT_EQ(std::vector<uint64_t>(hashes.begin(), hashes.end()), stats.value_hashes);
  }
  return encoded;
}

StringEncoding EncodingOf(const EncodedBlock& block) {
  return static_cast<StringEncoding>(HeaderOf(block.bytes).encoding);
}

std::string RandomUuid(std::mt19937_64& rng, bool upper) {
  const char* digits = upper ? "0123456789ABCDEF" : "0123456789abcdef";
  std::string text;
  for (int i = 0; i < 36; ++i) {
    text.push_back(i == 8 || i == 13 || i == 18 || i == 23 ? '-' : digits[rng() % 16]);
  }
  return text;
}

// Arbitrary bytes: NULs, 0xff, invalid UTF-8, empty strings.
std::string RandomBytes(std::mt19937_64& rng, size_t max_length) {
  std::string text(rng() % (max_length + 1), '\0');
  for (char& c : text) c = static_cast<char>(rng() % 4 == 0 ? (rng() % 2 ? 0xff : 0) : rng());
  return text;
}

TEST(StringBlockTest, EmptyAllNullAndOneRow) {
  RoundTrip({}, {});
  const EncodedBlock all_null = RoundTrip({"a", "b"}, {1, 1});
  EXPECT_FALSE(all_null.stats.has_min_max);
  EXPECT_FALSE(MayContainString(all_null.stats, "a"));
  for (const StringEncoding encoding : kAllEncodings) {
    BlockEncodeOptions options;
    options.string_encoding = encoding;
    RoundTrip({"only"}, {}, options);
    RoundTrip({""}, {}, options);
    RoundTrip({"", ""}, {0, 1}, options);
  }
}

TEST(StringBlockTest, RandomRoundTripsEveryEncodingWidthAndCodec) {
  std::mt19937_64 rng(10);
  for (int iteration = 0; iteration < 120; ++iteration) {
    const StringEncoding encoding = kAllEncodings[iteration % 4];
    const bool uuids =
        encoding == StringEncoding::kPlainUuid || encoding == StringEncoding::kDictionaryUuid;
    const bool upper = rng() % 2 == 0;
    const size_t rows = rng() % 3000;
    const size_t pool_size = 1 + rng() % (rng() % 2 ? 5 : 3000);
    std::vector<std::string> pool(pool_size);
    for (std::string& value : pool) {
      value = uuids ? RandomUuid(rng, upper) : RandomBytes(rng, rng() % 2 ? 8 : 300);
    }
    std::vector<std::string> strings(rows);
    for (std::string& value : strings) value = pool[rng() % pool_size];
    if (rng() % 3 == 0) std::sort(strings.begin(), strings.end());
    BlockEncodeOptions options;
    if (rng() % 2 == 0) options.monotone_codes = rng() % 2 == 0;
    options.string_encoding = encoding;
    options.codec = static_cast<BlockCodec>(rng() % 3);
    if (rng() % 2 == 0) options.byte_aligned_widths = rng() % 2 == 0;
    const std::vector<uint8_t> is_null = RandomNulls(rng, rows, (rng() % 3) * 0.45);
    const EncodedBlock block = RoundTrip(strings, is_null, options);
    const BlockHeader header = HeaderOf(block.bytes);
    if (header.row_count > header.null_count) {
      EXPECT_EQ(EncodingOf(block), encoding);
      EXPECT_EQ(header.codec, *options.codec);
    }
  }
}

TEST(StringBlockTest, UuidsTakeSixteenBytesAndKeepTheirCase) {
  std::mt19937_64 rng(11);
  for (const bool upper : {false, true}) {
    std::vector<std::string> ids(4096);
    for (std::string& id : ids) id = RandomUuid(rng, upper);
    const EncodedBlock block = RoundTrip(ids, {});
    EXPECT_EQ(EncodingOf(block), StringEncoding::kPlainUuid);
    EXPECT_LT(block.bytes.size(), ids.size() * 16 + 64);
  }
  // Repeated ids (anonymous ids of persons): a dictionary of 16-byte entries.
  std::vector<std::string> persons(500);
  for (std::string& id : persons) id = RandomUuid(rng, false);
  std::vector<std::string> rows(4096);
  for (size_t i = 0; i < rows.size(); ++i) rows[i] = persons[i * persons.size() / rows.size()];
  EXPECT_EQ(EncodingOf(RoundTrip(rows, {})), StringEncoding::kDictionaryUuid);
}

TEST(StringBlockTest, SortedColumnStoresCodeIncrements) {
  std::mt19937_64 rng(16);
  std::vector<std::string> persons(2000);
  for (std::string& id : persons) id = RandomUuid(rng, false);
  std::sort(persons.begin(), persons.end());
  std::vector<std::string> rows;
  for (const std::string& id : persons) rows.insert(rows.end(), 1 + rng() % 12, id);
  const std::vector<uint8_t> is_null = RandomNulls(rng, rows.size(), 0.1);
  BlockEncodeOptions plain_codes;
  plain_codes.monotone_codes = false;
  const EncodedBlock without = RoundTrip(rows, is_null, plain_codes);
  const EncodedBlock with = RoundTrip(rows, is_null);
  EXPECT_EQ(EncodingOf(with), StringEncoding::kDictionaryUuid);
  // The dictionary (16 B per person) is the same; the codes shrink to ~nothing.
  EXPECT_LT(with.bytes.size() + rows.size() / 2, without.bytes.size());
  EXPECT_LT(with.bytes.size(), persons.size() * 16 + rows.size() / 4);
  // Forcing increments on codes that decrease has no effect.
  std::reverse(rows.begin(), rows.end());
  BlockEncodeOptions forced;
  forced.monotone_codes = true;
  RoundTrip(rows, is_null, forced);
}

TEST(StringBlockTest, AlmostUuidsAreStoredAsText) {
  std::mt19937_64 rng(12);
  std::vector<std::string> ids(100);
  for (std::string& id : ids) id = RandomUuid(rng, false);
  std::vector<std::vector<std::string>> cases;
  for (const std::string& bad : {std::string("0123456789ab-cdef-0123-456789abcdef"),      // hyphens
                                 std::string("0123456g-89ab-cdef-0123-456789abcdef"),     // not hex
                                 std::string("0123456789ab"),                             // short
                                 RandomUuid(rng, true) + "0",                             // long
                                 std::string("ABCDEF01-89ab-cdef-0123-456789abcdef")}) {  // mixed
    std::vector<std::string> values = ids;
    values[37] = bad;
    cases.push_back(values);
  }
  // Lower-case and upper-case ids in one block.
  cases.push_back(ids);
  cases.back()[5] = RandomUuid(rng, true);
  while (cases.back()[5].find_first_of("ABCDEF") == std::string::npos) {
    cases.back()[5] = RandomUuid(rng, true);
  }
  for (const std::vector<std::string>& values : cases) {
    for (const StringEncoding encoding :
         {StringEncoding::kPlainUuid, StringEncoding::kDictionaryUuid}) {
      BlockEncodeOptions options;
      options.string_encoding = encoding;  // cannot apply: ignored
      const EncodedBlock block = RoundTrip(values, {}, options);
      EXPECT_NE(EncodingOf(block), StringEncoding::kPlainUuid);
      EXPECT_NE(EncodingOf(block), StringEncoding::kDictionaryUuid);
    }
  }
  // Digits only: either case, kept as is.
  RoundTrip({"01234567-8901-2345-6789-012345678901", "11234567-8901-2345-6789-012345678901"}, {});
}

TEST(StringBlockTest, RepeatedValuesUseASortedDictionary) {
  std::mt19937_64 rng(13);
  const std::vector<std::string> names = {"Page Viewed", "Signup", "Order Completed", "Login"};
  std::vector<std::string> strings(16384);
  for (std::string& value : strings) value = names[rng() % names.size()];
  const EncodedBlock block = RoundTrip(strings, {});
  EXPECT_EQ(EncodingOf(block), StringEncoding::kDictionary);
  EXPECT_LT(block.bytes.size(), strings.size() / 3);
  Result<DecodedStringBlock> decoded = DecodeStringBlock(block.bytes);
  ASSERT_TRUE(decoded.ok());
  EXPECT_TRUE(decoded->dictionary_is_sorted_unique());
  ASSERT_EQ(decoded->dictionary().size(), 4u);
  EXPECT_EQ(decoded->dictionary()[0], "Login");
  EXPECT_EQ(decoded->dictionary()[3], "Signup");
  EXPECT_TRUE(MayContainString(block.stats, "Signup"));
  EXPECT_FALSE(MayContainString(block.stats, "Purchase"));  // within min..max, not in hashes
  EXPECT_FALSE(MayContainString(block.stats, "Zebra"));
}

TEST(StringBlockTest, LongValues) {
  std::mt19937_64 rng(14);
  std::vector<std::string> strings = {std::string(1 << 20, 'x'), RandomBytes(rng, 100000),
                                      std::string(70, '\xff'), std::string(200, '\xff') + "a",
                                      std::string(1 << 20, 'x')};
  const EncodedBlock block = RoundTrip(strings, {});
  EXPECT_LE(block.stats.string_min.size(), kMaxStatsStringBytes);
  EXPECT_TRUE(block.stats.string_max_unbounded);
  for (const StringEncoding encoding : {StringEncoding::kPlain, StringEncoding::kDictionary}) {
    BlockEncodeOptions options;
    options.string_encoding = encoding;
    RoundTrip(strings, {0, 0, 1, 0, 0}, options);
  }
}

TEST(StringBlockTest, DecodeIntoTheSameObjectReusesIt) {
  std::mt19937_64 rng(15);
  DecodedStringBlock decoded;
  for (int iteration = 0; iteration < 20; ++iteration) {
    const size_t rows = rng() % 5000;
    std::vector<std::string> strings(rows);
    for (std::string& value : strings)
      value = rng() % 2 ? RandomUuid(rng, false) : "x" + std::to_string(rng() % 50);
    const std::vector<uint8_t> is_null = RandomNulls(rng, rows, 0.3);
    const EncodedBlock block = EncodeStringBlock(Views(strings), is_null);
    ASSERT_TRUE(DecodeStringBlock(block.bytes, decoded).ok());
    ASSERT_EQ(decoded.row_count(), rows);
    for (size_t row = 0; row < rows; ++row) {
      ASSERT_EQ(decoded.IsNull(row), is_null[row] != 0);
      if (!is_null[row]) {
        ASSERT_EQ(decoded.value(row), strings[row]);
      }
    }
  }
}

}  // namespace
}  // namespace cdp::columnar
