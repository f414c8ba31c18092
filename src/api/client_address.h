#pragma once

#include <string>
#include <string_view>

#include "http/request.h"

namespace cdp::api {

// The client's address: the peer's, or the one the outermost trusted proxy
// saw, which is the `trusted_proxies`-th entry of X-Forwarded-For from the
// right (each proxy appends the address it received from). Entries left of
// it were written by the client and prove nothing. Used by ingestion
// (geolocation), the login throttle, session listings and the audit log.
std::string ClientAddress(const http::Request& request, int trusted_proxies);

// The entry of a comma-separated X-Forwarded-* header value that the
// outermost of `trusted_proxies` proxies wrote: the `trusted_proxies`-th from
// the right, or the leftmost when there are fewer; "" when there are none.
std::string_view TrustedForwardedEntry(std::string_view header_value, int trusted_proxies);

}  // namespace cdp::api
