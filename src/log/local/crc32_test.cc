#include "log/local/crc32.h"

#include <gtest/gtest.h>
#include <zlib.h>

#include <iostream>
#include <random>
#include <string>

namespace cdp::local_log {
namespace {

uint32_t ZlibCrc32(uint32_t crc, const char* data, size_t size) {
  return static_cast<uint32_t>(
      crc32(crc, reinterpret_cast<const Bytef*>(data), static_cast<uInt>(size)));
}

std::string RandomBytes(std::mt19937& rng, size_t size) {
  std::string out(size, '\0');
  for (auto& c : out) c = static_cast<char>(rng());
  return out;
}

TEST(Crc32Test, KnownValues) {
  EXPECT_EQ(Crc32(""), 0u);
  EXPECT_EQ(Crc32("123456789"), 0xCBF43926u);  // the CRC-32 check value
  EXPECT_EQ(Crc32(std::string(4096, '\0')), ZlibCrc32(0, std::string(4096, '\0').data(), 4096));
  EXPECT_FALSE(Crc32Implementation().empty());
  std::cout << "Crc32 uses " << Crc32Implementation() << "\n";
}

// Every length 0..4096 at a random alignment (and so every split of the
// folded part and the table tail), both implementations, against zlib.
TEST(Crc32Test, MatchesZlibOnEveryLengthAndAlignment) {
  std::mt19937 rng(20240501);
  // 64 bytes of slack, for the start.
  const std::string bytes = RandomBytes(rng, 4096 + 64);
  for (size_t size = 0; size <= 4096; ++size) {
    const size_t start = rng() % 64;
    const char* data = bytes.data() + start;
    const uint32_t expected = ZlibCrc32(0, data, size);
    ASSERT_EQ(Crc32Extend(0, data, size), expected) << "size " << size << " start " << start;
    ASSERT_EQ(Crc32ExtendWithoutClmul(0, data, size), expected)
        << "size " << size << " start " << start;
  }
}

TEST(Crc32Test, MatchesZlibOnFreshRandomBuffers) {
  std::mt19937 rng(7);
  for (int round = 0; round < 300; ++round) {
    const size_t size = rng() % 70000;
    const std::string bytes = RandomBytes(rng, size + 64);
    const char* data = bytes.data() + rng() % 64;
    ASSERT_EQ(Crc32Extend(0, data, size), ZlibCrc32(0, data, size)) << "size " << size;
  }
}

TEST(Crc32Test, ExtendContinuesLikeZlib) {
  std::mt19937 rng(11);
  const std::string bytes = RandomBytes(rng, 3000);
  const uint32_t whole = ZlibCrc32(0, bytes.data(), bytes.size());
  for (size_t split = 0; split <= bytes.size(); split += 1 + rng() % 37) {
    const uint32_t head = Crc32Extend(0, bytes.data(), split);
    EXPECT_EQ(Crc32Extend(head, bytes.data() + split, bytes.size() - split), whole) << split;
    EXPECT_EQ(Crc32ExtendWithoutClmul(head, bytes.data() + split, bytes.size() - split), whole)
        << split;
  }
  // A nonzero starting CRC, as zlib's crc32(crc, ...) takes it.
  for (uint32_t seed : {0x1u, 0xDEADBEEFu, 0xFFFFFFFFu}) {
    EXPECT_EQ(Crc32Extend(seed, bytes.data(), bytes.size()),
              ZlibCrc32(seed, bytes.data(), bytes.size()));
  }
}

}  // namespace
}  // namespace cdp::local_log
