#include "api/account_routes.h"

#include <simdjson.h>

#include <algorithm>
#include <chrono>
#include <string>
#include <utility>

#include "api/client_address.h"
#include "api/page.h"
#include "api/request_credentials.h"
#include "core/json_writer.h"
#include "query/request_json.h"

namespace cdp::api {

namespace {

bool CookieIsSecure(const http::Request& request, const AccountRoutesOptions& options) {
  switch (options.cookie_security) {
    case CookieSecurity::kAlways:
      return true;
    case CookieSecurity::kNever:
      return false;
    case CookieSecurity::kAuto:
      return ArrivedOverTls(request, options.trusted_proxies);
  }
  return true;
}

// The body of POST /auth/login, without the client's address and agent.
Result<LoginRequest> ParseLogin(std::string_view body) {
  simdjson::dom::parser parser;
  CDP_ASSIGN_OR_RETURN(const query::RequestObject root, query::RequestObject::Parse(parser, body));
  CDP_RETURN_IF_ERROR(root.RejectUnknownKeys({"email", "password", "session"}));
  LoginRequest login;
  CDP_ASSIGN_OR_RETURN(const std::string_view email, root.String("email"));
  CDP_ASSIGN_OR_RETURN(const std::string_view password, root.String("password"));
  login.email = std::string(email);
  login.password = std::string(password);
  CDP_ASSIGN_OR_RETURN(
      login.kind, root.Choice<SessionKind>(
                      "session", {{"cookie", SessionKind::kCookie}, {"token", SessionKind::kToken}},
                      SessionKind::kCookie));
  return login;
}

void WriteUser(JsonWriter& json, const User& user) {
  json.BeginObject()
      .Key("id")
      .String(user.id)
      .Key("email")
      .String(user.email)
      .Key("created_at")
      .String(FormatIso8601(user.created_at))
      .Key("password_change_required")
      .Bool(user.password_change_required)
      .EndObject();
}

// What a client is told of its own session.
void WriteSessionSummary(JsonWriter& json, const Session& session) {
  json.BeginObject()
      .Key("id")
      .String(session.id)
      .Key("kind")
      .String(SessionKindName(session.kind))
      .Key("expires_at")
      .String(FormatIso8601(session.expires_at))
      .EndObject();
}

// The session's lifetime, for the cookie's Max-Age: the cookie is set as the
// session starts, so they end together.
int64_t LifetimeSeconds(const Session& session) {
  const auto lifetime =
      std::chrono::duration_cast<std::chrono::seconds>(session.expires_at - session.created_at);
  return std::max<int64_t>(0, lifetime.count());
}

// Responses that carry a credential or account data are never cached.
void NoStore(http::Response& response) {
  response.headers.emplace_back("Cache-Control", "no-store");
}

Result<http::Response> Login(http::Request& request, AccountService& accounts,
                             const AccountRoutesOptions& options) {
  CDP_ASSIGN_OR_RETURN(LoginRequest login, ParseLogin(request.body()));
  login.ip = ClientAddress(request, options.trusted_proxies);
  login.user_agent = std::string(request.Header("User-Agent"));
  CDP_ASSIGN_OR_RETURN(const NewSession created, accounts.Login(login));

  JsonWriter json;
  json.BeginObject().Key("user");
  WriteUser(json, created.user);
  json.Key("session");
  WriteSessionSummary(json, created.session);
  if (created.session.kind == SessionKind::kToken) json.Key("token").String(created.token);
  http::Response response = http::Response::Json(200, std::move(json.EndObject()).Take());
  if (created.session.kind == SessionKind::kCookie) {
    response.headers.emplace_back("Set-Cookie",
                                  SessionCookie(created.token, LifetimeSeconds(created.session),
                                                CookieIsSecure(request, options)));
  }
  NoStore(response);
  return response;
}

// The caller's session as the store has it now.
Result<Session> CurrentSession(AccountStore& store, const Clock& clock,
                               const Principal& principal) {
  CDP_ASSIGN_OR_RETURN(const std::vector<Session> sessions,
                       store.ListActiveSessions(principal.user_id, clock.Now()));
  for (const Session& session : sessions) {
    if (session.id == principal.session_id) return session;
  }
  // Revoked or expired between the guard's check and now.
  return Status::Unauthorized("the session has ended; sign in again");
}

Result<http::Response> Me(AccountStore& store, const Clock& clock, const Principal& principal) {
  CDP_ASSIGN_OR_RETURN(const User user, store.GetUser(principal.user_id));
  CDP_ASSIGN_OR_RETURN(const Session session, CurrentSession(store, clock, principal));
  CDP_ASSIGN_OR_RETURN(const std::vector<UserWorkspace> workspaces,
                       store.ListUserWorkspaces(principal.user_id));
  JsonWriter json;
  json.BeginObject().Key("user");
  WriteUser(json, user);
  json.Key("session");
  WriteSessionSummary(json, session);
  json.Key("workspaces").BeginArray();
  for (const UserWorkspace& workspace : workspaces) {
    json.BeginObject()
        .Key("id")
        .String(workspace.workspace_id)
        .Key("name")
        .String(workspace.workspace_name)
        .Key("role")
        .String(RoleName(workspace.role))
        .EndObject();
  }
  json.EndArray();
  http::Response response = http::Response::Json(200, std::move(json.EndObject()).Take());
  NoStore(response);
  return response;
}

Result<http::Response> ChangePassword(http::Request& request, AccountService& accounts,
                                      const Principal& principal) {
  simdjson::dom::parser parser;
  CDP_ASSIGN_OR_RETURN(const query::RequestObject root,
                       query::RequestObject::Parse(parser, request.body()));
  CDP_RETURN_IF_ERROR(root.RejectUnknownKeys({"current_password", "new_password"}));
  CDP_ASSIGN_OR_RETURN(const std::string_view current, root.String("current_password"));
  CDP_ASSIGN_OR_RETURN(const std::string_view next, root.String("new_password"));
  CDP_RETURN_IF_ERROR(
      accounts.ChangePassword(principal.user_id, principal.session_id, current, next));
  return http::Response::NoContent();
}

Result<http::Response> ListSessions(AccountService& accounts, const Principal& principal) {
  CDP_ASSIGN_OR_RETURN(const std::vector<Session> sessions,
                       accounts.ListSessions(principal.user_id));
  http::Response response =
      PageResponse<Session>(sessions, "", [&principal](JsonWriter& json, const Session& session) {
        json.BeginObject()
            .Key("id")
            .String(session.id)
            .Key("kind")
            .String(SessionKindName(session.kind))
            .Key("created_at")
            .String(FormatIso8601(session.created_at))
            .Key("expires_at")
            .String(FormatIso8601(session.expires_at))
            .Key("ip")
            .String(session.ip)
            .Key("user_agent")
            .String(session.user_agent)
            .Key("current")
            .Bool(session.id == principal.session_id)
            .EndObject();
      });
  NoStore(response);
  return response;
}

}  // namespace

void AddAccountRoutes(ApiRoutes& routes, AccountService& accounts, AccountStore& store,
                      const Clock& clock, AccountRoutesOptions options) {
  // Public: the login is how a credential is obtained. AccountService applies
  // the per-address throttle and the per-account lockout.
  routes.router().Add("POST", "/auth/login", http::RouteAccess::kPublic,
                      http::Immediate([&accounts, options](http::Request& request) {
                        return Login(request, accounts, options);
                      }));

  routes.AddUser(
      "POST", "/auth/logout",
      [&accounts, options](http::Request& request,
                           const Principal& principal) -> Result<http::Response> {
        CDP_RETURN_IF_ERROR(accounts.Logout(principal.user_id, principal.session_id));
        http::Response response = http::Response::NoContent();
        response.headers.emplace_back("Set-Cookie",
                                      ExpiredSessionCookie(CookieIsSecure(request, options)));
        return response;
      },
      /*allowed_before_password_change=*/true);

  routes.AddUser(
      "GET", "/me",
      [&store, &clock](http::Request&, const Principal& principal) {
        return Me(store, clock, principal);
      },
      /*allowed_before_password_change=*/true);

  routes.AddUser(
      "PUT", "/me/password",
      [&accounts](http::Request& request, const Principal& principal) {
        return ChangePassword(request, accounts, principal);
      },
      /*allowed_before_password_change=*/true);

  routes.AddUser("GET", "/me/sessions", [&accounts](http::Request&, const Principal& principal) {
    return ListSessions(accounts, principal);
  });

  routes.AddUser("DELETE", "/me/sessions/{id}",
                 [&accounts, options](http::Request& request,
                                      const Principal& principal) -> Result<http::Response> {
                   const std::string_view id = request.PathParam("id");
                   CDP_RETURN_IF_ERROR(accounts.RevokeSession(principal.user_id, id));
                   http::Response response = http::Response::NoContent();
                   // Ending the session in use is a logout: the cookie goes too.
                   if (id == principal.session_id) {
                     response.headers.emplace_back(
                         "Set-Cookie", ExpiredSessionCookie(CookieIsSecure(request, options)));
                   }
                   return response;
                 });
}

}  // namespace cdp::api
