#include "api/api_routes.h"

#include <gtest/gtest.h>

#include <chrono>
#include <deque>
#include <map>
#include <memory>
#include <optional>
#include <string>
#include <vector>

#include "api/audit_recorder.h"
#include "api/request_credentials.h"
#include "api/testing/api_test_access.h"
#include "support/captured_reply.h"
#include "support/json_pointer.h"
#include "support/route_dispatch.h"
#include "support/temp_dir.h"

namespace cdp::api {
namespace {

using namespace std::chrono_literals;

constexpr Role kRoles[] = {Role::kOwner, Role::kAdmin, Role::kMember, Role::kViewer};
constexpr Permission kPermissions[] = {Permission::kRead, Permission::kBuild, Permission::kAdmin};
constexpr std::string_view kHost = "cdp.example:8080";
constexpr std::string_view kConsole = "https://console.example";

// What a guarded handler saw.
struct Seen {
  std::string workspace_id;
  std::optional<Role> role;
  Principal principal;
};

// The guard in front of a few fake routes, one per permission (GET /read,
// POST /build, DELETE /admin) and three user routes (GET /me, allowed before
// a password change, POST /me/thing and GET /me/async, which answers after
// returning), on the real AccessControl over a migrated SQLite database with
// two workspaces.
class ApiRoutesTest : public ::testing::Test {
 protected:
  static inline const TimePoint kT0 =
      std::chrono::sys_days{std::chrono::year{2026} / 6 / 7} + std::chrono::hours(8);

  void SetUp() override {
    ASSERT_NO_FATAL_FAILURE(access_.Open(dir_.File("meta.sqlite"), router_,
                                         {.console_origins = {std::string(kConsole)}}));
    acme_ = access_.CreateWorkspace("acme");
    other_ = access_.CreateWorkspace("other");
    ApiRoutes& routes = access_.routes();
    const std::map<Permission, std::pair<std::string, std::string>> fake = {
        {Permission::kRead, {"GET", "/read"}},
        {Permission::kBuild, {"POST", "/build"}},
        {Permission::kAdmin, {"DELETE", "/admin"}},
    };
    for (const auto& [permission, route] : fake) {
      routes.Add(route.first, route.second, permission,
                 ApiImmediate([this](http::Request&, const Caller& caller) {
                   seen_ = Seen{caller.workspace_id(), caller.access.role, caller.access.principal};
                   return http::Response::Json(200, "{}");
                 }));
    }
    const auto user_handler = [this](http::Request&,
                                     const Principal& principal) -> Result<http::Response> {
      seen_ = Seen{"", std::nullopt, principal};
      return http::Response::Json(200, "{}");
    };
    routes.AddUser("GET", "/me", user_handler, /*allowed_before_password_change=*/true);
    routes.AddUser("POST", "/me/thing", user_handler);
  }

  static std::string PathOf(Permission permission) {
    switch (permission) {
      case Permission::kRead:
        return "/read";
      case Permission::kBuild:
        return "/build";
      case Permission::kAdmin:
        return "/admin";
    }
    return "";
  }
  static std::string MethodOf(Permission permission) {
    switch (permission) {
      case Permission::kRead:
        return "GET";
      case Permission::kBuild:
        return "POST";
      case Permission::kAdmin:
        return "DELETE";
    }
    return "";
  }

  // Header values live as long as the test (a HeaderList holds views).
  std::string_view Keep(std::string text) { return kept_.emplace_back(std::move(text)); }
  http::HeaderList Bearer(const std::string& credential) {
    return {{"Authorization", Keep("Bearer " + credential)}};
  }
  http::HeaderList Cookie(const std::string& token, std::string_view origin = {}) {
    http::HeaderList headers{
        {"Cookie", Keep("theme=dark; " + std::string(kSessionCookieName) + "=" + token)},
        {"Host", kHost}};
    if (!origin.empty()) headers.emplace_back("Origin", Keep(std::string(origin)));
    return headers;
  }

