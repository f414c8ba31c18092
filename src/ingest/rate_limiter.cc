#include "ingest/rate_limiter.h"

#include <fmt/format.h>

#include <algorithm>
#include <cassert>
#include <cmath>
#include <functional>
#include <iterator>
#include <mutex>
#include <string>
#include <unordered_map>

#include "core/string_map.h"

namespace cdp::ingest {

namespace {

using Duration = TimePoint::duration;
using std::chrono::seconds;

constexpr size_t kShards = 16;
constexpr Duration kSecond = std::chrono::seconds(1);
constexpr Duration kDay = std::chrono::hours(24);
constexpr Duration kSweepInterval = std::chrono::hours(1);
// Slack for floating-point rounding in the sliding estimates, so that a
// request that fits exactly (e.g. after waiting its retry_after) is admitted.
constexpr double kEpsilon = 1e-6;

// One sliding-window limit's state: the request counts of the current fixed
// window (number `index` of length `length` since the epoch) and of the one
// before.
struct WindowCounter {
  Duration length{};
  int64_t index = 0;
  int64_t current = 0;
  int64_t previous = 0;
};

struct Counters {
  WindowCounter second;
  WindowCounter burst;
  int64_t day = 0;        // days since the epoch: UTC days, as system_clock has no leap seconds
  int64_t day_count = 0;  // events
};

int64_t FloorDiv(Duration t, Duration length) {
  int64_t quotient = t / length;
  if (t % length < Duration::zero()) --quotient;
  return quotient;
}

// Moves `counter` to the window that contains `now`. A clock that steps back
// leaves the counter where it is: stepping back must not refill capacity.
void Roll(WindowCounter& counter, Duration length, TimePoint now) {
  const int64_t index = FloorDiv(now.time_since_epoch(), length);
  if (counter.length != length) {  // new, or the workspace's burst window changed
    counter = {length, index, 0, 0};
  } else if (index > counter.index) {
    counter.previous = index == counter.index + 1 ? counter.current : 0;
    counter.current = 0;
    counter.index = index;
  }
}

void RollDay(Counters& counters, TimePoint now) {
  const int64_t day = FloorDiv(now.time_since_epoch(), kDay);
  if (day > counters.day) {
    counters.day = day;
    counters.day_count = 0;
  }
}

TimePoint WindowStart(const WindowCounter& counter) {
  return TimePoint(counter.index * counter.length);
}

// How much of the current window has passed, in [0, 1].
double ElapsedFraction(const WindowCounter& counter, TimePoint now) {
  const double fraction = static_cast<double>((now - WindowStart(counter)).count()) /
                          static_cast<double>(counter.length.count());
  return std::clamp(fraction, 0.0, 1.0);
}

// The sliding-window estimate of the requests within the last window length.
double Estimate(const WindowCounter& counter, TimePoint now) {
  return static_cast<double>(counter.previous) * (1 - ElapsedFraction(counter, now)) +
         static_cast<double>(counter.current);
}

// How long until one more request fits under `limit`, if nothing else is
// counted meanwhile. The estimate only falls as time passes: linearly through
// the current window, and on into the next one, where this window's count
// becomes the previous window's.
// REQUIRES: limit >= 1, and the counter refuses a request now.
Duration WaitForOne(const WindowCounter& counter, double limit, TimePoint now) {
  const double length = static_cast<double>(counter.length.count());
  const double room = limit - 1;
  const double room_beside_current = room - static_cast<double>(counter.current);
  double fraction;  // of a window, from the current window's start
  if (room_beside_current >= 0) {
    // Within this window: previous * (1 - f) <= room_beside_current.
    // (previous > 0, or the request would have fitted.)
    fraction = 1 - room_beside_current / static_cast<double>(counter.previous);
  } else {
    // Within the next window: current * (1 - g) <= room (current > room >= 0).
    fraction = 2 - room / static_cast<double>(counter.current);
  }
  const TimePoint fits_at =
      WindowStart(counter) + Duration(static_cast<Duration::rep>(std::ceil(fraction * length)));
  return fits_at - now;
}

// Whole seconds, rounded up, at least one: what Retry-After can say.
seconds RetryAfter(Duration wait) { return std::max(seconds(1), std::chrono::ceil<seconds>(wait)); }

std::string SecondLimitName(const RateLimits& limits) {
  return fmt::format("rate limit of {} requests per second", limits.requests_per_second);
}
std::string BurstLimitName(const RateLimits& limits) {
  return fmt::format("burst limit of {} requests per {} seconds", limits.burst_requests,
                     limits.burst_window.count());
}
std::string DailyLimitName(const RateLimits& limits) {
  return fmt::format("daily limit of {} events per UTC day", limits.events_per_day);
}

// Used only by assertions.
[[maybe_unused]] bool Valid(const RateLimits& limits) {
  return limits.requests_per_second >= 1 && limits.burst_requests > 0 &&
         limits.burst_window > seconds::zero() && limits.events_per_day > 0;
}

}  // namespace

struct RateLimiter::Shard {
  mutable std::mutex mu;
  StringMap<Counters> counters;     // GUARDED_BY(mu)
  StringMap<RateLimits> overrides;  // GUARDED_BY(mu)
  TimePoint next_sweep{};           // GUARDED_BY(mu)

