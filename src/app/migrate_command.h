#pragma once

#include <string_view>

#include "core/config.h"

namespace cdp {

// `cdp migrate up|down|status` on the metadata database at
// config.MetaDbPath(). `steps` is how many migrations `down` reverts (at
// least 1; ignored by the other actions). Progress and results go to stdout,
// errors to stderr. Returns the process exit code: 0 on success, 1 on
// failure (`status` fails only when this cdp cannot use the database as it
// is, e.g. a newer schema; pending migrations are reported, not failed).
int RunMigrateCommand(const Config& config, std::string_view action, int steps);

}  // namespace cdp
