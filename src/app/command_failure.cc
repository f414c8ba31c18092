#include "app/command_failure.h"

#include <fmt/format.h>

#include <cstdio>

namespace cdp {

int ReportCommandFailure(const Status& status) {
  fmt::print(stderr, "error: {}\n", status.message());
  const bool explains_itself =
      status.code() != ErrorCode::kInternal && status.code() != ErrorCode::kUnavailable;
  if (!explains_itself && !status.cause().empty()) {
    fmt::print(stderr, "  cause: {}\n", status.cause());
  }
  return 1;
}

}  // namespace cdp
