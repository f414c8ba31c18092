#pragma once

#include "core/status.h"

namespace cdp {

// Prints a failed command's error for the person at the terminal (with the
// internal cause when the message alone, "internal error" or "busy", does not
// explain) and returns the exit code 1.
int ReportCommandFailure(const Status& status);

}  // namespace cdp
