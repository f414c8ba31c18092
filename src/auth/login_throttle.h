#pragma once

#include <chrono>
#include <list>
#include <mutex>
#include <string>
#include <string_view>
#include <unordered_map>

#include "core/clock.h"
#include "core/result.h"

namespace cdp {

// Limits login attempts per client address, in memory: each address has a
// bucket of `burst` attempts that refills at `per_minute` per minute. It
// slows down password guessing spread over many accounts, which the
// per-account lockout (AccountService) does not see, and argon2's cost
// (64 MiB per attempt) keeps it from being a way to exhaust memory.
// One server's memory: behind several API servers each applies its own.
// Thread safety: all methods are safe to call concurrently.
class LoginThrottle {
 public:
  struct Options {
    double per_minute = 10;
    int burst = 10;
    // Buckets idle this long are forgotten (bounded memory under a spray of
    // addresses); at most max_addresses are kept, the oldest dropped first.
    std::chrono::minutes idle_forget{10};
    size_t max_addresses = 100'000;
  };
  // REQUIRES: `clock` outlives this; per_minute > 0; burst >= 1.
  LoginThrottle(const Clock& clock, Options options);

  // Takes one attempt from `address`'s bucket: Ok, or TooManyRequests with
  // the seconds until the next attempt is allowed (at least 1).
  Status Acquire(std::string_view address);

 private:
  struct Bucket {
    std::string address;
    double tokens = 0;
    TimePoint updated;
  };
  // Oldest use first, so that forgetting idle buckets and dropping the oldest
  // are both cheap.
  using BucketList = std::list<Bucket>;

  // Forgets the buckets idle since before `now` - idle_forget, and the
  // oldest ones beyond max_addresses - `room`. REQUIRES: mutex_ held.
  void ForgetIdle(TimePoint now, size_t room);

  const Clock& clock_;
  const Options options_;
  std::mutex mutex_;
  BucketList buckets_;                                                // guarded by mutex_
  std::unordered_map<std::string_view, BucketList::iterator> index_;  // guarded by mutex_
};

}  // namespace cdp
