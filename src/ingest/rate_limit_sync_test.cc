#include "ingest/rate_limit_sync.h"

#include <gtest/gtest.h>

#include "ingest/ingest_test_env.h"

namespace cdp::ingest {
namespace {

using namespace std::chrono_literals;

// Admits requests of `events` events until one is refused; how many passed.
int AdmittedInARow(RateLimiter& limiter, const std::string& workspace_id, int64_t events = 1) {
  int admitted = 0;
  while (admitted < 10'000 && limiter.TryAcquire(workspace_id, events).admitted()) ++admitted;
  return admitted;
}

TEST(RateLimitSyncTest, AppliesOverridesOnTopOfTheDefaultsAndClearsRemovedOnes) {
  testing::IngestTestEnv env;
  const RateLimits defaults{.requests_per_second = 1000, .burst_requests = 5};
  RateLimiter limiter(env.clock_, defaults);
  RateLimitSync sync(*env.store_, limiter, defaults);
  const std::string& acme = env.workspace_id();
  const std::string& other = env.other_.workspace.id;

  ASSERT_TRUE(env.store_
                  ->SetWorkspaceRateLimits(
                      {.workspace_id = acme, .burst_requests = 2, .updated_at = env.clock_.Now()})
                  .ok());
  ASSERT_TRUE(sync.Apply().ok());
  EXPECT_EQ(AdmittedInARow(limiter, acme), 2);
  EXPECT_EQ(AdmittedInARow(limiter, other), 5);  // no override: the defaults

  // Removed: back to the defaults (a new burst window, so nothing is counted).
  ASSERT_TRUE(env.store_->ClearWorkspaceRateLimits(acme).ok());
  ASSERT_TRUE(sync.Apply().ok());
  env.clock_.Advance(10s);
  EXPECT_EQ(AdmittedInARow(limiter, acme), 5);
}

TEST(RateLimitSyncTest, EffectiveLimitsTakeEachSetFieldAndKeepTheRest) {
  const RateLimits defaults;
  const RateLimits limits = EffectiveRateLimits(
      defaults, {.workspace_id = "w", .requests_per_second = 7, .burst_window_seconds = 60});
  EXPECT_EQ(limits.requests_per_second, 7);
  EXPECT_EQ(limits.burst_window, 60s);
  EXPECT_EQ(limits.burst_requests, defaults.burst_requests);
  EXPECT_EQ(limits.events_per_day, defaults.events_per_day);
}

}  // namespace
}  // namespace cdp::ingest
