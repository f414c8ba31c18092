#include "query/time_buckets.h"

#include <gtest/gtest.h>

#include "core/iso8601.h"

namespace cdp::query {
namespace {

TimePoint At(std::string_view text) { return *ParseIso8601DateTime(text); }

std::vector<std::string> Labels(const TimeBuckets& buckets) {
  std::vector<std::string> labels;
  for (size_t i = 0; i < buckets.size(); ++i) labels.push_back(buckets.Label(i));
  return labels;
}

TEST(TimeZoneTest, RefusesUnknownNames) {
  EXPECT_EQ(TimeZone::Load("Mars/Olympus", "time_zone").status().field(), "time_zone");
  EXPECT_EQ(TimeZone::Load("", "time_zone").status().code(), ErrorCode::kBadRequest);
  EXPECT_TRUE(TimeZone::Load("Europe/Paris", "time_zone").ok());
}

TEST(TimeBucketsTest, DaysInAZoneStartAtLocalMidnight) {
  const TimeZone paris = *TimeZone::Load("Europe/Paris", "tz");
  const auto buckets = *TimeBuckets::Make(paris, Interval::kDay, At("2026-01-10T12:00:00Z"),
                                          At("2026-01-12T00:00:00Z"), "interval");
  EXPECT_EQ(Labels(buckets),
            (std::vector<std::string>{"2026-01-10T00:00:00+01:00", "2026-01-11T00:00:00+01:00",
                                      "2026-01-12T00:00:00+01:00"}));
  // 23:30 UTC on the 11th is already the 12th in Paris.
  EXPECT_EQ(buckets.Index(UnixMicros(At("2026-01-11T23:30:00Z"))), 2);
  EXPECT_EQ(buckets.Index(UnixMicros(At("2026-01-11T22:59:59Z"))), 1);
  EXPECT_EQ(buckets.Index(UnixMicros(At("2026-01-12T00:00:00Z"))), -1);  // `to` is excluded
  EXPECT_EQ(buckets.Index(UnixMicros(At("2026-01-09T22:00:00Z"))), -1);  // before the first
}

TEST(TimeBucketsTest, TheDayClocksGoForwardIsTwentyThreeHours) {
  const TimeZone paris = *TimeZone::Load("Europe/Paris", "tz");
  const auto days = *TimeBuckets::Make(paris, Interval::kDay, At("2026-03-29T00:00:00+01:00"),
                                       At("2026-03-31T00:00:00+02:00"), "interval");
  ASSERT_EQ(days.size(), 2u);
  EXPECT_EQ(days.start(1) - days.start(0), std::chrono::hours(23));
  // Hours: 02:00 does not exist that night, so it is no bucket.
  const auto hours = *TimeBuckets::Make(paris, Interval::kHour, At("2026-03-29T01:00:00+01:00"),
                                        At("2026-03-29T04:00:00+02:00"), "interval");
  EXPECT_EQ(Labels(hours),
            (std::vector<std::string>{"2026-03-29T01:00:00+01:00", "2026-03-29T03:00:00+02:00"}));
}

TEST(TimeBucketsTest, TheHourThatHappensTwiceIsOneBucket) {
  const TimeZone paris = *TimeZone::Load("Europe/Paris", "tz");
  const auto hours = *TimeBuckets::Make(paris, Interval::kHour, At("2026-10-25T01:00:00+02:00"),
                                        At("2026-10-25T04:00:00+01:00"), "interval");
  EXPECT_EQ(Labels(hours),
            (std::vector<std::string>{"2026-10-25T01:00:00+02:00", "2026-10-25T02:00:00+02:00",
                                      "2026-10-25T03:00:00+01:00"}));
  EXPECT_EQ(hours.start(2) - hours.start(1), std::chrono::hours(2));
  EXPECT_EQ(hours.Index(UnixMicros(At("2026-10-25T02:30:00+01:00"))), 1);
}

TEST(TimeBucketsTest, WeeksStartOnMondayAndMonthsOnTheFirst) {
  const TimeZone utc = TimeZone::Utc();
  const auto weeks = *TimeBuckets::Make(utc, Interval::kWeek, At("2026-11-26T10:00:00Z"),
                                        At("2026-12-01T00:00:00Z"), "interval");
  EXPECT_EQ(Labels(weeks),
            (std::vector<std::string>{"2026-11-23T00:00:00+00:00", "2026-11-30T00:00:00+00:00"}));
  const auto months = *TimeBuckets::Make(utc, Interval::kMonth, At("2026-01-31T00:00:00Z"),
                                         At("2026-03-01T00:00:00Z"), "interval");
  EXPECT_EQ(Labels(months),
            (std::vector<std::string>{"2026-01-01T00:00:00+00:00", "2026-02-01T00:00:00+00:00"}));
}

TEST(TimeBucketsTest, RefusesRangesWithTooManyBuckets) {
  const auto buckets =
      TimeBuckets::Make(TimeZone::Utc(), Interval::kHour, At("2020-01-01T00:00:00Z"),
                        At("2026-01-01T00:00:00Z"), "interval");
  EXPECT_EQ(buckets.status().field(), "interval");
}

}  // namespace
}  // namespace cdp::query
