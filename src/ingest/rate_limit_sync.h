#pragma once

#include <set>
#include <string>

#include "core/status.h"
#include "ingest/rate_limiter.h"
#include "meta/meta_store.h"

namespace cdp::ingest {

// Applies the per-workspace rate-limit overrides of the metadata store
// (`cdp workspace limits`) to a RateLimiter: each override's unset fields
// take the server's defaults, and a workspace whose override was removed goes
// back to the defaults. A server calls Apply at start-up and then
// periodically, so a change made by the CLI or another process takes effect
// within one period.
// Thread safety: Apply from one thread at a time.
class RateLimitSync {
 public:
  // REQUIRES: `store` and `limiter` outlive this.
  RateLimitSync(MetaStore& store, RateLimiter& limiter, RateLimits defaults)
      : store_(store), limiter_(limiter), defaults_(defaults) {}

  // Reads every override and applies it. On a store error nothing changes.
  Status Apply();

 private:
  MetaStore& store_;
  RateLimiter& limiter_;
  const RateLimits defaults_;
  std::set<std::string, std::less<>> overridden_;  // workspaces given limits by the last Apply
};

// The limits `override_` gives on top of `defaults`.
RateLimits EffectiveRateLimits(const RateLimits& defaults, const WorkspaceRateLimits& override_);

}  // namespace cdp::ingest