  // Routes and calls the handler as the pipeline does; the handler's answer.
  http::Response Call(std::string_view method, std::string_view path, http::HeaderList headers,
                      std::string_view workspace_header = {}) {
    seen_.reset();
    if (!workspace_header.empty()) headers.emplace_back("X-Workspace-Id", workspace_header);
    request_ = std::make_unique<http::Request>();
    request_->SetStartLine(method, path);
    request_->SetHeaders(std::move(headers));
    request_->SetRequestId("req-1");
    request_->SetRemoteAddress("203.0.113.9");
    const http::Response response = cdp::testing::CallRoute(router_, *request_);
    // The handler ran exactly when the answer is its 200.
    EXPECT_EQ(seen_.has_value(), response.status == 200) << method << " " << path;
    return response;
  }

  int Status(std::string_view method, std::string_view path, http::HeaderList headers,
             std::string_view workspace_header = {}) {
    return Call(method, path, std::move(headers), workspace_header).status;
  }

  // A user with `role` in acme (and nowhere else); returns the user id.
  std::string Member(Role role, bool password_change_required = false) {
    const std::string user_id =
        access_.AddUser(std::string(RoleName(role)) + std::to_string(++users_) + "@example.com",
                        password_change_required);
    access_.AddMember(acme_.workspace.id, user_id, role);
    return user_id;
  }

