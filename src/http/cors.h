#pragma once

#include <string>
#include <string_view>
#include <vector>

#include "http/request.h"
#include "http/response.h"

namespace cdp::http {

// Cross-origin rules for browsers (SDKs and the console call from other
// origins).
//  - allowed origins "*": any origin may call, without credentials (cookies);
//    the response echoes the caller's origin;
//  - a list of origins: only those, and with credentials.
// Thread safety: immutable after construction.
class CorsPolicy {
 public:
  explicit CorsPolicy(std::vector<std::string> allowed_origins);

  bool IsAllowed(std::string_view origin) const;
  // Whether `request` is a CORS preflight (OPTIONS with Access-Control-Request-Method).
  static bool IsPreflight(const Request& request);
  // Adds the headers an actual (non-preflight) cross-origin response needs.
  // Nothing is added when the request has no Origin or the origin is refused.
  void AddResponseHeaders(std::string_view origin, Response& response) const;
  // The answer to a preflight for a path that accepts `allowed_methods`:
  // 204 with the Access-Control-Allow-* headers, or 403 for a refused origin.
  Response Preflight(const Request& request, std::string_view allowed_methods) const;

 private:
  bool any_origin_;
  std::vector<std::string> origins_;
};

}  // namespace cdp::http
