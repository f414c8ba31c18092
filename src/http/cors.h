#pragma once

#include <string>
#include <string_view>
#include <vector>

#include "http/request.h"
#include "http/response.h"

namespace cdp::http {

// Cross-origin rules for browsers. A policy is one of two kinds:
//  - open (Open): for the ingestion routes, which SDKs call from the pages
//    of any site. "*" allows every origin, a list only those; never with
//    credentials: responses never carry Access-Control-Allow-Credentials, so
//    a browser neither sends cookies nor lets a page read an answer made
//    with them (the write key travels in the request itself).
//  - credentialed (Credentialed): for the server API, which a console served
//    from another origin calls with its session cookie. Only the listed
//    origins, each with credentials; "*" is never one of them (browsers
//    refuse credentials for "*", and every site would get the user's
//    session).
// An allowed origin is echoed with Vary: Origin. Same-origin requests need
// none of this: browsers only apply CORS across origins.
// Thread safety: immutable after construction.
class CorsPolicy {
 public:
  // `allowed_origins`: "*" (any origin) or exact origins
  // ("https://shop.example").
  static CorsPolicy Open(std::vector<std::string> allowed_origins);
  // `console_origins`: exact origins. A "*" among them is ignored: it would
  // hand every site the user's session.
  static CorsPolicy Credentialed(std::vector<std::string> console_origins);

  bool credentialed() const { return credentialed_; }
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
  CorsPolicy(bool credentialed, std::vector<std::string> origins);

  bool credentialed_;
  bool any_origin_;
  std::vector<std::string> origins_;
};

}  // namespace cdp::http
