// Damaged blocks (a torn or corrupted file) must give an error, never a
// crash, a hang or a read outside the given bytes; run under AddressSanitizer.
#include <gtest/gtest.h>
#include <xxhash.h>

#include <cstring>
#include <random>
#include <string>
#include <vector>

#include "store/columnar/encoding/block_encoding.h"
#include "store/columnar/encoding/encoding_test_util.h"

namespace cdp::columnar {
namespace {

using testing::ExactCopy;
using testing::RandomNulls;
using testing::View;

struct Sample {
  BlockKind kind;
  std::string bytes;
};

// Blocks of every kind, encoding and codec, with and without nulls.
std::vector<Sample> Samples() {
  std::mt19937_64 rng(30);
  std::vector<Sample> samples;
  const size_t rows = 300;
  for (const double null_rate : {0.0, 0.5, 1.0}) {
    for (int codec = 0; codec < 3; ++codec) {
      BlockEncodeOptions options;
      options.codec = static_cast<BlockCodec>(codec);
      const std::vector<uint8_t> is_null = RandomNulls(rng, rows, null_rate);
      for (int encoding = 0; encoding < 4; ++encoding) {
        options.int64_encoding = static_cast<Int64Encoding>(encoding);
        std::vector<int64_t> ints(rows);
        int64_t value = 1'700'000'000'000'000;
        for (int64_t& v : ints) v = value += static_cast<int64_t>(rng() % 5000) * 1000;
        samples.push_back({BlockKind::kInt64, EncodeInt64Block(ints, is_null, options).bytes});
        options.string_encoding = static_cast<StringEncoding>(encoding);
        std::vector<std::string> strings(rows);
        for (std::string& s : strings) {
          char text[40];
          std::snprintf(text, sizeof(text), "%08x-0000-4000-8000-%012llx",
                        static_cast<unsigned>(rng() % 7),
                        static_cast<unsigned long long>(rng() % 1000));
          s = text;
        }
        const std::vector<std::string_view> views(strings.begin(), strings.end());
        samples.push_back({BlockKind::kString, EncodeStringBlock(views, is_null, options).bytes});
      }
      options.int64_encoding.reset();
      std::vector<double> prices(rows);
      for (double& price : prices) price = static_cast<double>(rng() % 10000) / 100;
      for (const DoubleEncoding encoding : {DoubleEncoding::kPlain, DoubleEncoding::kDecimal}) {
        options.double_encoding = encoding;
        samples.push_back({BlockKind::kDouble, EncodeDoubleBlock(prices, is_null, options).bytes});
      }
      std::vector<uint8_t> bools(rows);
      for (uint8_t& b : bools) b = rng() % 2;
      samples.push_back({BlockKind::kBool, EncodeBoolBlock(bools, is_null, options).bytes});
      std::vector<std::string> names(rows);
      for (std::string& name : names) name = "event " + std::to_string(rng() % 20);
      const std::vector<std::string_view> views(names.begin(), names.end());
      options.string_encoding.reset();
      samples.push_back({BlockKind::kString, EncodeStringBlock(views, is_null, options).bytes});
    }
  }
  return samples;
}

// Decodes `bytes` as `kind`; returns whether it succeeded. Decoded values
// are touched so that a bad view would be caught by the sanitizer.
bool Decode(BlockKind kind, std::string_view bytes, const BlockDecodeOptions& options) {
  switch (kind) {
    case BlockKind::kInt64: {
      DecodedInt64Block block;
      return DecodeInt64Block(bytes, block, options).ok();
    }
    case BlockKind::kDouble: {
      DecodedDoubleBlock block;
      return DecodeDoubleBlock(bytes, block, options).ok();
    }
    case BlockKind::kBool: {
      DecodedBoolBlock block;
      return DecodeBoolBlock(bytes, block, options).ok();
    }
    case BlockKind::kString: {
      DecodedStringBlock block;
      if (!DecodeStringBlock(bytes, block, options).ok()) return false;
      size_t total = 0;
      for (size_t row = 0; row < block.row_count(); ++row) {
        if (!block.IsNull(row)) total += block.value(row).size();
      }
      for (const std::string_view entry : block.dictionary()) {
        if (!entry.empty()) total += static_cast<uint8_t>(entry.back());
      }
      return total != SIZE_MAX;
    }
  }
  return false;
}

// Rewrites the checksum so that the decoders' own checks are reached.
void Reseal(std::vector<char>& bytes) {
  if (bytes.size() < 4) return;
  const auto checksum = static_cast<uint32_t>(XXH3_64bits(bytes.data() + 4, bytes.size() - 4));
  std::memcpy(bytes.data(), &checksum, 4);
}

TEST(DamagedBlockTest, IntactSamplesDecode) {
  for (const Sample& sample : Samples()) {
    EXPECT_TRUE(Decode(sample.kind, sample.bytes, {}));
  }
}

TEST(DamagedBlockTest, EveryTruncationIsAnError) {
  for (const Sample& sample : Samples()) {
    for (size_t size = 0; size < sample.bytes.size(); ++size) {
      std::vector<char> bytes = ExactCopy(std::string_view(sample.bytes).substr(0, size));
      ASSERT_FALSE(Decode(sample.kind, View(bytes), {})) << size;
      Reseal(bytes);
      ASSERT_FALSE(Decode(sample.kind, View(bytes), {})) << "resealed " << size;
    }
  }
}

TEST(DamagedBlockTest, ChecksumCatchesEveryBitFlip) {
  std::mt19937_64 rng(31);
  for (const Sample& sample : Samples()) {
    for (int iteration = 0; iteration < 50; ++iteration) {
      std::vector<char> bytes = ExactCopy(sample.bytes);
      bytes[rng() % bytes.size()] ^= static_cast<char>(1 << (rng() % 8));
      EXPECT_FALSE(Decode(sample.kind, View(bytes), {}));
    }
  }
}

TEST(DamagedBlockTest, RandomDamageNeverCrashes) {
  std::mt19937_64 rng(32);
  BlockDecodeOptions unchecked;
  unchecked.verify_checksum = false;
  size_t decoded = 0, refused = 0;
  for (const Sample& sample : Samples()) {
    for (int iteration = 0; iteration < 400; ++iteration) {
      std::vector<char> bytes = ExactCopy(sample.bytes);
      switch (rng() % 4) {
        case 0:  // bit flips
          for (uint64_t flips = 1 + rng() % 4; flips > 0; --flips) {
            bytes[rng() % bytes.size()] ^= static_cast<char>(1 << (rng() % 8));
          }
          break;
        case 1:  // random bytes, mostly in the header
          for (uint64_t n = 1 + rng() % 3; n > 0; --n) {
            bytes[rng() % std::min<size_t>(bytes.size(), 16)] = static_cast<char>(rng());
          }
          break;
        case 2:  // a truncation plus a flip
          bytes.resize(rng() % bytes.size());
          if (!bytes.empty()) bytes[rng() % bytes.size()] ^= static_cast<char>(1 << (rng() % 8));
          break;
        default:  // garbage appended
          bytes.push_back(static_cast<char>(rng()));
      }
      (Decode(sample.kind, View(bytes), unchecked) ? decoded : refused)++;
      Reseal(bytes);
      (Decode(sample.kind, View(bytes), {}) ? decoded : refused)++;
    }
  }
  EXPECT_GT(refused, 0u);
  std::printf("damaged blocks: %zu decoded to some value, %zu refused\n", decoded, refused);
}

TEST(DamagedBlockTest, HugeClaimsAreRefusedBeforeAllocating) {
  // A header claiming 2^20 rows and a 256 MiB zstd payload in a few bytes.
  std::string bytes(4, '\0');
  bytes += std::string("\x01\x00\x02", 3);
  bytes += std::string("\x80\x80\x40", 3);          // rows = 2^20
  bytes += std::string("\x00", 1);                  // nulls
  bytes += std::string("\x80\x80\x80\x80\x01", 5);  // payload 2^28
  bytes += "garbage";
  std::vector<char> exact = ExactCopy(bytes);
  Reseal(exact);
  EXPECT_FALSE(Decode(BlockKind::kInt64, View(exact), {}));
  // More rows than the limit.
  std::string too_many(4, '\0');
  too_many += std::string("\x01\x00\x00\x81\x80\x40\x00\x00", 8);
  EXPECT_FALSE(ReadBlockHeader(too_many).ok());
}

}  // namespace
}  // namespace cdp::columnar
