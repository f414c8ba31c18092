#pragma once

#include <optional>
#include <string>
#include <string_view>

#include "core/config.h"

namespace cdp {

// `cdp workspace create NAME`: creates a workspace with a write key and a
// secret key on the metadata database at config.MetaDbPath(), and prints the
// keys (the only time the secret key is shown). Refuses, with the advice of
// the migrator, a database not at this cdp's schema version. The creation is
// recorded in the workspace's audit log (workspace.create, actor the command
// line). The workspace has no members: `cdp user create EMAIL --workspace
// NAME --role owner` gives it its first.
//
// `if_absent`: an existing workspace of that name is reported, not an error.
// `keys_file`: when non-empty and the workspace was created, also writes
// CDP_WRITE_KEY=... and CDP_SECRET_KEY=... lines to that file (mode 0600),
// so that scripts such as `make run` can show the keys again later.
// Returns the process exit code: 0 on success, 1 on failure.
int RunWorkspaceCreateCommand(const Config& config, std::string_view name, bool if_absent,
                              const std::string& keys_file);

// `cdp workspace list`: prints the id, name, creation time and retention of
// every workspace, and whether its rate limits are the defaults. Returns the
// process exit code.
int RunWorkspaceListCommand(const Config& config);

// The options of `cdp workspace limits`, as typed; nullopt when not given.
struct WorkspaceLimitsOptions {
  std::optional<std::string> requests_per_second;  // --rps: a number >= 1 ("50", "2.5")
  std::optional<std::string> burst_requests;       // --burst: an integer >= 1
  std::optional<std::string> burst_window;         // --burst-window: whole seconds ("5s", "1m")
  std::optional<std::string> events_per_day;       // --events-per-day: an integer >= 1
  bool reset = false;                              // --reset

  bool changes_limits() const {
    return requests_per_second || burst_requests || burst_window || events_per_day;
  }
};

// `cdp workspace limits NAME [--rps N] [--burst N] [--burst-window 5s]
// [--events-per-day N] [--reset]`: the workspace's ingestion rate limits.
//  - With limit options, stores them as the workspace's override; the limits
//    not given keep their current value (overridden or default).
//  - With --reset, removes the override: every limit is the default again.
//  - Then, and with no option at all, prints the effective limits, each
//    marked "override" or "default". Defaults are read from this command's
//    configuration (CDP_RATE_LIMIT_*), which should be the server's.
// A running server applies a change within the interval at which it reloads
// the overrides. An invalid value, or --reset with limit options, is refused
// before the database is touched.
// Returns the process exit code: 0 on success, 1 on failure (an invalid
// value, an unknown workspace, a database not at this cdp's schema version).
int RunWorkspaceLimitsCommand(const Config& config, std::string_view name,
                              const WorkspaceLimitsOptions& options);

// `cdp workspace retention NAME [DAYS]`: how many days the event store keeps
// the workspace's events (Workspace::retention_days; 90 unless changed).
// With DAYS, a whole number from 1 to 36500, stores it; then, and without
// DAYS, prints the workspace's retention. An invalid DAYS is refused before
// the database is touched.
// Returns the process exit code: 0 on success, 1 on failure (an invalid
// DAYS, an unknown workspace, a database not at this cdp's schema version).
int RunWorkspaceRetentionCommand(const Config& config, std::string_view name,
                                 const std::optional<std::string>& days);

}  // namespace cdp
