#include "core/clock.h"

#include <gtest/gtest.h>

#include <chrono>

namespace cdp {
namespace {

using std::chrono::days;
using std::chrono::hours;
using std::chrono::milliseconds;
using std::chrono::minutes;
using std::chrono::seconds;

// 2026-11-25T21:06:11.123Z
TimePoint KnownInstant() { return TimePoint(seconds(1'795'640'771)) + milliseconds(123); }

TEST(ManualClockTest, StartsAtGivenTime) {
  EXPECT_EQ(ManualClock().Now(), TimePoint{});
  EXPECT_EQ(ManualClock(KnownInstant()).Now(), KnownInstant());
}

TEST(ManualClockTest, SetAndAdvance) {
  ManualClock clock;
  clock.Set(KnownInstant());
  EXPECT_EQ(clock.Now(), KnownInstant());
  // Reading does not move the clock.
  EXPECT_EQ(clock.Now(), KnownInstant());

  clock.Advance(milliseconds(877));
  EXPECT_EQ(clock.Now(), KnownInstant() + milliseconds(877));
  clock.Advance(hours(1));
  EXPECT_EQ(clock.Now(), KnownInstant() + hours(1) + milliseconds(877));

  // Set may move it backwards.
  clock.Set(TimePoint{});
  EXPECT_EQ(clock.Now(), TimePoint{});
}

TEST(ManualClockTest, UsableThroughClockInterface) {
  ManualClock manual(KnownInstant());
  const Clock& clock = manual;
  manual.Advance(seconds(1));
  EXPECT_EQ(clock.Now(), KnownInstant() + seconds(1));
}

TEST(SystemClockTest, FollowsSystemClock) {
  const TimePoint before = std::chrono::system_clock::now();
  const TimePoint now = SystemClock::Instance().Now();
  const TimePoint after = std::chrono::system_clock::now();
  EXPECT_LE(before, now);
  EXPECT_LE(now, after);
  EXPECT_EQ(&SystemClock::Instance(), &SystemClock::Instance());
}

TEST(FormatIso8601Test, Epoch) {
  EXPECT_EQ(FormatIso8601(TimePoint{}), "1970-01-01T00:00:00.000Z");
}

TEST(FormatIso8601Test, KnownInstantWithMilliseconds) {
  EXPECT_EQ(FormatIso8601(KnownInstant()), "2026-11-25T21:06:11.123Z");
  EXPECT_EQ(FormatIso8601(KnownInstant() + milliseconds(876)), "2026-11-25T21:06:11.999Z");
  EXPECT_EQ(FormatIso8601(KnownInstant() + milliseconds(877)), "2026-11-25T21:06:12.000Z");
}

TEST(FormatIso8601Test, TruncatesBelowMilliseconds) {
  // Sub-millisecond digits are dropped, never rounded up into the next millisecond.
  const TimePoint t = KnownInstant() + std::chrono::microseconds(999);
  EXPECT_EQ(FormatIso8601(t), "2026-11-25T21:06:11.123Z");
}

TEST(FormatIso8601Test, LeapDay) {
  using namespace std::chrono;
  const TimePoint leap_day = sys_days(year(2024) / February / 29) + hours(23) + minutes(59) +
                             seconds(59) + milliseconds(7);
  EXPECT_EQ(FormatIso8601(leap_day), "2024-02-29T23:59:59.007Z");
  EXPECT_EQ(FormatIso8601(leap_day + milliseconds(993)), "2024-03-01T00:00:00.000Z");
}

TEST(FormatIso8601Test, EndOfYear) {
  using namespace std::chrono;
  const TimePoint t = sys_days(year(1999) / December / 31) + hours(23) + minutes(59) + seconds(59);
  EXPECT_EQ(FormatIso8601(t), "1999-12-31T23:59:59.000Z");
  EXPECT_EQ(FormatIso8601(t + seconds(1)), "2000-01-01T00:00:00.000Z");
}

TEST(FormatIso8601Test, BeforeEpoch) {
  // Times before 1970 count backwards from the epoch: the fields are still
  // the calendar ones, never negative.
  EXPECT_EQ(FormatIso8601(TimePoint{} - milliseconds(1)), "1969-12-31T23:59:59.999Z");
  EXPECT_EQ(FormatIso8601(TimePoint{} - days(1)), "1969-12-31T00:00:00.000Z");
  using namespace std::chrono;
  const TimePoint moon_landing =
      sys_days(year(1969) / July / 20) + hours(20) + minutes(17) + seconds(40) + milliseconds(5);
  EXPECT_EQ(FormatIso8601(moon_landing), "1969-07-20T20:17:40.005Z");
}

TEST(UnixMillisTest, CountsMillisecondsSinceEpoch) {
  EXPECT_EQ(UnixMillis(TimePoint{}), 0);
  EXPECT_EQ(UnixMillis(KnownInstant()), 1'795'640'771'123);
  EXPECT_EQ(UnixMillis(KnownInstant() + std::chrono::microseconds(999)), 1'795'640'771'123);
  EXPECT_EQ(UnixMillis(TimePoint{} - seconds(1)), -1000);
}

TEST(UnixMillisTest, MatchesManualClock) {
  ManualClock clock(KnownInstant());
  clock.Advance(milliseconds(5));
  EXPECT_EQ(UnixMillis(clock.Now()), 1'795'640'771'128);
}

}  // namespace
}  // namespace cdp
