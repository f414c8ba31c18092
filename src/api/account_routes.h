#pragma once

#include "api/api_routes.h"
#include "auth/account_service.h"
#include "core/clock.h"
#include "meta/account_store.h"

namespace cdp::api {

// When the session cookie is marked Secure (CDP_COOKIE_SECURE).
enum class CookieSecurity {
  kAuto,    // when the request arrived over TLS (ArrivedOverTls)
  kAlways,  // always: cdp is only ever reached over HTTPS
  kNever,   // never: plain HTTP on purpose (a local trial)
};

struct AccountRoutesOptions {
  CookieSecurity cookie_security = CookieSecurity::kAuto;
  // Reverse proxies whose X-Forwarded-For and X-Forwarded-Proto are believed
  // (CDP_TRUST_PROXY): for the client's address (the login throttle, the
  // session listing) and for kAuto.
  int trusted_proxies = 0;
};

// A user's own account: signing in and out, the password, the sessions.
//
//   POST   /auth/login        (public) {"email", "password", "session":
//                             "cookie"|"token"} (session optional, "cookie" by
//                             default): 200 {"user", "session": {"id", "kind",
//                             "expires_at"}} and, for "cookie", a Set-Cookie
//                             (cdp_session, HttpOnly, SameSite=Lax, Path=/,
//                             Max-Age, Secure per the options); for "token",
//                             "token": "st_..." in the body and no cookie.
//                             401 "invalid email or password"; 429 with
//                             Retry-After when the address is throttled or the
//                             account locked; 400 naming a malformed field.
//   POST   /auth/logout       (user) 204: revokes the session, expires the
//                             cookie.
//   GET    /me                (user) {"user": {"id", "email", "created_at",
//                             "password_change_required"}, "session",
//                             "workspaces": [{"id", "name", "role"}]}.
//   PUT    /me/password       (user) {"current_password", "new_password"}:
//                             204; the user's other sessions are revoked.
//   GET    /me/sessions       (user) {"results": [{"id", "kind", "created_at",
//                             "expires_at", "ip", "user_agent", "current"}],
//                             "next_cursor": null}, newest first.
//   DELETE /me/sessions/{id}  (user) 204; 404 for a session not the user's.
//
// /auth/logout, /me and /me/password are open to a user who still owes a
// password change (signed in with a one-time password); the sessions routes
// are not. The token and the password never appear in a log or an error.
// Every argument must outlive the router.
void AddAccountRoutes(ApiRoutes& routes, AccountService& accounts, AccountStore& store,
                      const Clock& clock, AccountRoutesOptions options);

}  // namespace cdp::api
