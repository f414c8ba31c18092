#include "ingest/rate_limit_sync.h"

namespace cdp::ingest {

RateLimits EffectiveRateLimits(const RateLimits& defaults, const WorkspaceRateLimits& override_) {
  RateLimits limits = defaults;
  if (override_.requests_per_second) limits.requests_per_second = *override_.requests_per_second;
  if (override_.burst_requests) limits.burst_requests = *override_.burst_requests;
  if (override_.burst_window_seconds) {
    limits.burst_window = std::chrono::seconds(*override_.burst_window_seconds);
  }
  if (override_.events_per_day) limits.events_per_day = *override_.events_per_day;
  return limits;
}

Status RateLimitSync::Apply() {
  CDP_ASSIGN_OR_RETURN(const std::vector<WorkspaceRateLimits> overrides,
                       store_.ListWorkspaceRateLimits());
  std::set<std::string, std::less<>> overridden;
  for (const WorkspaceRateLimits& override_ : overrides) {
    limiter_.SetLimits(override_.workspace_id, EffectiveRateLimits(defaults_, override_));
    overridden.insert(override_.workspace_id);
  }
  for (const std::string& workspace_id : overridden_) {
    if (!overridden.contains(workspace_id)) limiter_.ClearLimits(workspace_id);
  }
  overridden_ = std::move(overridden);
  return Status::Ok();
}

}  // namespace cdp::ingest
