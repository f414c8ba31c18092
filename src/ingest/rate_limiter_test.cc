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
RateLimits PerSecondOnly(double requests_per_second) {
  return {.requests_per_second = requests_per_second,
          .burst_requests = 1'000'000,
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

  // Sends requests of `events` events each until one is refused or `max`
  // were admitted; returns how many were admitted.
  static int AdmitUntilRefused(RateLimiter& limiter, std::string_view workspace, int max,
                               int64_t events = 1) {
    for (int admitted = 0; admitted < max; ++admitted) {
      if (!limiter.TryAcquire(workspace, events).admitted()) return admitted;
    }
    return max;
  }

  // Sends `count` requests, all of which must be admitted.
  static void Admit(RateLimiter& limiter, std::string_view workspace, int count,
                    int64_t events = 1) {
    ASSERT_EQ(AdmitUntilRefused(limiter, workspace, count, events), count);
  }

  ManualClock clock_{kT0};
};

TEST_F(RateLimiterTest, SteadyRateBelowTheLimitIsAdmitted) {
  RateLimiter limiter(
      clock_);           // the default tier: 100 requests a second, 500 in 5 s, 1M events a day
  clock_.Advance(50ms);  // off the window boundaries
  for (int tick = 0; tick < 600; ++tick) {  // a minute of 9 requests every 100 ms
    for (int request = 0; request < 9; ++request) {
      const RateDecision decision = limiter.TryAcquire("w", 100);
      ASSERT_TRUE(decision.admitted()) << "tick " << tick << ": " << decision.status.ToString();
    }
    clock_.Advance(100ms);
  }
  const RateDecision last = limiter.TryAcquire("w", 100);
  ASSERT_TRUE(last.admitted());
  EXPECT_EQ(last.limit_today, 1'000'000);
  EXPECT_EQ(last.remaining_today, 1'000'000 - (600 * 9 + 1) * 100);
  EXPECT_EQ(last.reset_at, kDay0 + 24h);  // the daily quota refills at UTC midnight
}

// The default tier admits Segment's largest batches: the rate counts requests.
TEST_F(RateLimiterTest, LargeBatchesCountAsOneRequestEach) {
  RateLimiter limiter(clock_);
  const RateDecision first = limiter.TryAcquire("w", 2500);
  ASSERT_TRUE(first.admitted()) << first.status.ToString();
  EXPECT_EQ(first.remaining_today, 1'000'000 - 2500);
  Admit(limiter, "w", 99, 2500);  // 100 requests in this second, 250,000 events
  ExpectRefused(limiter.TryAcquire("w", 1), "rate limit of 100 requests per second", 2s);
  ExpectRefused(limiter.TryAcquire("w", 0), "rate limit of 100 requests per second", 2s);
}

TEST_F(RateLimiterTest, BurstOverThePerSecondLimitIsRefusedWithRetryAfter) {
  RateLimiter limiter(clock_);
  clock_.Advance(500ms);
  Admit(limiter, "w", 100, 10);

  // One more fits once the estimate of the last second has fallen to 99: at
  // 1.01 s, 510 ms from now.
  ExpectRefused(limiter.TryAcquire("w", 10), "rate limit of 100 requests per second", 1s);
  clock_.Advance(509ms);
  ExpectRefused(limiter.TryAcquire("w", 10), "rate limit of 100 requests per second", 1s);
  clock_.Advance(1ms);
  EXPECT_TRUE(limiter.TryAcquire("w", 10).admitted());
  EXPECT_FALSE(limiter.TryAcquire("w", 10).admitted());
}

TEST_F(RateLimiterTest, RetryAfterRoundsUpToWholeSeconds) {
  RateLimiter limiter(clock_);
  Admit(limiter, "w", 100, 10);
  // One more fits at 1.01 s (100 x 0.99 + 1 = 100): 1.01 s away, said as 2.
  const RateDecision refused = limiter.TryAcquire("w", 10);
  ExpectRefused(refused, "per second", 2s);
  EXPECT_EQ(refused.remaining_today, 1'000'000 - 1000);
  EXPECT_EQ(refused.limit_today, 1'000'000);
  clock_.Advance(1s);
  ExpectRefused(limiter.TryAcquire("w", 10), "per second", 1s);
  clock_.Advance(1s);
  EXPECT_TRUE(limiter.TryAcquire("w", 10).admitted());
}

TEST_F(RateLimiterTest, CapacityReturnsGraduallyAsTheWindowSlides) {
  RateLimiter limiter(clock_, PerSecondOnly(100));
  Admit(limiter, "w", 100);

  clock_.Advance(1250ms);  // the estimate: 100 x 0.75 = 75
  EXPECT_EQ(AdmitUntilRefused(limiter, "w", 1000), 25);

  clock_.Advance(500ms);  // 100 x 0.25 + 25 = 50
  EXPECT_EQ(AdmitUntilRefused(limiter, "w", 1000), 50);

  clock_.Advance(250ms);  // a new window: 75 x 1.0
  EXPECT_EQ(AdmitUntilRefused(limiter, "w", 1000), 25);

  clock_.Advance(2s);  // two windows on, nothing is left
  EXPECT_EQ(AdmitUntilRefused(limiter, "w", 1000), 100);
}

TEST_F(RateLimiterTest, BurstWindowLimitsRequestsOverSeveralSeconds) {
  RateLimiter limiter(clock_, {.requests_per_second = 1000,
                               .burst_requests = 500,
                               .burst_window = 5s,
                               .events_per_day = 1'000'000});
  Admit(limiter, "w", 300);
  clock_.Advance(1s);
  Admit(limiter, "w", 200);
  clock_.Advance(1s);

  // One more fits at 5.01 s (500 x 0.998 + 1): 3.01 s from now, said as 4.
  ExpectRefused(limiter.TryAcquire("w", 1), "burst limit of 500 requests per 5 seconds", 4s);

  clock_.Advance(4s);  // 6 s: 500 x 0.8 = 400
  EXPECT_EQ(AdmitUntilRefused(limiter, "w", 1000), 100);
}

TEST_F(RateLimiterTest, TheLongestWaitBindsWhenSeveralLimitsRefuse) {
  RateLimiter limiter(clock_, {.requests_per_second = 100,
                               .burst_requests = 150,
                               .burst_window = 10s,
                               .events_per_day = 1'000'000});
  Admit(limiter, "w", 50);
  clock_.Advance(2s);
  Admit(limiter, "w", 100);
  // Per second: 100 + 1 > 100; fits at 3.01 s. Burst: 150 + 1 > 150; fits
  // at 10 + 10 x (1 - 149 / 150) = 10.067 s. Both refuse; the longer wait
  // binds.
  ExpectRefused(limiter.TryAcquire("w", 1), "burst limit of 150 requests per 10 seconds", 9s);
}

TEST_F(RateLimiterTest, DailyCapResetsAtUtcMidnight) {
  clock_.Set(kDay0 + 23h + 59min);
  RateLimiter limiter(clock_, {.requests_per_second = 1000,
                               .burst_requests = 10'000,
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
  ExpectRefused(refused, "daily quota of 1000 events per UTC day is exhausted", 40s);
  EXPECT_EQ(refused.remaining_today, 0);
  EXPECT_EQ(refused.reset_at, kDay0 + 24h);
  // A request without events needs no quota.
  EXPECT_TRUE(limiter.TryAcquire("w", 0).admitted());

  clock_.Advance(39s);
  ExpectRefused(limiter.TryAcquire("w", 1), "daily quota", 1s);
  clock_.Advance(1s);  // midnight
  const RateDecision next_day = limiter.TryAcquire("w", 1);
  ASSERT_TRUE(next_day.admitted());
  EXPECT_EQ(next_day.remaining_today, 999);
  EXPECT_EQ(next_day.reset_at, kDay0 + 48h);
}

TEST_F(RateLimiterTest, ARequestLargerThanWhatIsLeftTodayWaitsForMidnight) {
  RateLimiter limiter(clock_, {.requests_per_second = 100,
                               .burst_requests = 500,
                               .burst_window = 5s,
                               .events_per_day = 1000});
  ASSERT_TRUE(limiter.TryAcquire("w", 700).admitted());
  const RateDecision refused = limiter.TryAcquire("w", 301);
  ExpectRefused(refused, "daily quota of 1000 events per UTC day is exhausted: 300 left today",
                14h);
  EXPECT_EQ(refused.remaining_today, 300);
  EXPECT_EQ(refused.reset_at, kDay0 + 24h);
  // What is left can still be used, by a smaller request.
  const RateDecision rest = limiter.TryAcquire("w", 300);
  ASSERT_TRUE(rest.admitted());
  EXPECT_EQ(rest.remaining_today, 0);
}

TEST_F(RateLimiterTest, AdmissionIsAllOrNothing) {
  RateLimiter limiter(clock_, {.requests_per_second = 3,
                               .burst_requests = 500,
                               .burst_window = 5s,
                               .events_per_day = 1000});
  ASSERT_TRUE(limiter.TryAcquire("w", 990).admitted());  // request 1
  const RateDecision refused = limiter.TryAcquire("w", 20);
  EXPECT_FALSE(refused.admitted());
  EXPECT_EQ(refused.remaining_today, 10);  // counted none of the 20
  // Nor the request: two more fit the 3 a second.
  const RateDecision second = limiter.TryAcquire("w", 5);
  ASSERT_TRUE(second.admitted());
  EXPECT_EQ(second.remaining_today, 5);
  const RateDecision third = limiter.TryAcquire("w", 5);
  ASSERT_TRUE(third.admitted());
  EXPECT_EQ(third.remaining_today, 0);
  ExpectRefused(limiter.TryAcquire("w", 0), "rate limit of 3 requests per second", 2s);
}

TEST_F(RateLimiterTest, BatchLargerThanTheDailyCapMustBeSplit) {
  RateLimiter limiter(clock_, {.requests_per_second = 100,
                               .burst_requests = 300,
                               .burst_window = 5s,
                               .events_per_day = 1000});
  const RateDecision too_large = limiter.TryAcquire("w", 1001);
  ExpectRefused(too_large,
                "a batch of 1001 events exceeds the daily limit of 1000 events per UTC day",
                seconds(24h));
  EXPECT_NE(too_large.status.message().find("split"), std::string::npos);
  EXPECT_EQ(too_large.remaining_today, 1000);

  // It counted nothing, also not as a request.
  const RateDecision whole_day = limiter.TryAcquire("w", 1000);
  ASSERT_TRUE(whole_day.admitted());
  EXPECT_EQ(whole_day.remaining_today, 0);
  Admit(limiter, "w", 99, 0);
  EXPECT_FALSE(limiter.TryAcquire("w", 0).admitted());
}

TEST_F(RateLimiterTest, OverridesApplyToOneWorkspaceAndWorkspacesAreIsolated) {
  RateLimiter limiter(clock_);
  limiter.SetLimits("big", PerSecondOnly(1000));

  Admit(limiter, "small", 100, 10);
  ExpectRefused(limiter.TryAcquire("small", 1), "rate limit of 100 requests per second", 2s);
  Admit(limiter, "big", 1000);
  EXPECT_FALSE(limiter.TryAcquire("big", 1).admitted());
  Admit(limiter, "other", 100);  // not slowed by "small"

  // Back to the defaults, with its 1000 requests still counted. One more
  // request fits the default 100 a second at 1.901 s, and 500 in 5 s at
  // 7.505 s.
  limiter.ClearLimits("big");
  ExpectRefused(limiter.TryAcquire("big", 1), "burst limit of 500 requests per 5 seconds", 8s);
  EXPECT_EQ(limiter.TryAcquire("small", 0).remaining_today, 1'000'000 - 1000);
  EXPECT_EQ(limiter.TryAcquire("big", 0).remaining_today, 1'000'000 - 1000);
}

TEST_F(RateLimiterTest, AClockSteppingBackDoesNotRefillCapacity) {
  RateLimiter limiter(clock_, PerSecondOnly(100));
  clock_.Advance(500ms);
  Admit(limiter, "w", 100);
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

TEST_F(RateLimiterTest, ConcurrentRequestsNeverExceedTheRate) {
  // A frozen clock: everything admitted falls in one window of each limit.
  RateLimiter limiter(clock_, PerSecondOnly(1000));
  constexpr int kThreads = 8;
  const std::vector<std::string> workspaces = {"a", "b", "c"};
  std::vector<std::atomic<int64_t>> requests(workspaces.size());
  std::vector<std::atomic<int64_t>> events(workspaces.size());
  std::vector<std::thread> threads;
  for (int t = 0; t < kThreads; ++t) {
    threads.emplace_back([&, t] {
      for (int i = 0; i < 3000; ++i) {
        const size_t w = (t + i) % workspaces.size();
        const int64_t batch = 1 + (i + t) % 7;
        if (limiter.TryAcquire(workspaces[w], batch).admitted()) {
          ++requests[w];
          events[w] += batch;
        }
      }
    });
  }
  for (auto& thread : threads) thread.join();
  for (size_t w = 0; w < workspaces.size(); ++w) {
    EXPECT_EQ(requests[w].load(), 1000) << workspaces[w];
    const RateDecision probe = limiter.TryAcquire(workspaces[w], 0);
    EXPECT_FALSE(probe.admitted());
    EXPECT_EQ(probe.remaining_today, 1'000'000'000 - events[w].load());
  }
}

TEST_F(RateLimiterTest, ConcurrentRequestsNeverExceedTheDailyCap) {
  RateLimiter limiter(clock_, {.requests_per_second = 1e9,
                               .burst_requests = 1'000'000'000,
                               .burst_window = 5s,
                               .events_per_day = 10'000});
  constexpr int kThreads = 8;
  std::atomic<int64_t> events = 0;
  std::vector<std::thread> threads;
  for (int t = 0; t < kThreads; ++t) {
    threads.emplace_back([&, t] {
      for (int i = 0; i < 1000; ++i) {
        const int64_t batch = 1 + (i + t) % 7;
        if (limiter.TryAcquire("w", batch).admitted()) events += batch;
      }
    });
  }
  for (auto& thread : threads) thread.join();
  EXPECT_LE(events.load(), 10'000);
  EXPECT_GE(events.load(), 10'000 - 6);  // only a batch larger than the rest is refused
  EXPECT_EQ(limiter.TryAcquire("w", 0).remaining_today, 10'000 - events.load());
}

}  // namespace
}  // namespace cdp::ingest
