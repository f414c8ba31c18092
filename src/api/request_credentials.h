#pragma once

#include <optional>
#include <string>
#include <string_view>

#include "http/request.h"

namespace cdp::api {

// The name of the console's session cookie.
inline constexpr std::string_view kSessionCookieName = "cdp_session";

// Where a request's credential came from.
enum class CredentialSource { kBearer, kCookie };

struct RequestCredential {
  std::string value;  // "sk_..." or "st_..."; never logged
  CredentialSource source = CredentialSource::kBearer;
};

// The request's credential: "Authorization: Bearer <value>" first, else the
// cdp_session cookie; nullopt when neither is present.
std::optional<RequestCredential> ReadCredential(const http::Request& request);

// Whether the request arrived over TLS as far as cdp can tell: behind
// `trusted_proxies` (> 0) proxies, X-Forwarded-Proto: https. cdp itself
// speaks plain HTTP.
bool ArrivedOverTls(const http::Request& request, int trusted_proxies);

// The Set-Cookie value that starts a session: HttpOnly, SameSite=Lax,
// Path=/, Max-Age of `max_age_seconds`, and Secure when `secure`.
std::string SessionCookie(std::string_view token, int64_t max_age_seconds, bool secure);
// The Set-Cookie value that ends it (Max-Age=0).
std::string ExpiredSessionCookie(bool secure);

}  // namespace cdp::api
