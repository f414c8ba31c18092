#include "auth/login_throttle.h"

#include <algorithm>
#include <cassert>
#include <cmath>

namespace cdp {

namespace {

// Refills computed in floating point may land a hair below a whole token.
constexpr double kEpsilon = 1e-9;

}  // namespace

LoginThrottle::LoginThrottle(const Clock& clock, Options options)
    : clock_(clock), options_(options) {
  assert(options_.per_minute > 0);
  assert(options_.burst >= 1);
}

void LoginThrottle::ForgetIdle(TimePoint now, size_t room) {
  const TimePoint idle_since = now - options_.idle_forget;
  while (!buckets_.empty() && (buckets_.front().updated <= idle_since ||
                               buckets_.size() + room > options_.max_addresses)) {
    index_.erase(buckets_.front().address);
    buckets_.pop_front();
  }
}

Status LoginThrottle::Acquire(std::string_view address) {
  std::lock_guard lock(mutex_);
  const TimePoint now = clock_.Now();
  ForgetIdle(now, 0);
  Bucket* bucket = nullptr;
  if (auto found = index_.find(address); found != index_.end()) {
    buckets_.splice(buckets_.end(), buckets_, found->second);  // now the newest use
    bucket = &*found->second;
    // A clock set back refills nothing.
    const std::chrono::duration<double, std::ratio<60>> elapsed =
        std::max(now - bucket->updated, TimePoint::duration::zero());
    bucket->tokens =
        std::min<double>(options_.burst, bucket->tokens + elapsed.count() * options_.per_minute);
  } else {
    ForgetIdle(now, 1);
    buckets_.push_back({std::string(address), static_cast<double>(options_.burst), now});
    bucket = &buckets_.back();
    index_.emplace(bucket->address, std::prev(buckets_.end()));
  }
  bucket->updated = now;
  if (bucket->tokens >= 1 - kEpsilon) {
    bucket->tokens = std::max(0.0, bucket->tokens - 1);
    return Status::Ok();
  }
  // A refused attempt takes nothing: the wait is until one whole token.
  const double seconds = (1 - bucket->tokens) / options_.per_minute * 60;
  const auto retry_after =
      std::max<int64_t>(1, static_cast<int64_t>(std::ceil(seconds - kEpsilon)));
  return Status::TooManyRequests("too many login attempts: try again later",
                                 std::chrono::seconds(retry_after));
}

}  // namespace cdp
