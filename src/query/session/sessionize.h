#pragma once

#include <cstdint>
#include <span>

#include "query/session/person_steps.h"

namespace cdp::query {

// Splits one person's steps (in time order) into sessions and calls
// `visit(session)` for each, in time order: a session ends when the next
// event comes more than `timeout_micros` after the one before it. A gap of
// exactly the timeout continues the session (as PostHog's and Amplitude's
// "30 minutes of inactivity" read: the session ends only once the timeout
// has passed with nothing new).
template <typename Visit>
void ForEachSession(std::span<const Step> steps, int64_t timeout_micros, Visit&& visit) {
  size_t first = 0;
  for (size_t i = 1; i <= steps.size(); ++i) {
    if (i == steps.size() || steps[i].micros - steps[i - 1].micros > timeout_micros) {
      visit(steps.subspan(first, i - first));
      first = i;
    }
  }
}

}  // namespace cdp::query
