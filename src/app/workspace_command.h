#pragma once

#include <string>
#include <string_view>

#include "core/config.h"

namespace cdp {

// `cdp workspace create NAME`: creates a workspace with a write key and a
// secret key on the metadata database at config.MetaDbPath(), and prints the
// keys (the only time the secret key is shown). Refuses, with the advice of
// the migrator, a database not at this cdp's schema version.
//
// `if_absent`: an existing workspace of that name is reported, not an error.
// `keys_file`: when non-empty and the workspace was created, also writes
// CDP_WRITE_KEY=... and CDP_SECRET_KEY=... lines to that file (mode 0600),
// so that scripts such as `make run` can show the keys again later.
// Returns the process exit code: 0 on success, 1 on failure.
int RunWorkspaceCreateCommand(const Config& config, std::string_view name, bool if_absent,
                              const std::string& keys_file);

// `cdp workspace list`: prints the id, name and creation time of every
// workspace. Returns the process exit code.
int RunWorkspaceListCommand(const Config& config);

}  // namespace cdp
