#pragma once

#include <string_view>

#include "core/status.h"
#include "http/response.h"

namespace cdp::http {

// The one place where an error becomes an HTTP response:
//   status code from the error code,
//   body {"error": message, "field": field (when set), "request_id": id},
//   Retry-After for 429 and 503, Allow for 405.
// The internal cause never reaches the body; for 5xx errors it is logged here
// together with the request id.
Response ErrorResponse(const Status& status, std::string_view request_id);

}  // namespace cdp::http
