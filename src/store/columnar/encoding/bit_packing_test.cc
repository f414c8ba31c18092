#include "store/columnar/encoding/bit_packing.h"

#include <gtest/gtest.h>

#include <random>
#include <vector>

#include "store/columnar/encoding/varint.h"

namespace cdp::columnar {
namespace {

TEST(BitPackingTest, RoundTripsEveryWidthAndCount) {
  std::mt19937_64 rng(1);
  for (int width = 0; width <= 64; ++width) {
    const uint64_t mask = width == 64 ? ~uint64_t{0} : (uint64_t{1} << width) - 1;
    for (size_t count : {0, 1, 2, 7, 8, 9, 15, 16, 17, 31, 63, 64, 65, 100, 1000}) {
      std::vector<uint64_t> values(count);
      for (uint64_t& value : values) value = rng() & mask;
      if (count > 0) values[0] = mask;  // the widest value
      std::string packed;
      AppendBitPacked(values, width, packed);
      ASSERT_EQ(packed.size(), BitPackedBytes(count, width));
      // Exactly sized heap copy: AddressSanitizer catches a read past it.
      const std::vector<uint8_t> exact(packed.begin(), packed.end());
      std::vector<uint64_t> unpacked(count, 12345);
      size_t calls = 0;
      UnpackBits(exact.data(), exact.size(), count, width, [&](size_t i, uint64_t value) {
        ASSERT_EQ(i, calls);
        ++calls;
        unpacked[i] = value;
      });
      ASSERT_EQ(calls, count);
      ASSERT_EQ(unpacked, values) << "width " << width << " count " << count;
    }
  }
}

TEST(BitPackingTest, TruncatesToWidthAndAlignedWidthsArePlainArrays) {
  std::string packed;
  AppendBitPacked(std::vector<uint64_t>{0x1ff, 0x100}, 8, packed);
  EXPECT_EQ(packed, std::string("\xff\x00", 2));
  packed.clear();
  AppendBitPacked(std::vector<uint32_t>{0x1234, 0xabcd}, 16, packed);
  EXPECT_EQ(packed, std::string("\x34\x12\xcd\xab", 4));
  packed.clear();
  AppendBitPacked(std::vector<uint64_t>{1, 0, 1, 1}, 1, packed);
  EXPECT_EQ(packed, std::string("\x0d", 1));
}

TEST(BitPackingTest, BitWidthOf) {
  EXPECT_EQ(BitWidthOf(0), 0);
  EXPECT_EQ(BitWidthOf(1), 1);
  EXPECT_EQ(BitWidthOf(255), 8);
  EXPECT_EQ(BitWidthOf(256), 9);
  EXPECT_EQ(BitWidthOf(~uint64_t{0}), 64);
}

TEST(VarintTest, RoundTripsAndRejectsOverlongOrTruncated) {
  std::mt19937_64 rng(2);
  for (int i = 0; i < 10000; ++i) {
    const uint64_t value = rng() >> (rng() % 64);
    std::string bytes;
    PutVarint64(bytes, value);
    ASSERT_EQ(bytes.size(), Varint64Size(value));
    const auto* begin = reinterpret_cast<const uint8_t*>(bytes.data());
    uint64_t decoded = 0;
    ASSERT_EQ(DecodeVarint64(begin, begin + bytes.size(), decoded), begin + bytes.size());
    ASSERT_EQ(decoded, value);
    ASSERT_EQ(DecodeVarint64(begin, begin + bytes.size() - 1, decoded), nullptr);
  }
  const std::string too_big("\xff\xff\xff\xff\xff\xff\xff\xff\xff\x02", 10);
  const auto* begin = reinterpret_cast<const uint8_t*>(too_big.data());
  uint64_t decoded;
  EXPECT_EQ(DecodeVarint64(begin, begin + too_big.size(), decoded), nullptr);
  for (const int64_t value : {int64_t{0}, int64_t{-1}, int64_t{1}, INT64_MIN, INT64_MAX}) {
    EXPECT_EQ(ZigZagDecode(ZigZagEncode(value)), value);
  }
  EXPECT_EQ(ZigZagEncode(-1), 1u);
  EXPECT_EQ(ZigZagEncode(1), 2u);
}

}  // namespace
}  // namespace cdp::columnar
