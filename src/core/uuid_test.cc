#include "core/uuid.h"

#include <gtest/gtest.h>

#include <algorithm>
#include <array>
#include <atomic>
#include <chrono>
#include <cstdio>
#include <set>
#include <string>
#include <thread>
#include <vector>

#include "core/clock.h"

namespace cdp {
namespace {

using std::chrono::hours;
using std::chrono::milliseconds;

constexpr int kManyIds = 100'000;

bool HasRfc9562Variant(const Uuid& id) { return (id.bytes[8] & 0xC0) == 0x80; }

// NewV7 never goes back in time within a process (it keeps the last
// millisecond it used), so each test starts its clock at a millisecond later
// than any used before: well ahead of the system clock and of earlier tests.
TimePoint FreshStart() {
  static TimePoint next = std::chrono::floor<milliseconds>(std::chrono::system_clock::now()) +
                          hours(24 * 365 * 10) + milliseconds(123);
  next += hours(1);
  return next;
}

TEST(UuidTest, V4VersionAndVariant) {
  for (int i = 0; i < 1000; ++i) {
    const Uuid id = Uuid::NewV4();
    ASSERT_EQ(id.version(), 4);
    ASSERT_TRUE(HasRfc9562Variant(id)) << id.ToString();
    const std::string text = id.ToString();
    ASSERT_EQ(text[14], '4');
    ASSERT_NE(std::string("89ab").find(text[19]), std::string::npos) << text;
  }
}

TEST(UuidTest, V4Unique) {
  std::set<Uuid> seen;
  for (int i = 0; i < kManyIds; ++i) {
    ASSERT_TRUE(seen.insert(Uuid::NewV4()).second) << "duplicate after " << i << " ids";
  }
}

TEST(UuidTest, V4RandomBitsVary) {
  // Every bit outside version and variant must take both values over many ids.
  std::array<uint8_t, 16> any_set{};
  std::array<uint8_t, 16> all_set;
  all_set.fill(0xFF);
  for (int i = 0; i < 1000; ++i) {
    const Uuid id = Uuid::NewV4();
    for (size_t b = 0; b < 16; ++b) {
      any_set[b] |= id.bytes[b];
      all_set[b] &= id.bytes[b];
    }
  }
  for (size_t b = 0; b < 16; ++b) {
    uint8_t fixed_mask = 0;
    if (b == 6) fixed_mask = 0xF0;
    if (b == 8) fixed_mask = 0xC0;
    EXPECT_EQ(any_set[b] | fixed_mask, 0xFF) << "byte " << b << " has bits that never vary";
    EXPECT_EQ(all_set[b] & ~fixed_mask & 0xFF, 0) << "byte " << b << " has bits always set";
  }
}

TEST(UuidTest, V7VersionVariantAndTime) {
  ManualClock clock(FreshStart());
  const Uuid id = Uuid::NewV7(clock);
  EXPECT_EQ(id.version(), 7);
  EXPECT_TRUE(HasRfc9562Variant(id));
  EXPECT_EQ(id.ToString()[14], '7');
  EXPECT_EQ(id.UnixMillisV7(), UnixMillis(clock.Now()));
}

TEST(UuidTest, V7EncodesMillisecondsBigEndianInFirstSixBytes) {
  ManualClock clock(FreshStart());
  const int64_t ms = UnixMillis(clock.Now());
  const Uuid id = Uuid::NewV7(clock);
  for (int i = 0; i < 6; ++i) {
    EXPECT_EQ(id.bytes[i], static_cast<uint8_t>(ms >> (8 * (5 - i)))) << "byte " << i;
  }
  char expected_prefix[16];
  std::snprintf(expected_prefix, sizeof(expected_prefix), "%08llx-%04llx",
                static_cast<unsigned long long>(ms >> 16),
                static_cast<unsigned long long>(ms & 0xFFFF));
  EXPECT_TRUE(id.ToString().starts_with(expected_prefix)) << id.ToString();
}

TEST(UuidTest, V7StrictlyIncreasingWithinOneMillisecond) {
  ManualClock clock(FreshStart());  // never advances
  const int64_t start_ms = UnixMillis(clock.Now());
  std::vector<Uuid> ids;
  ids.reserve(kManyIds);
  for (int i = 0; i < kManyIds; ++i) ids.push_back(Uuid::NewV7(clock));

  EXPECT_EQ(ids.front().UnixMillisV7(), start_ms);
  for (size_t i = 1; i < ids.size(); ++i) {
    ASSERT_LT(ids[i - 1], ids[i]) << "at " << i << ": " << ids[i - 1].ToString() << " then "
                                  << ids[i].ToString();
    ASSERT_EQ(ids[i].version(), 7);
    ASSERT_TRUE(HasRfc9562Variant(ids[i]));
  }
  // A 12-bit counter holds at least 2049 ids per millisecond, so the
  // timestamp runs ahead of the clock by no more than kManyIds / 2049 ms.
  EXPECT_GE(ids.back().UnixMillisV7(), start_ms);
  EXPECT_LE(ids.back().UnixMillisV7(), start_ms + kManyIds / 2049 + 1);
}

TEST(UuidTest, V7StrictlyIncreasingAcrossMilliseconds) {
  ManualClock clock(FreshStart());
  Uuid previous = Uuid::NewV7(clock);
  for (int i = 0; i < kManyIds; ++i) {
    if (i % 3 == 0) clock.Advance(milliseconds(1));
    const Uuid id = Uuid::NewV7(clock);
    ASSERT_LT(previous, id) << "at " << i;
    if (i % 3 == 0) {
      ASSERT_EQ(id.UnixMillisV7(), UnixMillis(clock.Now())) << "at " << i;
    }
    previous = id;
  }
}

TEST(UuidTest, V7StaysIncreasingWhenClockGoesBack) {
  ManualClock clock(FreshStart());
  const Uuid before = Uuid::NewV7(clock);
  clock.Advance(-std::chrono::seconds(10));
  const Uuid after = Uuid::NewV7(clock);
  EXPECT_LT(before, after);
  EXPECT_GE(after.UnixMillisV7(), before.UnixMillisV7());
}

// Two threads take turns; each id must sort after the one the other thread
// made just before, although each thread alone would also be increasing.
TEST(UuidTest, V7StrictlyIncreasingAcrossThreads) {
  ManualClock clock(FreshStart());  // never advances: all in one millisecond
  constexpr int kTurns = 20'000;
  std::vector<Uuid> ids(kTurns);
  std::atomic<int> turn{0};
  const auto take_turns = [&](int parity) {
    for (int i = parity; i < kTurns; i += 2) {
      while (turn.load(std::memory_order_acquire) != i) std::this_thread::yield();
      ids[i] = Uuid::NewV7(clock);
      turn.store(i + 1, std::memory_order_release);
    }
  };
  std::thread even(take_turns, 0);
  std::thread odd(take_turns, 1);
  even.join();
  odd.join();
  for (int i = 1; i < kTurns; ++i) {
    ASSERT_LT(ids[i - 1], ids[i]) << "at " << i << ": " << ids[i - 1].ToString() << " then "
                                  << ids[i].ToString();
  }
}

TEST(UuidTest, V7StringOrderIsCreationOrder) {
  ManualClock clock(FreshStart());
  std::vector<std::string> created;
  created.reserve(kManyIds);
  for (int i = 0; i < kManyIds; ++i) {
    if (i % 1000 == 0) clock.Advance(milliseconds(1));
    created.push_back(Uuid::NewV7(clock).ToString());
  }
  std::vector<std::string> sorted = created;
  std::sort(sorted.begin(), sorted.end());
  EXPECT_TRUE(sorted == created);
  EXPECT_EQ(std::set<std::string>(created.begin(), created.end()).size(), created.size());
}

TEST(UuidTest, ToStringCanonicalForm) {
  Uuid id;
  for (size_t i = 0; i < 16; ++i) id.bytes[i] = static_cast<uint8_t>(i * 0x11);
  EXPECT_EQ(id.ToString(), "00112233-4455-6677-8899-aabbccddeeff");
  EXPECT_EQ(Uuid{}.ToString(), "00000000-0000-0000-0000-000000000000");
}

TEST(UuidTest, ParseRoundTrip) {
  for (int i = 0; i < 100; ++i) {
    const Uuid v4 = Uuid::NewV4();
    const auto parsed = Uuid::Parse(v4.ToString());
    ASSERT_TRUE(parsed.has_value());
    EXPECT_EQ(*parsed, v4);

    const Uuid v7 = Uuid::NewV7();
    ASSERT_EQ(Uuid::Parse(v7.ToString()), v7);
  }
  const auto known = Uuid::Parse("00112233-4455-6677-8899-aabbccddeeff");
  ASSERT_TRUE(known.has_value());
  for (size_t i = 0; i < 16; ++i) EXPECT_EQ(known->bytes[i], i * 0x11);
}

TEST(UuidTest, ParseAcceptsUpperCase) {
  const auto upper = Uuid::Parse("00112233-4455-6677-8899-AABBCCDDEEFF");
  const auto lower = Uuid::Parse("00112233-4455-6677-8899-aabbccddeeff");
  ASSERT_TRUE(upper.has_value());
  EXPECT_EQ(upper, lower);
  EXPECT_EQ(upper->ToString(), "00112233-4455-6677-8899-aabbccddeeff");
  EXPECT_TRUE(Uuid::Parse("00112233-4455-6677-8899-AaBbCcDdEeFf").has_value());
}

TEST(UuidTest, ParseRejectsWrongLength) {
  EXPECT_FALSE(Uuid::Parse(""));
  EXPECT_FALSE(Uuid::Parse("00112233-4455-6677-8899-aabbccddeef"));    // 35
  EXPECT_FALSE(Uuid::Parse("00112233-4455-6677-8899-aabbccddeeff0"));  // 37
  EXPECT_FALSE(Uuid::Parse("00112233445566778899aabbccddeeff"));       // no dashes
  EXPECT_FALSE(Uuid::Parse("{00112233-4455-6677-8899-aabbccddeeff}"));
}

TEST(UuidTest, ParseRejectsBadHex) {
  EXPECT_FALSE(Uuid::Parse("g0112233-4455-6677-8899-aabbccddeeff"));
  EXPECT_FALSE(Uuid::Parse("00112233-4455-6677-8899-aabbccddeefg"));
  EXPECT_FALSE(Uuid::Parse("0011223 -4455-6677-8899-aabbccddeeff"));
  EXPECT_FALSE(Uuid::Parse("00112233-44x5-6677-8899-aabbccddeeff"));
  EXPECT_FALSE(Uuid::Parse(std::string("00112233-4455-6677-8899-aabbccddee\0f", 36)));
}

TEST(UuidTest, ParseRejectsMisplacedDashes) {
  EXPECT_FALSE(Uuid::Parse("0011223-34455-6677-8899-aabbccddeeff"));
  EXPECT_FALSE(Uuid::Parse("00112233-44556-677-8899-aabbccddeeff"));
  EXPECT_FALSE(Uuid::Parse("00112233-4455-66778-899-aabbccddeeff"));
  EXPECT_FALSE(Uuid::Parse("00112233-4455-6677-88990aabbccddeeff"));
  EXPECT_FALSE(Uuid::Parse("00112233_4455_6677_8899_aabbccddeeff"));
  EXPECT_FALSE(Uuid::Parse("------------------------------------"));
}

}  // namespace
}  // namespace cdp