  // REQUIRES: mu held.
  const RateLimits& LimitsOf(std::string_view workspace_id, const RateLimits& defaults) const {
    const auto it = overrides.find(workspace_id);
    return it == overrides.end() ? defaults : it->second;
  }

  // Drops the workspaces whose counters have all rolled to zero: a fresh
  // entry would decide exactly the same. REQUIRES: mu held.
  void Sweep(TimePoint now, const RateLimits& defaults) {
    for (auto it = counters.begin(); it != counters.end();) {
      Counters& c = it->second;
      Roll(c.second, kSecond, now);
      Roll(c.burst, LimitsOf(it->first, defaults).burst_window, now);
      RollDay(c, now);
      const bool idle = c.second.current == 0 && c.second.previous == 0 && c.burst.current == 0 &&
                        c.burst.previous == 0 && c.day_count == 0;
      it = idle ? counters.erase(it) : std::next(it);
    }
  }
};

RateLimiter::RateLimiter(const Clock& clock, RateLimits defaults)
    : clock_(clock), defaults_(defaults) {
  assert(Valid(defaults_));
  shards_.reserve(kShards);
  for (size_t i = 0; i < kShards; ++i) shards_.push_back(std::make_unique<Shard>());
}

RateLimiter::~RateLimiter() = default;

RateLimiter::Shard& RateLimiter::ShardOf(std::string_view workspace_id) const {
  return *shards_[StringHash{}(workspace_id) % kShards];
}

void RateLimiter::SetLimits(std::string_view workspace_id, const RateLimits& limits) {
  assert(Valid(limits));
  Shard& shard = ShardOf(workspace_id);
  std::lock_guard lock(shard.mu);
  shard.overrides.insert_or_assign(std::string(workspace_id), limits);
}

void RateLimiter::ClearLimits(std::string_view workspace_id) {
  Shard& shard = ShardOf(workspace_id);
  std::lock_guard lock(shard.mu);
  if (const auto it = shard.overrides.find(workspace_id); it != shard.overrides.end()) {
    shard.overrides.erase(it);
  }
}

RateDecision RateLimiter::TryAcquire(std::string_view workspace_id, int64_t events) {
  assert(events >= 0);
  const TimePoint now = clock_.Now();
  Shard& shard = ShardOf(workspace_id);
  std::lock_guard lock(shard.mu);

  if (now >= shard.next_sweep) {
    shard.Sweep(now, defaults_);
    shard.next_sweep = now + kSweepInterval;
  }
  const RateLimits& limits = shard.LimitsOf(workspace_id, defaults_);
  auto it = shard.counters.find(workspace_id);
  if (it == shard.counters.end()) it = shard.counters.emplace(workspace_id, Counters{}).first;
  Counters& counters = it->second;
  Roll(counters.second, kSecond, now);
  Roll(counters.burst, limits.burst_window, now);
  RollDay(counters, now);

  RateDecision decision;
  decision.limit_today = limits.events_per_day;
  decision.remaining_today = std::max<int64_t>(0, limits.events_per_day - counters.day_count);
  const auto refuse = [&](std::string message, seconds retry_after) {
    decision.status = Status::TooManyRequests(std::move(message), retry_after);
    decision.reset_at = now + retry_after;
    return std::move(decision);
  };

  // A batch no day can ever hold: waiting will not help, splitting will. (A
  // request always fits (a) and (b) on its own: their limits are >= 1.)
  if (events > limits.events_per_day) {
    return refuse(fmt::format("a batch of {} events exceeds the {}; split it into smaller batches",
                              events, DailyLimitName(limits)),
                  std::chrono::ceil<seconds>(kDay));
  }

  // Every limit that refuses, with its wait. The longest wait binds: the
  // request needs all three limits, and no estimate rises while nothing is
  // counted, so after the longest wait all three admit it.
  Duration wait = Duration::zero();
  std::string binding;
  const auto consider = [&](Duration limit_wait, std::string reason) {
    if (binding.empty() || limit_wait > wait) {
      wait = limit_wait;
      binding = std::move(reason);
    }
  };
  if (Estimate(counters.second, now) + 1 > limits.requests_per_second + kEpsilon) {
    consider(WaitForOne(counters.second, limits.requests_per_second, now),
             SecondLimitName(limits) + " exceeded");
  }
  const auto burst_limit = static_cast<double>(limits.burst_requests);
  if (Estimate(counters.burst, now) + 1 > burst_limit + kEpsilon) {
    consider(WaitForOne(counters.burst, burst_limit, now), BurstLimitName(limits) + " exceeded");
  }
  const TimePoint next_midnight = TimePoint((counters.day + 1) * kDay);
  if (events > decision.remaining_today) {
    consider(next_midnight - now,
             fmt::format("daily quota of {} events per UTC day is exhausted: {} left today, "
                         "this request has {}; it refills at 00:00 UTC",
                         limits.events_per_day, decision.remaining_today, events));
  }
  if (!binding.empty()) return refuse(std::move(binding), RetryAfter(wait));

  counters.second.current += 1;
  counters.burst.current += 1;
  counters.day_count += events;
  decision.remaining_today -= events;
  decision.reset_at = next_midnight;
  return decision;
}

size_t RateLimiter::TrackedWorkspaces() const {
  size_t total = 0;
  for (const auto& shard : shards_) {
    std::lock_guard lock(shard->mu);
    total += shard->counters.size();
  }
  return total;
}

}  // namespace cdp::ingest
