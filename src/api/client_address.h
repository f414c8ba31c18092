#pragma once

#include <string>

#include "http/request.h"

namespace cdp::api {

// The client's address: the peer's, or the one the outermost trusted proxy
// saw, which is the `trusted_proxies`-th entry of X-Forwarded-For from the
// right (each proxy appends the address it received from). Entries left of
// it were written by the client and prove nothing. Used by ingestion
// (geolocation), the login throttle, session listings and the audit log.
std::string ClientAddress(const http::Request& request, int trusted_proxies);

}  // namespace cdp::api
