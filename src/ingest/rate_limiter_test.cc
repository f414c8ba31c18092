#include "ingest/rate_limiter.h"

#include <gtest/gtest.h>

#include <atomic>
#include <string>
#include <thread>
#include <vector>

namespace cdp::ingest {
namespace {

using namespace std::chrono_literals;
using std::chrono::seconds;

constexpr std::chrono::sys_days kDay0{std::chrono::year{2026} / 3 / 4};
// 10:00:00 UTC: a whole second, and a multiple of every burst window below.
const TimePoint kT0 = kDay0 + 10h;

// Limits under which only the per-second limit can bind.
RateLimits PerSecondOnly(double events_per_second) {
  return {.events_per_second = events_per_second,
          .burst_events = 1'000'000,
          .burst_window = 5s,
          .events_per_day = 1'000'000'000};
}

class RateLimiterTest : public ::testing::Test {
 protected:
  void ExpectRefused(const RateDecision& decision, std::string_view limit_name,
                     seconds retry_after) {
    EXPECT_FALSE(decision.admitted());
    EXPECT_EQ(decision.status.code(), ErrorCode::kTooManyRequests);
    EXPECT_NE(decision.status.message().find(limit_name), std::string::npos)
        << decision.status.message();
    EXPECT_EQ(decision.status.retry_after(), retry_after);
    // X-RateLimit-Reset and Retry-After always agree on a refusal.
    EXPECT_EQ(decision.reset_at, clock_.Now() + retry_after);
  }

  ManualClock clock_{kT0};
};

TEST_F(RateLimiterTest, SteadyRateBelowTheLimitIsAdmitted) {
  RateLimiter limiter(clock_);              // the default tier: 100 a second, 500 in 5 s, 1M a day
  clock_.Advance(50ms);                     // off the window boundaries
  for (int tick = 0; tick < 600; ++tick) {  // a minute of 9 events every 100 ms
    const RateDecision decision = limiter.TryAcquire("w", 9);
    ASSERT_TRUE(decision.admitted()) << "tick " << tick << ": " << decision.status.ToString();
    clock_.Advance(100ms);
  }
  const RateDecision last = limiter.TryAcquire("w", 9);
  ASSERT_TRUE(last.admitted());
  EXPECT_EQ(last.limit_today, 1'000'000);
  EXPECT_EQ(last.remaining_today, 1'000'000 - 601 * 9);
  EXPECT_EQ(last.reset_at, kDay0 + 24h);  // the daily quota refills at UTC midnight
}

TEST_F(RateLimiterTest, BurstOverThePerSecondLimitIsRefusedWithRetryAfter) {
  RateLimiter limiter(clock_);
  clock_.Advance(500ms);
  ASSERT_TRUE(limiter.TryAcquire("w", 100).admitted());

  // 50 more fit once the estimate of the last second has fallen to 50: at
  // 1.5 s, halfway through the next window, one second from now.
  ExpectRefused(limiter.TryAcquire("w", 50), "rate limit of 100 events per second", 1s);
  clock_.Advance(999ms);
  ExpectRefused(limiter.TryAcquire("w", 50), "rate limit of 100 events per second", 1s);
  clock_.Advance(1ms);
  EXPECT_TRUE(limiter.TryAcquire("w", 50).admitted());
}

TEST_F(RateLimiterTest, RetryAfterRoundsUpToWholeSeconds) {
  RateLimiter limiter(clock_);
  ASSERT_TRUE(limiter.TryAcquire("w", 100).admitted());
  // One more fits at 1.01 s (100 x 0.99 + 1 = 100): 1.01 s away, said as 2.
  const RateDecision refused = limiter.TryAcquire("w", 1);
  ExpectRefused(refused, "per second", 2s);
  EXPECT_EQ(refused.remaining_today, 1'000'000 - 100);
  EXPECT_EQ(refused.limit_today, 1'000'000);
  clock_.Advance(1s);
  ExpectRefused(limiter.TryAcquire("w", 1), "per second", 1s);
  clock_.Advance(1s);
  EXPECT_TRUE(limiter.TryAcquire("w", 1).admitted());
}

TEST_F(RateLimiterTest, CapacityReturnsGraduallyAsTheWindowSlides) {
  RateLimiter limiter(clock_, PerSecondOnly(100));
  ASSERT_TRUE(limiter.TryAcquire("w", 100).admitted());

  clock_.Advance(1250ms);  // the estimate: 100 x 0.75 = 75
  EXPECT_FALSE(limiter.TryAcquire("w", 26).admitted());
  EXPECT_TRUE(limiter.TryAcquire("w", 25).admitted());
  EXPECT_FALSE(limiter.TryAcquire("w", 1).admitted());

  clock_.Advance(500ms);  // 100 x 0.25 + 25 = 50
  EXPECT_FALSE(limiter.TryAcquire("w", 51).admitted());
  EXPECT_TRUE(limiter.TryAcquire("w", 50).admitted());

  clock_.Advance(250ms);  // a new window: 75 x 1.0
  EXPECT_FALSE(limiter.TryAcquire("w", 26).admitted());
  EXPECT_TRUE(limiter.TryAcquire("w", 25).admitted());

  clock_.Advance(2s);  // two windows on, nothing is left
  EXPECT_TRUE(limiter.TryAcquire("w", 100).admitted());
}

TEST_F(RateLimiterTest, BurstWindowLimitsEventsOverSeveralSeconds) {
  RateLimiter limiter(clock_, {.events_per_second = 1000,
                               .burst_events = 500,
                               .burst_window = 5s,
                               .events_per_day = 1'000'000});
  ASSERT_TRUE(limiter.TryAcquire("w", 300).admitted());
  clock_.Advance(1s);
  ASSERT_TRUE(limiter.TryAcquire("w", 200).admitted());
  clock_.Advance(1s);

  // One more fits at 5.01 s (500 x 0.998 + 1): 3.01 s from now, said as 4.
  ExpectRefused(limiter.TryAcquire("w", 1), "burst limit of 500 events per 5 seconds", 4s);

  clock_.Advance(4s);  // 6 s: 500 x 0.8 = 400
  EXPECT_FALSE(limiter.TryAcquire("w", 101).admitted());
  EXPECT_TRUE(limiter.TryAcquire("w", 100).admitted());
}

TEST_F(RateLimiterTest, TheLongestWaitBindsWhenSeveralLimitsRefuse) {
  RateLimiter limiter(clock_, {.events_per_second = 100,
                               .burst_events = 150,
                               .burst_window = 10s,
                               .events_per_day = 1'000'000});
  ASSERT_TRUE(limiter.TryAcquire("w", 100).admitted());
  clock_.Advance(2s);
  ASSERT_TRUE(limiter.TryAcquire("w", 50).admitted());
  // Per second: 50 + 60 > 100; fits at 3 + (1 - 40 / 50) = 3.2 s. Burst:
  // 150 + 60 > 150; fits at 10 + 10 x (1 - 90 / 150) = 14 s. Both refuse;
  // the longer wait binds.
  ExpectRefused(limiter.TryAcquire("w", 60), "burst limit of 150 events per 10 seconds", 12s);
}

TEST_F(RateLimiterTest, DailyCapResetsAtUtcMidnight) {
  clock_.Set(kDay0 + 23h + 59min);
  RateLimiter limiter(clock_, {.events_per_second = 1000,
                               .burst_events = 10'000,
                               .burst_window = 5s,
                               .events_per_day = 1000});
  ASSERT_TRUE(limiter.TryAcquire("w", 600).admitted());
  clock_.Advance(10s);
  const RateDecision full = limiter.TryAcquire("w", 400);
  ASSERT_TRUE(full.admitted());
  EXPECT_EQ(full.remaining_today, 0);
  EXPECT_EQ(full.reset_at, kDay0 + 24h);

  clock_.Advance(10s);  // 23:59:20
  const RateDecision refused = limiter.TryAcquire("w", 1);
  ExpectRefused(refused, "daily limit of 1000 events per UTC day", 40s);
  EXPECT_EQ(refused.remaining_today, 0);
  EXPECT_EQ(refused.reset_at, kDay0 + 24h);

  clock_.Advance(39s);
  ExpectRefused(limiter.TryAcquire("w", 1), "daily limit", 1s);
  clock_.Advance(1s);  // midnight
  const RateDecision next_day = limiter.TryAcquire("w", 1);
  ASSERT_TRUE(next_day.admitted());
  EXPECT_EQ(next_day.remaining_today, 999);
  EXPECT_EQ(next_day.reset_at, kDay0 + 48h);
}

TEST_F(RateLimiterTest, AdmissionIsAllOrNothing) {
  RateLimiter limiter(clock_);
  ASSERT_TRUE(limiter.TryAcquire("w", 60).admitted());
  const RateDecision refused = limiter.TryAcquire("w", 50);
  EXPECT_FALSE(refused.admitted());
  EXPECT_EQ(refused.remaining_today, 1'000'000 - 60);  // counted none of the 50
  const RateDecision rest = limiter.TryAcquire("w", 40);
  ASSERT_TRUE(rest.admitted());
  EXPECT_EQ(rest.remaining_today, 1'000'000 - 100);
  EXPECT_FALSE(limiter.TryAcquire("w", 1).admitted());
}

TEST_F(RateLimiterTest, BatchLargerThanAWindowMustBeSplit) {
  RateLimiter limiter(clock_, {.events_per_second = 100,
                               .burst_events = 300,
                               .burst_window = 5s,
                               .events_per_day = 1'000'000});
  const RateDecision per_second = limiter.TryAcquire("w", 101);
  ExpectRefused(per_second, "exceeds the rate limit of 100 events per second", 1s);
  EXPECT_NE(per_second.status.message().find("split"), std::string::npos);

  limiter.SetLimits("w", {.events_per_second = 1000,
                          .burst_events = 300,
                          .burst_window = 5s,
                          .events_per_day = 1'000'000});
  const RateDecision burst = limiter.TryAcquire("w", 301);
  ExpectRefused(burst, "exceeds the burst limit of 300 events per 5 seconds", 5s);
  EXPECT_NE(burst.status.message().find("split"), std::string::npos);

  // Neither refusal counted anything.
  EXPECT_EQ(limiter.TryAcquire("w", 300).remaining_today, 1'000'000 - 300);
}

TEST_F(RateLimiterTest, OverridesApplyToOneWorkspaceAndWorkspacesAreIsolated) {
  RateLimiter limiter(clock_);
  limiter.SetLimits("big", PerSecondOnly(1000));

  ASSERT_TRUE(limiter.TryAcquire("small", 100).admitted());
  ExpectRefused(limiter.TryAcquire("small", 1), "rate limit of 100 events per second", 2s);
  EXPECT_TRUE(limiter.TryAcquire("big", 1000).admitted());
  EXPECT_TRUE(limiter.TryAcquire("other", 100).admitted());  // not slowed by "small"

  // Back to the defaults, with its 1000 events still counted. One more event
  // fits the default 100 a second at 1.901 s, and 500 in 5 s at 7.505 s.
  limiter.ClearLimits("big");
  ExpectRefused(limiter.TryAcquire("big", 1), "burst limit of 500 events per 5 seconds", 8s);
  EXPECT_EQ(limiter.TryAcquire("small", 0).remaining_today, 1'000'000 - 100);
}

TEST_F(RateLimiterTest, AClockSteppingBackDoesNotRefillCapacity) {
  RateLimiter limiter(clock_, PerSecondOnly(100));
  clock_.Advance(500ms);
  ASSERT_TRUE(limiter.TryAcquire("w", 100).admitted());
  clock_.Set(kT0 - 10s);
  EXPECT_FALSE(limiter.TryAcquire("w", 1).admitted());
}

TEST_F(RateLimiterTest, IdleWorkspacesAreDroppedAfterADay) {
  RateLimiter limiter(clock_);
  for (int i = 0; i < 64; ++i)
    ASSERT_TRUE(limiter.TryAcquire("w" + std::to_string(i), 1).admitted());
  // Enough probes to reach every shard, which sweeps on its first request of the hour.
  const auto probe_every_shard = [&] {
    for (int i = 0; i < 256; ++i) (void)limiter.TryAcquire("probe" + std::to_string(i), 0);
  };

  clock_.Advance(1h);  // still the same day: today's counts must be kept
  probe_every_shard();
  EXPECT_EQ(limiter.TrackedWorkspaces(), 64u + 256u);

  clock_.Advance(24h);
  probe_every_shard();
  EXPECT_EQ(limiter.TrackedWorkspaces(), 256u);
}

TEST_F(RateLimiterTest, ConcurrentRequestsNeverExceedTheLimit) {
  // A frozen clock: everything admitted falls in one window of each limit.
  RateLimiter limiter(clock_, PerSecondOnly(1000));
  constexpr int kThreads = 8;
  const std::vector<std::string> workspaces = {"a", "b", "c"};
  std::vector<std::atomic<int64_t>> admitted(workspaces.size());
  std::vector<std::thread> threads;
  for (int t = 0; t < kThreads; ++t) {
    threads.emplace_back([&, t] {
      for (int i = 0; i < 3000; ++i) {
        const size_t w = (t + i) % workspaces.size();
        const int64_t events = 1 + (i + t) % 7;
        if (limiter.TryAcquire(workspaces[w], events).admitted()) admitted[w] += events;
      }
    });
  }
  for (auto& thread : threads) thread.join();
  for (size_t w = 0; w < workspaces.size(); ++w) {
    EXPECT_LE(admitted[w].load(), 1000) << workspaces[w];
    EXPECT_GE(admitted[w].load(), 994) << workspaces[w];  // one-event requests fill the rest
    EXPECT_EQ(limiter.TryAcquire(workspaces[w], 0).remaining_today,
              1'000'000'000 - admitted[w].load());
  }
}

}  // namespace
}  // namespace cdp::ingest
