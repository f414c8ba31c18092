#include "query/trends/trends_timeline.h"

#include <gtest/gtest.h>

#include <algorithm>
#include <random>

namespace cdp::query {
namespace {

TrendsRequest MakeRequest(std::string_view zone, Interval interval, std::string_view from,
                          std::string_view to, std::vector<TrendsMath> maths, bool compare) {
  TrendsRequest request;
  request.from = *ParseRequestTime(from);
  request.to = *ParseRequestTime(to);
  request.interval = interval;
  request.time_zone = *TimeZone::Load(zone, "time_zone");
  for (const TrendsMath math : maths) request.series.emplace_back().math = math;
  request.compare = compare;
  request.periods.push_back(
      {request.from, request.to,
       *TimeBuckets::Make(request.time_zone, interval, request.from, request.to, "to")});
  if (compare) {
    const TimePoint previous = request.from - (request.to - request.from);
    request.periods.push_back(
        {previous, request.from,
         *TimeBuckets::Make(request.time_zone, interval, previous, request.from, "to")});
  }
  return request;
}

// Every instant of the axis: in the slice the bounds say, in the bucket
// TimeBuckets says, and in the windows whose [start, end) holds it.
void CheckAgainstDefinitions(const TrendsRequest& request, uint64_t seed) {
  const TrendsTimeline timeline(request);
  std::mt19937_64 random(seed);
  const int64_t begin = timeline.begin_micros();
  const int64_t end = timeline.end_micros();
  EXPECT_EQ(timeline.SliceOf(begin - 1), -1);
  EXPECT_EQ(timeline.SliceOf(end), -1);
  EXPECT_EQ(timeline.SliceOf(begin), 0);
  EXPECT_EQ(timeline.SliceOf(end - 1), static_cast<int>(timeline.slices()) - 1);
  for (int i = 0; i < 3000; ++i) {
    // Half on the hour (edges), half anywhere.
    int64_t micros = begin + int64_t(random() % uint64_t(end - begin));
    if (i % 2 == 0) micros -= micros % 3'600'000'000;
    if (micros < begin) continue;
    const int slice = timeline.SliceOf(micros);
    ASSERT_GE(slice, 0);
    for (size_t p = 0; p < request.periods.size(); ++p) {
      const TrendsPeriod& period = request.periods[p];
      const bool inside = micros >= UnixMicros(period.from) && micros < UnixMicros(period.to);
      const int expected_bucket = inside ? period.buckets.Index(micros) : -1;
      EXPECT_EQ(timeline.BucketOf(p, size_t(slice)), expected_bucket) << micros;
      for (const int days : {7, 30}) {
        const bool wanted =
            std::any_of(request.series.begin(), request.series.end(),
                        [&](const auto& s) { return WindowDaysOf(s.math) == days; });
        if (!wanted) continue;
        const TrendsTimeline::Range buckets = timeline.WindowBucketsOf(p, days, size_t(slice));
        for (size_t b = 0; b < period.buckets.size(); ++b) {
          const TimePoint bucket_end =
              b + 1 < period.buckets.size() ? period.buckets.start(b + 1) : period.to;
          const int64_t window_start = UnixMicros(WindowStart(request.time_zone, bucket_end, days));
          const bool in_window = micros >= window_start && micros < UnixMicros(bucket_end);
          EXPECT_EQ(in_window, b >= buckets.first && b < buckets.last)
              << "micros " << micros << " bucket " << b << " days " << days;
        }
      }
    }
  }
}

TEST(TrendsTimelineTest, SlicesBucketsAndWindowsMatchTheirDefinitions) {
  CheckAgainstDefinitions(MakeRequest("Europe/Paris", Interval::kHour, "2026-03-28T10:00:00Z",
                                      "2026-03-30T00:00:00Z", {TrendsMath::kWau}, true),
                          1);
  CheckAgainstDefinitions(
      MakeRequest("Europe/Paris", Interval::kDay, "2026-10-20", "2026-11-03T13:30:00+01:00",
                  {TrendsMath::kWau, TrendsMath::kMau}, true),
      2);
  CheckAgainstDefinitions(MakeRequest("America/New_York", Interval::kWeek, "2026-02-11",
                                      "2026-04-01", {TrendsMath::kMau, TrendsMath::kTotal}, false),
                          3);
  CheckAgainstDefinitions(MakeRequest("Asia/Kolkata", Interval::kMonth, "2026-01-15", "2026-06-01",
                                      {TrendsMath::kTotal}, true),
                          4);
  CheckAgainstDefinitions(MakeRequest("UTC", Interval::kHour, "2026-03-01T00:00:01.5Z",
                                      "2026-03-01T05:00:00Z", {TrendsMath::kWau}, false),
                          5);
}

TEST(TrendsTimelineTest, BucketsAreClippedToThePeriod) {
  // The week holding `from` starts on the Monday before it; its slices start
  // at `from`, and the previous period's last bucket ends there.
  const TrendsRequest request =
      MakeRequest("UTC", Interval::kWeek, "2026-03-04", "2026-03-18", {TrendsMath::kTotal}, true);
  const TrendsTimeline timeline(request);
  ASSERT_EQ(timeline.buckets(0).size(), 3u);
  const int from_slice = timeline.SliceOf(UnixMicros(request.from));
  EXPECT_EQ(timeline.buckets(0)[0].first, uint32_t(from_slice));
  EXPECT_EQ(timeline.period(1).last, uint32_t(from_slice));
  EXPECT_EQ(timeline.period(0).first, uint32_t(from_slice));
  EXPECT_EQ(timeline.period(0).last, timeline.slices());
}

TEST(TrendsTimelineTest, WindowStartFollowsTheWallClock) {
  const TimeZone paris = *TimeZone::Load("Europe/Paris", "tz");
  // Midnight of 2026-04-01 in Paris (CEST) minus 7 days is midnight of
  // 2026-03-25 (CET): 7 x 24 h minus the hour the clocks lost.
  const TimePoint end = *ParseRequestTime("2026-04-01T00:00:00+02:00");
  EXPECT_EQ(WindowStart(paris, end, 7), *ParseRequestTime("2026-03-25T00:00:00+01:00"));
  // Sub-seconds are kept.
  const TimePoint odd = *ParseRequestTime("2026-04-01T10:00:00.25Z");
  EXPECT_EQ(WindowStart(TimeZone::Utc(), odd, 30), *ParseRequestTime("2026-03-02T10:00:00.25Z"));
  // A wall-clock time the clocks skipped resolves to the end of the gap.
  const TimePoint after_gap = *ParseRequestTime("2026-04-05T02:30:00+02:00");
  EXPECT_EQ(WindowStart(paris, after_gap, 7), *ParseRequestTime("2026-03-29T03:00:00+02:00"));
}

}  // namespace
}  // namespace cdp::query
