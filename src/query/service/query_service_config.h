#pragma once

#include "core/config.h"
#include "query/service/query_service.h"

namespace cdp::query {

// The service's options from the CDP_* configuration: cache TTLs by kind,
// query threads and queue, async job limits. `scan_parallelism` is one scan
// thread per core.
QueryServiceOptions QueryServiceOptionsFrom(const Config& config);

}  // namespace cdp::query
