#pragma once

#include "core/config.h"

namespace cdp {

// `cdp routes`: prints every route of the server API as "METHOD\tPATTERN\tACCESS"
// lines (access as http::RouteAccessName spells it), in the order the router
// has them, from the same route table `cdp serve` builds (ApiStack, with the
// same configuration). The table does not depend on data: it is built on a
// scratch data directory, so the command runs anywhere and never touches a
// directory a running server uses. Returns the process exit code.
int RunRoutesCommand(const Config& config);

}  // namespace cdp