  std::deque<std::string> kept_;
  cdp::testing::TempDir dir_;
  ManualClock clock_{kT0};
  http::Router router_;
  testing::ApiTestAccess access_{clock_};
  ProvisionedWorkspace acme_;
  ProvisionedWorkspace other_;
  std::unique_ptr<http::Request> request_;
  std::optional<Seen> seen_;
  int users_ = 0;
};

TEST_F(ApiRoutesTest, RoutesAreRecordedWithTheirAccess) {
  std::map<std::string, http::RouteAccess> access;
  for (const http::Route* route : router_.routes()) {
    access[route->method + " " + route->pattern] = route->access;
  }
  EXPECT_EQ(access, (std::map<std::string, http::RouteAccess>{
                        {"GET /read", http::RouteAccess::kRead},
                        {"POST /build", http::RouteAccess::kBuild},
                        {"DELETE /admin", http::RouteAccess::kAdmin},
                        {"GET /me", http::RouteAccess::kUser},
                        {"POST /me/thing", http::RouteAccess::kUser},
                    }));
}

TEST_F(ApiRoutesTest, WithoutValidCredentialsEveryRouteIs401) {
  const std::vector<std::pair<std::string, std::string>> routes = {{"GET", "/read"},
                                                                   {"POST", "/build"},
                                                                   {"DELETE", "/admin"},
                                                                   {"GET", "/me"},
                                                                   {"POST", "/me/thing"}};
  for (const auto& [method, path] : routes) {
    SCOPED_TRACE(method + " " + path);
    EXPECT_EQ(Status(method, path, {}), 401);
    EXPECT_EQ(Status(method, path, {{"Authorization", "Basic c2tfeDo="}}), 401);
    EXPECT_EQ(Status(method, path, Bearer("sk_not_a_key")), 401);
    EXPECT_EQ(Status(method, path, Bearer(NewSecretKey())), 401);
    EXPECT_EQ(Status(method, path, Bearer(NewSessionToken())), 401);
    EXPECT_EQ(Status(method, path, Bearer(acme_.write_key)), 401);
    EXPECT_EQ(Status(method, path, Cookie(NewSessionToken(), "http://cdp.example:8080")), 401);
    EXPECT_TRUE(request_->actor().empty());
    EXPECT_TRUE(request_->workspace_id().empty());
  }
  // The error never repeats the credential.
  const std::string key = NewSecretKey();
  EXPECT_EQ(Call("GET", "/read", Bearer(key)).body.find(key.substr(3)), std::string::npos);
}

TEST_F(ApiRoutesTest, SecretKeysByScope) {
  const std::map<ApiKeyScope, std::string> keys = {
      {ApiKeyScope::kRead, access_.AddSecretKey(acme_.workspace.id, ApiKeyScope::kRead)},
      {ApiKeyScope::kAdmin, acme_.secret_key},
  };
  for (const auto& [scope, key] : keys) {
    for (const Permission permission : kPermissions) {
      SCOPED_TRACE(std::string(ApiKeyScopeName(scope)) + " x " +
                   std::string(PermissionName(permission)));
      const http::Response response = Call(MethodOf(permission), PathOf(permission), Bearer(key));
      EXPECT_EQ(response.status, ScopeGrants(scope, permission) ? 200 : 403) << response.body;
      if (response.status == 200) {
        EXPECT_EQ(seen_->workspace_id, acme_.workspace.id);
        EXPECT_EQ(seen_->role, std::nullopt);
        EXPECT_FALSE(seen_->principal.is_user());
        EXPECT_EQ(request_->workspace_id(), acme_.workspace.id);
      }
      EXPECT_EQ(request_->actor(),
                "key:" + access_.access_control().Authenticate(key).value().key_id);
    }
  }
}

TEST_F(ApiRoutesTest, SecretKeyOfAnotherWorkspaceThanNamedIs403) {
  EXPECT_EQ(Status("GET", "/read", Bearer(acme_.secret_key), acme_.workspace.id), 200);
  EXPECT_EQ(Status("GET", "/read", Bearer(acme_.secret_key), other_.workspace.id), 403);
  EXPECT_EQ(Status("GET", "/read", Bearer(other_.secret_key), acme_.workspace.id), 403);
  EXPECT_TRUE(request_->workspace_id().empty());
}

TEST_F(ApiRoutesTest, SessionsByRole) {
  for (const Role role : kRoles) {
    const std::string user_id = Member(role);
    const std::string token = access_.StartSession(user_id);
    for (const Permission permission : kPermissions) {
      SCOPED_TRACE(std::string(RoleName(role)) + " x " + std::string(PermissionName(permission)));
      const http::Response response = Call(MethodOf(permission), PathOf(permission), Bearer(token));
      EXPECT_EQ(response.status, RoleGrants(role, permission) ? 200 : 403) << response.body;
      EXPECT_EQ(request_->actor(), "user:" + user_id);
      if (response.status == 200) {
        EXPECT_EQ(seen_->workspace_id, acme_.workspace.id);
        EXPECT_EQ(seen_->role, role);
        EXPECT_EQ(seen_->principal.user_id, user_id);
        EXPECT_EQ(request_->workspace_id(), acme_.workspace.id);
      } else {
        EXPECT_TRUE(request_->workspace_id().empty());
      }
    }
  }
}

TEST_F(ApiRoutesTest, UsersNameTheirWorkspace) {
  const std::string user_id = Member(Role::kViewer);
  const std::string token = access_.StartSession(user_id);
  // One membership: the header may be left out.
  EXPECT_EQ(Status("GET", "/read", Bearer(token)), 200);
  EXPECT_EQ(Status("GET", "/read", Bearer(token), acme_.workspace.id), 200);
  // Not a member there, or no such workspace: the same 403.
  EXPECT_EQ(Status("GET", "/read", Bearer(token), other_.workspace.id), 403);
  EXPECT_EQ(Status("GET", "/read", Bearer(token), "no-such-workspace"), 403);
  // Several memberships: the header is needed.
  access_.AddMember(other_.workspace.id, user_id, Role::kAdmin);
  const http::Response ambiguous = Call("GET", "/read", Bearer(token));
  EXPECT_EQ(ambiguous.status, 400);
  EXPECT_EQ(cdp::testing::StringAt(ambiguous.body, "/field"), "X-Workspace-Id");
  EXPECT_EQ(Status("DELETE", "/admin", Bearer(token), other_.workspace.id), 200);
  EXPECT_EQ(seen_->workspace_id, other_.workspace.id);
  EXPECT_EQ(Status("DELETE", "/admin", Bearer(token), acme_.workspace.id), 403);
}

TEST_F(ApiRoutesTest, SessionCookieWorksLikeTheBearerToken) {
  const std::string token = access_.StartSession(Member(Role::kMember), SessionKind::kCookie);
  EXPECT_EQ(Status("GET", "/read", Cookie(token)), 200);
  EXPECT_EQ(seen_->principal.session_kind, SessionKind::kCookie);
  EXPECT_EQ(Status("POST", "/build", Cookie(token)), 200);
  EXPECT_EQ(Status("DELETE", "/admin", Cookie(token)), 403);
  // The bearer header comes first.
  http::HeaderList both = Cookie(token);
  both.emplace_back("Authorization", Keep("Bearer " + NewSecretKey()));
  EXPECT_EQ(Status("GET", "/read", both), 401);
}

TEST_F(ApiRoutesTest, CookieRequestsThatChangeSomethingMustComeFromAnAllowedOrigin) {
  const std::string token = access_.StartSession(Member(Role::kAdmin), SessionKind::kCookie);
  // This server's own origin (either scheme, any case) and the console's.
  for (const char* origin : {"http://cdp.example:8080", "https://cdp.example:8080",
                             "HTTPS://CDP.example:8080", "https://console.example"}) {
    EXPECT_EQ(Status("POST", "/build", Cookie(token, origin)), 200) << origin;
    EXPECT_EQ(Status("DELETE", "/admin", Cookie(token, origin)), 200) << origin;
    EXPECT_EQ(Status("POST", "/me/thing", Cookie(token, origin)), 200) << origin;
  }
  // No Origin: not a page of another site.
  EXPECT_EQ(Status("POST", "/build", Cookie(token)), 200);
  // Anything else is refused before the handler, and before the cookie is
  // even looked at.
  for (const char* origin :
       {"https://evil.example", "null", "http://cdp.example", "https://cdp.example:8080.evil",
        "http://cdp.example:8080/", "https://console.example:444"}) {
    for (const auto& [method, path] : std::vector<std::pair<std::string, std::string>>{
             {"POST", "/build"}, {"DELETE", "/admin"}, {"POST", "/me/thing"}}) {
      const http::Response response = Call(method, path, Cookie(token, origin));
      EXPECT_EQ(response.status, 403) << origin << " " << method << " " << path;
    }
    EXPECT_EQ(Status("POST", "/build", Cookie(NewSessionToken(), origin)), 403) << origin;
  }
  // Reads are safe: a foreign page cannot read the answer (CORS) anyway.
  EXPECT_EQ(Status("GET", "/read", Cookie(token, "https://evil.example")), 200);
  EXPECT_EQ(Status("GET", "/me", Cookie(token, "https://evil.example")), 200);
  // A bearer credential is not sent by browsers on their own: no check.
  const std::string bearer = access_.StartSession(Member(Role::kAdmin));
  http::HeaderList headers = Bearer(bearer);
  headers.emplace_back("Origin", "https://evil.example");
  EXPECT_EQ(Status("POST", "/build", headers), 200);
}

// Behind a proxy that rewrites Host, the host it saw (its X-Forwarded-Host
// entry) is this server's origin too, but only when proxies are trusted.
TEST_F(ApiRoutesTest, BehindTrustedProxiesTheForwardedHostIsThisServersOrigin) {
  const std::string token = access_.StartSession(Member(Role::kAdmin), SessionKind::kCookie);
  const auto status = [&](int trusted_proxies, std::string_view forwarded_host,
                          std::string_view origin) {
    http::Router router;
    ApiRoutes routes(router, access_.access_control(), {.trusted_proxies = trusted_proxies});
    routes.Add("POST", "/build", Permission::kBuild,
               ApiImmediate([](http::Request&, const Caller&) -> Result<http::Response> {
                 return http::Response::Json(200, "{}");
               }));
    http::HeaderList headers = Cookie(token, origin);  // Host: the internal kHost
    headers.emplace_back("X-Forwarded-Host", forwarded_host);
    http::Request request;
    request.SetStartLine("POST", "/build");
    request.SetHeaders(std::move(headers));
    request.SetRequestId("req-proxy");
    return cdp::testing::CallRoute(router, request).status;
  };
  EXPECT_EQ(status(1, "cdp.public.example", "https://cdp.public.example"), 200);
  EXPECT_EQ(status(1, "CDP.Public.Example", "https://cdp.public.example"), 200);
  EXPECT_EQ(status(1, "cdp.public.example", "https://evil.example"), 403);
  // Not trusted: the header proves nothing.
  EXPECT_EQ(status(0, "cdp.public.example", "https://cdp.public.example"), 403);
  // The entry the outermost trusted proxy wrote counts, not what the client
  // put before it.
  EXPECT_EQ(status(1, "cdp.public.example, edge.internal", "https://cdp.public.example"), 403);
  EXPECT_EQ(status(2, "cdp.public.example, edge.internal", "https://cdp.public.example"), 200);
  EXPECT_EQ(status(1, "evil.example, cdp.public.example", "https://evil.example"), 403);
  // Host still counts.
  EXPECT_EQ(status(1, "cdp.public.example", "http://" + std::string(kHost)), 200);
}

TEST_F(ApiRoutesTest, UserRoutesRefuseSecretKeys) {
  for (const std::string& key :
       {acme_.secret_key, access_.AddSecretKey(acme_.workspace.id, ApiKeyScope::kRead)}) {
    EXPECT_EQ(Status("GET", "/me", Bearer(key)), 403);
    EXPECT_EQ(Status("POST", "/me/thing", Bearer(key)), 403);
  }
}

TEST_F(ApiRoutesTest, UserRoutesNeedNoWorkspace) {
  // A user of no workspace at all may still see and manage themselves.
  const std::string user_id = access_.AddUser("loner@example.com");
  const std::string token = access_.StartSession(user_id);
  EXPECT_EQ(Status("GET", "/me", Bearer(token)), 200);
  EXPECT_EQ(seen_->principal.user_id, user_id);
  EXPECT_EQ(seen_->principal.email, "loner@example.com");
  EXPECT_EQ(request_->actor(), "user:" + user_id);
  EXPECT_TRUE(request_->workspace_id().empty());
  EXPECT_EQ(Status("POST", "/me/thing", Bearer(token)), 200);
  EXPECT_EQ(Status("GET", "/read", Bearer(token)), 403);
}

TEST_F(ApiRoutesTest, OwedPasswordChangeLetsOnlyTheMarkedRoutesThrough) {
  const std::string user_id = Member(Role::kOwner, /*password_change_required=*/true);
  const std::string token = access_.StartSession(user_id);
  EXPECT_EQ(Status("GET", "/me", Bearer(token)), 200);
  EXPECT_TRUE(seen_->principal.password_change_required);
  for (const auto& [method, path] : std::vector<std::pair<std::string, std::string>>{
           {"POST", "/me/thing"}, {"GET", "/read"}, {"POST", "/build"}, {"DELETE", "/admin"}}) {
    const http::Response response = Call(method, path, Bearer(token));
    EXPECT_EQ(response.status, 403) << method << " " << path;
    EXPECT_NE(response.body.find("password change required"), std::string::npos) << response.body;
  }
  ASSERT_TRUE(access_.accounts().SetPassword(user_id, "$argon2id$new", false, clock_.Now()).ok());
  EXPECT_EQ(Status("POST", "/me/thing", Bearer(token)), 200);
  EXPECT_EQ(Status("DELETE", "/admin", Bearer(token)), 200);
}

TEST_F(ApiRoutesTest, RevocationsTakeEffectOnTheNextRequest) {
  const std::string user_id = Member(Role::kAdmin);
  const std::string token = access_.StartSession(user_id);
  EXPECT_EQ(Status("DELETE", "/admin", Bearer(token)), 200);
  ASSERT_TRUE(access_.accounts()
                  .SetMemberRole(acme_.workspace.id, user_id, Role::kViewer, std::nullopt)
                  .ok());
  EXPECT_EQ(Status("DELETE", "/admin", Bearer(token)), 403);
  ASSERT_TRUE(access_.accounts().RevokeUserSessions(user_id, "", clock_.Now()).ok());
  EXPECT_EQ(Status("GET", "/read", Bearer(token)), 401);

  const std::string key = access_.AddSecretKey(acme_.workspace.id, ApiKeyScope::kAdmin);
  EXPECT_EQ(Status("GET", "/read", Bearer(key)), 200);
  const std::string key_id = seen_->principal.key_id;
  ASSERT_TRUE(access_.meta().RevokeApiKey(acme_.workspace.id, key_id, clock_.Now()).ok());
  EXPECT_EQ(Status("GET", "/read", Bearer(key)), 401);
}

TEST_F(ApiRoutesTest, HandlerMayAnswerLater) {
  // A handler keeps the reply and copies what it needs from the caller.
  std::optional<http::Reply> kept;
  std::string workspace;
  access_.routes().Add("GET", "/later", Permission::kRead,
                       [&](http::Request&, http::Reply reply, const Caller& caller) {
                         workspace = caller.workspace_id();
                         kept.emplace(std::move(reply));
                       });
  auto target = std::make_shared<cdp::testing::CapturedReply>();
  http::Request request;
  request.SetStartLine("GET", "/later");
  const std::string authorization = "Bearer " + acme_.secret_key;
  request.SetHeaders({{"Authorization", authorization}});
  router_.Find("GET", "/later")->route->handler(request, cdp::testing::ReplyTo(target));
  EXPECT_FALSE(target->response().has_value());
  ASSERT_TRUE(kept.has_value());
  EXPECT_EQ(workspace, acme_.workspace.id);
  kept->Send(http::Response::NoContent());
  ASSERT_TRUE(target->response().has_value());
  EXPECT_EQ(target->response()->status, 204);
}

TEST_F(ApiRoutesTest, AuditRecorderNamesTheCallerAndTheRequest) {
  const std::string user_id = Member(Role::kAdmin);
  const std::string token = access_.StartSession(user_id);
  access_.routes().Add("DELETE", "/things/{id}", Permission::kAdmin,
                       ApiImmediate([&](http::Request& request, const Caller& caller) {
                         access_.audit().Record(request, caller, "thing.delete", "thing",
                                                request.PathParam("id"), R"({"name":"x"})");
                         return http::Response::NoContent();
                       }));
  http::Request request;
  request.SetStartLine("DELETE", "/things/t1");
  const std::string authorization = "Bearer " + token;
  request.SetHeaders({{"Authorization", authorization}});
  request.SetRequestId("req-audit");
  request.SetRemoteAddress("198.51.100.7");
  auto match = router_.Find("DELETE", "/things/t1");
  ASSERT_TRUE(match.ok());
  request.SetRoute(match->route->pattern, match->params, match->route->access);
  auto target = std::make_shared<cdp::testing::CapturedReply>();
  match->route->handler(request, cdp::testing::ReplyTo(target));
  ASSERT_EQ(target->response()->status, 204);

  const std::vector<AuditEntry> entries = access_.AuditEntries(acme_.workspace.id);
  ASSERT_EQ(entries.size(), 1u);
  const AuditEntry& entry = entries.front();
  EXPECT_EQ(entry.workspace_id, acme_.workspace.id);
  EXPECT_EQ(entry.actor.kind, AuditActorKind::kUser);
  EXPECT_EQ(entry.actor.id, user_id);
  EXPECT_EQ(entry.actor.label, "admin1@example.com");
  EXPECT_EQ(entry.action, "thing.delete");
  EXPECT_EQ(entry.target_kind, "thing");
  EXPECT_EQ(entry.target_id, "t1");
  EXPECT_EQ(entry.details, R"({"name":"x"})");
  EXPECT_EQ(entry.ip, "198.51.100.7");
  EXPECT_EQ(entry.request_id, "req-audit");
  EXPECT_EQ(entry.at, kT0);
  EXPECT_TRUE(Uuid::Parse(entry.id).has_value());
  EXPECT_TRUE(access_.AuditEntries(other_.workspace.id).empty());
}

TEST_F(ApiRoutesTest, AuditRecorderNamesAKeyByItsMaskedPrefix) {
  const Principal key = access_.access_control().Authenticate(acme_.secret_key).value();
  http::Request request;
  request.SetRequestId("req-2");
  access_.audit().Record(request, Caller{{key, acme_.workspace.id, std::nullopt}},
                         "schema.property.delete", "property", "properties.plan");
  const std::vector<AuditEntry> entries = access_.AuditEntries(acme_.workspace.id);
  ASSERT_EQ(entries.size(), 1u);
  EXPECT_EQ(entries[0].actor.kind, AuditActorKind::kApiKey);
  EXPECT_EQ(entries[0].actor.id, key.key_id);
  EXPECT_EQ(entries[0].actor.label, MaskedKey(acme_.secret_key.substr(0, 8)));
  EXPECT_EQ(entries[0].details, "{}");
  // Never the key itself.
  EXPECT_EQ(entries[0].actor.label.find(acme_.secret_key.substr(8)), std::string::npos);
}

TEST_F(ApiRoutesTest, AFailedAuditRecordDoesNotFailTheAction) {
  const Principal key = access_.access_control().Authenticate(acme_.secret_key).value();
  http::Request request;
  // No such workspace: the log refuses the entry; Record only logs that.
  access_.audit().Record(request, Caller{{key, "no-such-workspace", std::nullopt}},
                         "dashboard.delete", "dashboard", "d1");
  access_.audit().Record(request, Caller{{key, acme_.workspace.id, std::nullopt}},
                         "dashboard.delete", "dashboard", "d1", "not json");
  EXPECT_TRUE(access_.AuditEntries(acme_.workspace.id).empty());
}

}  // namespace
}  // namespace cdp::api
