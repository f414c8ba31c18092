#pragma once

#include <chrono>
#include <cstdint>
#include <memory>
#include <string_view>
#include <vector>

#include "core/clock.h"
#include "core/status.h"

namespace cdp::ingest {

// How much one workspace may send. The defaults are the product's default
// tier: "100 rps, burst 500 per 5 s, 1 M events/day". The rate and the burst
// count requests, whatever their size (a Segment batch holds up to 2,500
// events, and a request costs the server about the same either way); the
// daily cap counts events, which is what a workspace is billed and stored for.
// REQUIRES (checked by assertions): requests_per_second >= 1 (a request is
// one), every other value > 0.
struct RateLimits {
  // Sustained rate: requests within the last second.
  double requests_per_second = 100;
  // Requests within the last burst_window.
  int64_t burst_requests = 500;
  std::chrono::seconds burst_window{5};
  // Events within the current UTC day (midnight to midnight).
  int64_t events_per_day = 1'000'000;
};

// The outcome of one RateLimiter::TryAcquire, with what the X-RateLimit-*
// headers need on both paths.
//
// Why one value rather than Result<...>: a refusal is a decision too, and the
// handler sends rate-limit headers with a 429 as well as with a 200. With a
// Result the refusal's reset time would have to travel beside the Status (a
// "last refusal" getter is racy between threads, and recomputing it from
// Retry-After needs a second clock reading). Here status, remaining count and
// reset time come from one clock reading under one lock.
struct [[nodiscard]] RateDecision {
  // Ok when the request was admitted (and counted). Otherwise
  // TooManyRequests, whose message names the limit and whose retry_after is
  // the whole seconds (>= 1) until this same request would be admitted, if
  // nothing else is sent meanwhile.
  Status status;
  // The daily quota (X-RateLimit-Limit / X-RateLimit-Remaining), after this
  // request when admitted, before it when refused.
  int64_t limit_today = 0;
  int64_t remaining_today = 0;
  // X-RateLimit-Reset. Admitted: the next UTC midnight, when the daily quota
  // that remaining_today counts refills. Refused: the time this request would
  // be admitted, exactly decision time + retry_after, so that Reset and
  // Retry-After always agree.
  TimePoint reset_at;

  bool admitted() const { return status.ok(); }
};

// Per-workspace admission control for ingestion: every ingest request asks
// for admission with its batch's event count before the events are accepted.
//
// A request is admitted whole or not at all, and only when all three limits of
// its workspace's RateLimits allow it:
//  (a) requests in the last second <= requests_per_second,
//  (b) requests in the last burst_window <= burst_requests,
//  (c) events in the current UTC day <= events_per_day.
// A refused request counts neither as a request nor its events.
//
// (a) and (b) are sliding-window counters (as in Cloudflare's and NGINX
// Plus's limiters): time is cut into fixed windows of the limit's length, and
// the count "in the last window length" at time t is estimated as
//   previous_window_count * (1 - elapsed_fraction_of_current_window)
//     + current_window_count.
// The estimate assumes the previous window's requests were spread evenly over
// it. That costs three integers per limit instead of one timestamp per
// request; the price is that a client that sent its whole previous window at
// that window's very end gets some of it counted as already gone, so up to
// about twice the limit can pass in the worst-placed one-window interval. The
// sustained rate is still bounded by the limit, and Cloudflare measured the
// error on real traffic at 0.003% of requests.
//
// (c) is a plain count that restarts at UTC midnight. A request with more
// events than the day has left is refused until midnight (its message says the
// daily quota is exhausted and how many events are left), even when some are
// left: admission is all-or-nothing, so the client may send a smaller batch.
// A request with more events than the whole daily cap can never be admitted.
// It is refused with TooManyRequests like any other, but its message says the
// batch exceeds the daily limit and must be split; its retry_after is only
// nominal (one day): resending the same batch will never succeed.
//
// Memory: one small entry per workspace that sent requests recently. An entry
// whose counters have all rolled to zero (a day after the workspace's last
// request at the latest, unless its burst window is longer than 12 hours) is
// indistinguishable from no entry, and is dropped by the hourly sweep that
// requests to its shard run.
//
// Thread safety: all methods may be called concurrently. Workspaces are spread
// over shards, each with its own mutex, so concurrent requests rarely meet on
// a lock; TryAcquire holds it for a few arithmetic operations.
class RateLimiter {
 public:
  // REQUIRES: `clock` outlives this.
  explicit RateLimiter(const Clock& clock, RateLimits defaults = {});
  ~RateLimiter();
  RateLimiter(const RateLimiter&) = delete;
  RateLimiter& operator=(const RateLimiter&) = delete;

  // Gives one workspace limits other than the defaults, from its next request
  // on. Requests and events already counted stay counted; a changed
  // burst_window restarts the burst count.
  void SetLimits(std::string_view workspace_id, const RateLimits& limits);
  // Returns the workspace to the default limits.
  void ClearLimits(std::string_view workspace_id);

  // Admits one request carrying `events` events and counts both, or refuses
  // it and counts nothing. A request without events (events == 0) still
  // counts as a request. REQUIRES: events >= 0.
  RateDecision TryAcquire(std::string_view workspace_id, int64_t events);

  // How many workspaces have counters in memory (for tests and metrics).
  size_t TrackedWorkspaces() const;

 private:
  struct Shard;  // a share of the workspaces, under one mutex (in the .cc)

  Shard& ShardOf(std::string_view workspace_id) const;

  const Clock& clock_;
  const RateLimits defaults_;
  std::vector<std::unique_ptr<Shard>> shards_;
};

}  // namespace cdp::ingest
