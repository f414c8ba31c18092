#pragma once

#include <fmt/format.h>

#include <chrono>
#include <string_view>

#include "core/status.h"

namespace cdp::ingest {

// What a client hears when a backend (the event log, the metadata store)
// failed under a request: 503 with Retry-After, `what` as the message and the
// backend's error as the cause (logged, never sent). A backend's own
// Unavailable passes through with its retry time.
inline Status StoreFailure(std::string_view what, const Status& cause) {
  if (cause.code() == ErrorCode::kUnavailable) return cause;
  return std::move(
      Status::Unavailable(fmt::format("{}; retry later", what), std::chrono::seconds(1))
          .WithCause(cause.ToString()));
}

}  // namespace cdp::ingest
