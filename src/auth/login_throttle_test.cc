#include "auth/login_throttle.h"

#include <gtest/gtest.h>

#include <chrono>
#include <string>

namespace cdp {
namespace {

using namespace std::chrono_literals;

const TimePoint kT0 = TimePoint{} + 1'800'000'000s;

std::optional<std::chrono::seconds> RetryAfter(const Status& status) {
  EXPECT_EQ(status.code(), ErrorCode::kTooManyRequests) << status.ToString();
  return status.retry_after();
}

TEST(LoginThrottleTest, AllowsABurstThenRefusesWithTheWait) {
  ManualClock clock(kT0);
  LoginThrottle throttle(clock, {.per_minute = 10, .burst = 3});
  for (int i = 0; i < 3; ++i) EXPECT_TRUE(throttle.Acquire("203.0.113.7").ok()) << i;
  // One attempt per 6 s.
  EXPECT_EQ(RetryAfter(throttle.Acquire("203.0.113.7")), 6s);
  // A refused attempt takes nothing: the wait only shrinks.
  clock.Advance(2s);
  EXPECT_EQ(RetryAfter(throttle.Acquire("203.0.113.7")), 4s);
  clock.Advance(3500ms);
  EXPECT_EQ(RetryAfter(throttle.Acquire("203.0.113.7")), 1s);  // 0.5 s, rounded up
  clock.Advance(500ms);
  EXPECT_TRUE(throttle.Acquire("203.0.113.7").ok());
  EXPECT_EQ(RetryAfter(throttle.Acquire("203.0.113.7")), 6s);
}

TEST(LoginThrottleTest, RefillsOverTimeUpToTheBurst) {
  ManualClock clock(kT0);
  LoginThrottle throttle(clock, {.per_minute = 6, .burst = 2});
  EXPECT_TRUE(throttle.Acquire("a").ok());
  EXPECT_TRUE(throttle.Acquire("a").ok());
  EXPECT_FALSE(throttle.Acquire("a").ok());
  clock.Advance(10s);  // one token
  EXPECT_TRUE(throttle.Acquire("a").ok());
  EXPECT_FALSE(throttle.Acquire("a").ok());
  clock.Advance(5min);  // far more than the burst: still only two
  EXPECT_TRUE(throttle.Acquire("a").ok());
  EXPECT_TRUE(throttle.Acquire("a").ok());
  EXPECT_EQ(RetryAfter(throttle.Acquire("a")), 10s);
}

TEST(LoginThrottleTest, AddressesAreIndependent) {
  ManualClock clock(kT0);
  LoginThrottle throttle(clock, {.per_minute = 1, .burst = 1});
  EXPECT_TRUE(throttle.Acquire("203.0.113.7").ok());
  EXPECT_FALSE(throttle.Acquire("203.0.113.7").ok());
  EXPECT_TRUE(throttle.Acquire("203.0.113.8").ok());
  EXPECT_TRUE(throttle.Acquire("2001:db8::1").ok());
  EXPECT_FALSE(throttle.Acquire("203.0.113.8").ok());
}

TEST(LoginThrottleTest, AClockSetBackRefillsNothing) {
  ManualClock clock(kT0);
  LoginThrottle throttle(clock, {.per_minute = 1, .burst = 1});
  EXPECT_TRUE(throttle.Acquire("a").ok());
  clock.Set(kT0 - 1h);
  EXPECT_FALSE(throttle.Acquire("a").ok());
}

// With a refill too slow to matter, a bucket full again shows it was
// forgotten.
TEST(LoginThrottleTest, ForgetsIdleAddresses) {
  ManualClock clock(kT0);
  LoginThrottle throttle(
      clock, {.per_minute = 0.001, .burst = 1, .idle_forget = std::chrono::minutes(10)});
  EXPECT_TRUE(throttle.Acquire("a").ok());
  clock.Advance(9min);
  EXPECT_FALSE(throttle.Acquire("a").ok());  // the refusal counts as use
  clock.Advance(9min);
  EXPECT_FALSE(throttle.Acquire("a").ok());
  clock.Advance(10min);
  EXPECT_TRUE(throttle.Acquire("a").ok());
}

TEST(LoginThrottleTest, KeepsAtMostMaxAddressesDroppingTheOldest) {
  ManualClock clock(kT0);
  LoginThrottle throttle(clock, {.per_minute = 0.001, .burst = 1, .max_addresses = 3});
  for (const char* address : {"a", "b", "c"}) {
    EXPECT_TRUE(throttle.Acquire(address).ok());
    clock.Advance(1s);
  }
  // Three kept: all refused. "a" is used again, so "b" is now the oldest.
  EXPECT_FALSE(throttle.Acquire("a").ok());
  EXPECT_FALSE(throttle.Acquire("c").ok());
  EXPECT_TRUE(throttle.Acquire("d").ok());  // drops "b"
  EXPECT_FALSE(throttle.Acquire("a").ok());
  EXPECT_FALSE(throttle.Acquire("c").ok());
  EXPECT_FALSE(throttle.Acquire("d").ok());
  EXPECT_TRUE(throttle.Acquire("b").ok());  // forgotten: a new bucket
}

TEST(LoginThrottleTest, ManyAddressesStayBounded) {
  ManualClock clock(kT0);
  LoginThrottle throttle(clock, {.per_minute = 0.001, .burst = 1, .max_addresses = 100});
  for (int i = 0; i < 10'000; ++i) {
    ASSERT_TRUE(throttle.Acquire("10.0." + std::to_string(i)).ok()) << i;
  }
  // The last 100 are remembered, the first long forgotten.
  EXPECT_FALSE(throttle.Acquire("10.0.9999").ok());
  EXPECT_FALSE(throttle.Acquire("10.0.9900").ok());
  EXPECT_TRUE(throttle.Acquire("10.0.0").ok());
}

}  // namespace
}  // namespace cdp
