#pragma once

#include <functional>
#include <string>
#include <string_view>
#include <vector>

#include "auth/access_control.h"
#include "auth/permission.h"
#include "http/handler.h"
#include "http/router.h"

namespace cdp::api {

// The caller of a guarded route, as the guard established it. Handlers
// scope every read and write to `access.workspace_id`.
struct Caller {
  WorkspaceAccess access;
  const std::string& workspace_id() const { return access.workspace_id; }
};

// A guarded route's handler: the request, its reply, and the caller (valid
// during the call: a handler that answers later copies what it needs).
using ApiHandler = std::function<void(http::Request&, http::Reply, const Caller&)>;
// Adapts a handler that answers at once, as http::Immediate.
ApiHandler ApiImmediate(
    std::function<Result<http::Response>(http::Request&, const Caller&)> handle);

// A user route's handler (RouteAccess::kUser): signed-in users only, no
// workspace; `principal` is a kUser principal.
using UserHandler =
    std::function<Result<http::Response>(http::Request&, const Principal& principal)>;

// Registers the server API's routes behind the access guard. Before a
// handler runs, the guard
//  1. reads the credentials (api/request_credentials.h): a bearer secret key
//     or session token, or the session cookie; none → 401;
//  2. refuses a cookie-authenticated unsafe request (not GET/HEAD) whose
//     Origin is neither this server's nor a console origin (CSRF) → 403;
//  3. authenticates and authorizes for the route's permission in the
//     X-Workspace-Id workspace (AccessControl) → 401 / 403 / 400;
//  4. records the workspace and the actor on the request (access log).
// User routes take steps 1, 2 and 3's authentication, refuse secret keys
// (403: a user session is needed), and, while the user owes a password
// change, only the routes marked `allowed_before_password_change` pass.
// Thread safety: Add before serving; handlers then run on any thread.
class ApiRoutes {
 public:
  struct Options {
    // Origins of a console served elsewhere (CDP_CONSOLE_ORIGINS); this
    // server's own origin is always allowed.
    std::vector<std::string> console_origins;
    // Reverse proxies in front of this server (CDP_TRUST_PROXY). With any,
    // the host the outermost one saw (its X-Forwarded-Host entry) is this
    // server's origin too, for a proxy that rewrites Host.
    int trusted_proxies = 0;
  };
  // REQUIRES: `router` and `access_control` outlive this and the router.
  ApiRoutes(http::Router& router, const AccessControl& access_control, Options options);

  // A workspace route needing `permission` (RouteAccess kRead, kBuild or
  // kAdmin).
  void Add(std::string_view method, std::string_view pattern, Permission permission,
           ApiHandler handler);
  // A signed-in user's route (RouteAccess::kUser).
  void AddUser(std::string_view method, std::string_view pattern, UserHandler handler,
               bool allowed_before_password_change = false);

  http::Router& router() { return router_; }

 private:
  http::Router& router_;
  const AccessControl& access_control_;
  const Options options_;
};

}  // namespace cdp::api
