#include "api/api_routes.h"

#include <algorithm>
#include <cctype>
#include <utility>

#include "api/client_address.h"
#include "api/request_credentials.h"

namespace cdp::api {

namespace {

http::RouteAccess AccessOf(Permission permission) {
  switch (permission) {
    case Permission::kRead:
      return http::RouteAccess::kRead;
    case Permission::kBuild:
      return http::RouteAccess::kBuild;
    case Permission::kAdmin:
      return http::RouteAccess::kAdmin;
  }
  return http::RouteAccess::kAdmin;
}

std::string Lower(std::string_view text) {
  std::string out(text);
  std::transform(out.begin(), out.end(), out.begin(),
                 [](unsigned char c) { return static_cast<char>(std::tolower(c)); });
  return out;
}

bool IsSafeMethod(std::string_view method) { return method == "GET" || method == "HEAD"; }

// Whether `origin` (lower case) is `host` (any case) under http or https.
bool IsOriginOfHost(const std::string& origin, std::string_view host) {
  if (host.empty()) return false;
  const std::string lower_host = Lower(host);
  return origin == "http://" + lower_host || origin == "https://" + lower_host;
}

// Whether a cookie-authenticated request may change something: a browser
// sends the session cookie with whatever a page on another site makes it
// send, so an unsafe request must come from this server's own pages or the
// console's. Browsers send Origin with every cross-origin request and with
// same-origin ones other than GET and HEAD; a request without one did not
// come from a page of another site (SameSite=Lax keeps the cookie off
// cross-site posts anyway). A page of another site cannot set
// X-Forwarded-Host either: it is no CORS-safelisted header, and the
// preflight it needs is refused to origins other than the console's.
Status CheckOrigin(const http::Request& request, const ApiRoutes::Options& options) {
  const std::string_view origin_header = request.Header("Origin");
  if (origin_header.empty()) return Status::Ok();
  // Scheme and host compare without case (RFC 6454); the port exactly.
  const std::string origin = Lower(origin_header);
  if (IsOriginOfHost(origin, request.Header("Host"))) return Status::Ok();
  if (options.trusted_proxies > 0 &&
      IsOriginOfHost(origin, TrustedForwardedEntry(request.Header("X-Forwarded-Host"),
                                                   options.trusted_proxies))) {
    return Status::Ok();
  }
  for (const std::string& console : options.console_origins) {
    if (origin == Lower(console)) return Status::Ok();
  }
  return Status::Forbidden(
      "cross-site request refused: a request signed in by cookie that changes something must "
      "come from this server's or a console's origin");
}

// Steps 1 to 3's authentication, shared by workspace and user routes: the
// principal, with the actor recorded on the request for the access log.
Result<Principal> AuthenticateRequest(http::Request& request, const AccessControl& access_control,
                                      const ApiRoutes::Options& options) {
  const std::optional<RequestCredential> credential = ReadCredential(request);
  if (!credential) {
    return Status::Unauthorized(
        "missing credentials: sign in, or send a secret key or session token as "
        "'Authorization: Bearer ...'");
  }
  if (credential->source == CredentialSource::kCookie && !IsSafeMethod(request.method())) {
    CDP_RETURN_IF_ERROR(CheckOrigin(request, options));
  }
  CDP_ASSIGN_OR_RETURN(Principal principal, access_control.Authenticate(credential->value));
  request.set_actor(principal.LogLabel());
  return principal;
}

}  // namespace

ApiHandler ApiImmediate(
    std::function<Result<http::Response>(http::Request&, const Caller&)> handle) {
  return [handle = std::move(handle)](http::Request& request, http::Reply reply,
                                      const Caller& caller) {
    Result<http::Response> response = handle(request, caller);
    if (response.ok()) {
      reply.Send(std::move(response).value());
    } else {
      reply.Fail(response.status());
    }
  };
}

ApiRoutes::ApiRoutes(http::Router& router, const AccessControl& access_control, Options options)
    : router_(router), access_control_(access_control), options_(std::move(options)) {}

void ApiRoutes::Add(std::string_view method, std::string_view pattern, Permission permission,
                    ApiHandler handler) {
  // The handlers hold what they need themselves: this object need not
  // outlive the router.
  router_.Add(method, pattern, AccessOf(permission),
              [&access_control = access_control_, options = options_, permission,
               handler = std::move(handler)](http::Request& request, http::Reply reply) {
                Result<Principal> principal = AuthenticateRequest(request, access_control, options);
                if (!principal.ok()) {
                  reply.Fail(principal.status());
                  return;
                }
                Result<WorkspaceAccess> access = access_control.Authorize(
                    *principal, request.Header("X-Workspace-Id"), permission);
                if (!access.ok()) {
                  reply.Fail(access.status());
                  return;
                }
                request.set_workspace_id(access->workspace_id);
                const Caller caller{std::move(access).value()};
                handler(request, std::move(reply), caller);
              });
}

void ApiRoutes::AddUser(std::string_view method, std::string_view pattern, UserHandler handler,
                        bool allowed_before_password_change) {
  router_.Add(
      method, pattern, http::RouteAccess::kUser,
      [&access_control = access_control_, options = options_, allowed_before_password_change,
       handler = std::move(handler)](http::Request& request, http::Reply reply) {
        Result<Principal> principal = AuthenticateRequest(request, access_control, options);
        if (!principal.ok()) {
          reply.Fail(principal.status());
          return;
        }
        if (!principal->is_user()) {
          reply.Fail(Status::Forbidden(
              "this route needs a signed-in user's session: a secret key acts on its "
              "workspace only"));
          return;
        }
        if (principal->password_change_required && !allowed_before_password_change) {
          reply.Fail(Status::Forbidden(
              "password change required: set a new password (PUT /me/password) first"));
          return;
        }
        Result<http::Response> response = handler(request, *principal);
        if (response.ok()) {
          reply.Send(std::move(response).value());
        } else {
          reply.Fail(response.status());
        }
      });
}

}  // namespace cdp::api
