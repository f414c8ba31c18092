#pragma once

#include "core/config.h"

namespace cdp {

// `cdp serve`: opens the backends (refusing an unmigrated or newer schema),
// serves the HTTP API until SIGTERM / SIGINT, then shuts down gracefully.
// Returns the process exit code.
int RunServeCommand(const Config& config);

}  // namespace cdp
