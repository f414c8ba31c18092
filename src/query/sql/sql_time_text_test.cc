#include "query/sql/sql_time_text.h"

#include <gtest/gtest.h>

#include <random>
#include <string>

#include "core/clock.h"
#include "core/iso8601.h"

namespace cdp::query {
namespace {

int64_t Micros(std::string_view text) { return UnixMicros(*ParseIso8601DateTime(text)); }

TEST(SqlTimeTextTest, Formats) {
  EXPECT_EQ(SqlTimeText(0), "1970-01-01T00:00:00.000000Z");
  EXPECT_EQ(SqlTimeText(Micros("2026-03-01T10:00:00.123456Z")), "2026-03-01T10:00:00.123456Z");
  EXPECT_EQ(SqlTimeText(Micros("2024-02-29T23:59:59.999999Z")), "2024-02-29T23:59:59.999999Z");
  EXPECT_EQ(SqlTimeText(-1), "1969-12-31T23:59:59.999999Z");
  EXPECT_EQ(SqlTimeText(Micros("1700-01-01T00:00:00Z")), "1700-01-01T00:00:00.000000Z");
  EXPECT_EQ(SqlTimeText(MinSqlTimeMicros()).substr(0, 4), "1677");
  EXPECT_EQ(SqlTimeText(MaxSqlTimeMicros()).substr(0, 4), "2262");
}

// Texts sort as their times: bytewise order is time order.
TEST(SqlTimeTextTest, TextOrderIsTimeOrder) {
  std::mt19937_64 random(7);
  std::uniform_int_distribution<int64_t> any(MinSqlTimeMicros(), MaxSqlTimeMicros());
  for (int i = 0; i < 20'000; ++i) {
    const int64_t a = i % 2 == 0 ? any(random) : int64_t(random() % 4'000'000) - 2'000'000;
    const int64_t b = i % 3 == 0 ? a + int64_t(random() % 3) - 1 : any(random);
    const std::string x = SqlTimeText(a);
    const std::string y = SqlTimeText(b);
    ASSERT_EQ(x.size(), kSqlTimeTextSize);
    ASSERT_EQ(a < b, x < y) << x << " " << y;
    ASSERT_EQ(a == b, x == y);
  }
}

TEST(SqlTimeTextTest, BoundsOfComparisons) {
  const int64_t midnight = Micros("2026-03-01T00:00:00Z");
  EXPECT_EQ(FirstSqlTimeNotBefore("2026-03-01"), midnight);
  EXPECT_EQ(FirstSqlTimeAfter("2026-03-01"), midnight);
  EXPECT_EQ(FirstSqlTimeNotBefore("2026-03-01T00:00:00.000000Z"), midnight);
  EXPECT_EQ(FirstSqlTimeAfter("2026-03-01T00:00:00.000000Z"), midnight + 1);
  // "...10:00:00Z" sorts after every "...10:00:00.dddddd Z" ('.' < 'Z').
  EXPECT_EQ(FirstSqlTimeNotBefore("2026-03-01T10:00:00Z"), Micros("2026-03-01T10:00:01Z"));
  EXPECT_EQ(FirstSqlTimeNotBefore("2026"), Micros("2026-01-01T00:00:00Z"));
  EXPECT_EQ(FirstSqlTimeNotBefore("a"), MaxSqlTimeMicros() + 1);
  EXPECT_EQ(FirstSqlTimeNotBefore(""), MinSqlTimeMicros());
  EXPECT_EQ(FirstSqlTimeAfter(""), MinSqlTimeMicros());
  EXPECT_EQ(FirstSqlTimeNotBefore("0"), MinSqlTimeMicros());
  // The definition, on random texts near real times.
  std::mt19937_64 random(8);
  for (int i = 0; i < 2'000; ++i) {
    std::string text =
        SqlTimeText(Micros("2026-01-01T00:00:00Z") + int64_t(random() % 1'000'000'000'000));
    text.resize(random() % (text.size() + 1));
    if (!text.empty() && random() % 2) text.back() = char('0' + random() % 75);
    const int64_t not_before = FirstSqlTimeNotBefore(text);
    const int64_t after = FirstSqlTimeAfter(text);
    // Each bound is the first time on its side of the text (or one past the
    // last time, when none is).
    const auto check = [&](int64_t bound, auto on_side) {
      if (bound <= MaxSqlTimeMicros()) {
        ASSERT_TRUE(on_side(SqlTimeText(bound))) << text;
      }
      if (bound > MinSqlTimeMicros()) {
        ASSERT_FALSE(on_side(SqlTimeText(bound - 1))) << text;
      }
    };
    check(not_before, [&](const std::string& t) { return t >= text; });
    check(after, [&](const std::string& t) { return t > text; });
  }
}

}  // namespace
}  // namespace cdp::query
