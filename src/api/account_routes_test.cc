#include "api/account_routes.h"

#include <gtest/gtest.h>

#include <string>

#include "api/testing/access_routes_test.h"
#include "support/json_pointer.h"

namespace cdp::api {
namespace {

using cdp::testing::JsonAt;
using cdp::testing::StringAt;

constexpr char kPassword[] = "correct horse battery";

// The value of the cdp_session cookie a Set-Cookie header sets.
std::string CookieValue(std::string_view set_cookie) {
  const std::string_view prefix = "cdp_session=";
  if (!set_cookie.starts_with(prefix)) return {};
  set_cookie.remove_prefix(prefix.size());
  return std::string(set_cookie.substr(0, set_cookie.find(';')));
}

std::string LoginBody(std::string_view email, std::string_view password,
                      std::string_view session = {}) {
  std::string body =
      R"({"email":")" + std::string(email) + R"(","password":")" + std::string(password) + '"';
  if (!session.empty()) body += R"(,"session":")" + std::string(session) + '"';
  return body + "}";
}

class AccountRoutesTest : public testing::AccessRoutesTest {
 protected:
  void AddRoutes(AccountRoutesOptions options = {}) {
    AddAccountRoutes(*routes_, *account_service_, *accounts_, clock_, options);
  }

  // A user with a real (argon2) password, member of acme as `role`.
  User AddUserWithPassword(const std::string& email, Role role = Role::kMember) {
    auto user = account_service_->CreateUser(email, kPassword);
    EXPECT_TRUE(user.ok()) << user.status().ToString();
    if (!user.ok()) return {};
    AddMembership(acme_.workspace.id, user->id, role);
    return *user;
  }

  http::Response Login(std::string body, http::HeaderList headers = {}) {
    return Call("POST", "/auth/login", "", std::move(body), std::move(headers));
  }
};

TEST_F(AccountRoutesTest, CookieLoginSetsAnHttpOnlyLaxCookieAndNoTokenInTheBody) {
  AddRoutes();
  const User user = AddUserWithPassword("ada@example.com");
  const http::Response login = Login(LoginBody("  Ada@Example.com ", kPassword));
  ASSERT_EQ(login.status, 200) << login.body;
  EXPECT_EQ(StringAt(login.body, "/user/id"), user.id);
  EXPECT_EQ(StringAt(login.body, "/user/email"), "ada@example.com");
  EXPECT_EQ(JsonAt(login.body, "/user/password_change_required"), "false");
  EXPECT_EQ(StringAt(login.body, "/session/kind"), "cookie");
  EXPECT_EQ(StringAt(login.body, "/session/expires_at"),
            FormatIso8601(kT0 + std::chrono::hours(14 * 24)));
  EXPECT_EQ(JsonAt(login.body, "/token"), "") << "a cookie session's token stays in the cookie";
  EXPECT_EQ(login.Header("Cache-Control"), "no-store");

  const std::string cookie(login.Header("Set-Cookie"));
  const std::string token = CookieValue(cookie);
  EXPECT_TRUE(token.starts_with("st_")) << cookie;
  EXPECT_NE(cookie.find("; HttpOnly"), std::string::npos) << cookie;
  EXPECT_NE(cookie.find("; SameSite=Lax"), std::string::npos) << cookie;
  EXPECT_NE(cookie.find("; Path=/"), std::string::npos) << cookie;
  EXPECT_NE(cookie.find("; Max-Age=1209600"), std::string::npos) << cookie;
  EXPECT_EQ(cookie.find("Secure"), std::string::npos) << "plain HTTP: " << cookie;
  EXPECT_EQ(login.body.find(token), std::string::npos);

  // The cookie signs the browser in.
  const http::Response me = Call("GET", "/me", "", "", {{"Cookie", "cdp_session=" + token}});
  ASSERT_EQ(me.status, 200) << me.body;
  EXPECT_EQ(StringAt(me.body, "/user/id"), user.id);
  EXPECT_EQ(StringAt(me.body, "/session/id"), StringAt(login.body, "/session/id"));
}

TEST_F(AccountRoutesTest, TokenLoginAnswersTheTokenAndSetsNoCookie) {
  AddRoutes();
  const User user = AddUserWithPassword("bob@example.com");
  const http::Response login = Login(LoginBody("bob@example.com", kPassword, "token"));
  ASSERT_EQ(login.status, 200) << login.body;
  EXPECT_EQ(login.Header("Set-Cookie"), "");
  EXPECT_EQ(StringAt(login.body, "/session/kind"), "token");
  const std::string token = StringAt(login.body, "/token");
  ASSERT_TRUE(token.starts_with("st_")) << login.body;

  const http::Response me = Call("GET", "/me", token);
  ASSERT_EQ(me.status, 200) << me.body;
  EXPECT_EQ(StringAt(me.body, "/user/id"), user.id);
  EXPECT_EQ(StringAt(me.body, "/session/kind"), "token");
  // And the workspace routes accept it as well.
  const http::Response sessions = Call("GET", "/me/sessions", token);
  EXPECT_EQ(sessions.status, 200) << sessions.body;
}

TEST_F(AccountRoutesTest, CookieIsSecureAsConfigured) {
  AddUserWithPassword("carol@example.com");
  const std::string body = LoginBody("carol@example.com", kPassword);
  const http::HeaderList https = {{"X-Forwarded-Proto", "https"}};
  struct Case {
    AccountRoutesOptions options;
    http::HeaderList headers;
    bool secure;
  };
  const Case cases[] = {
      {{.cookie_security = CookieSecurity::kAlways}, {}, true},
      {{.cookie_security = CookieSecurity::kNever, .trusted_proxies = 1}, https, false},
      // Behind a trusted proxy that says the client used TLS.
      {{.cookie_security = CookieSecurity::kAuto, .trusted_proxies = 1}, https, true},
      // Nobody vouches for the header: anyone could have written it.
      {{.cookie_security = CookieSecurity::kAuto, .trusted_proxies = 0}, https, false},
  };
  for (const Case& c : cases) {
    http::Router router;
    ApiRoutes routes(router, *access_control_, {});
    AddAccountRoutes(routes, *account_service_, *accounts_, clock_, c.options);
    const http::Response login = CallOn(router, "POST", "/auth/login", "", body, c.headers);
    ASSERT_EQ(login.status, 200) << login.body;
    const std::string cookie(login.Header("Set-Cookie"));
    EXPECT_EQ(cookie.find("; Secure") != std::string::npos, c.secure) << cookie;
    // Logging out clears the cookie with the same attributes.
    const http::Response logout =
        CallOn(router, "POST", "/auth/logout", CookieValue(cookie), "", c.headers);
    ASSERT_EQ(logout.status, 204) << logout.body;
    const std::string cleared(logout.Header("Set-Cookie"));
    EXPECT_NE(cleared.find("Max-Age=0"), std::string::npos) << cleared;
    EXPECT_EQ(cleared.find("; Secure") != std::string::npos, c.secure) << cleared;
  }
}

TEST_F(AccountRoutesTest, WrongPasswordAndUnknownEmailGetTheSameAnswer) {
  AddRoutes();
  AddUserWithPassword("dan@example.com");
  const http::Response wrong = Login(LoginBody("dan@example.com", "not the password"));
  const http::Response unknown = Login(LoginBody("nobody@example.com", kPassword));
  for (const http::Response* response : {&wrong, &unknown}) {
    ExpectError(*response, 401);
    EXPECT_EQ(StringAt(response->body, "/error"), "invalid email or password");
    EXPECT_EQ(response->Header("Set-Cookie"), "");
    EXPECT_EQ(response->body.find("not the password"), std::string::npos);
    EXPECT_EQ(response->body.find(kPassword), std::string::npos);
  }
}

TEST_F(AccountRoutesTest, MalformedLoginsNameTheField) {
  AddRoutes();
  ExpectError(Login(R"({"password":"x"})"), 400, "email");
  ExpectError(Login(R"({"email":"a@b.c"})"), 400, "password");
  ExpectError(Login(R"({"email":"a@b.c","password":7})"), 400, "password");
  ExpectError(Login(LoginBody("a@b.c", "secret password", "jwt")), 400, "session");
  ExpectError(Login(R"({"email":"a@b.c","password":"secret password","remember":true})"), 400,
              "remember");
  ExpectError(Login(LoginBody("not an email", "secret password")), 400, "email");
  ExpectError(Login("email=a@b.c"), 400);
  // The password is never repeated back.
  const http::Response response = Login(LoginBody("not an email", "hunter2hunter2"));
  EXPECT_EQ(response.body.find("hunter2hunter2"), std::string::npos) << response.body;
}

TEST_F(AccountRoutesTest, LoginsAreThrottledPerAddress) {
  UseAccountOptions({.logins_per_minute = 2, .login_burst = 2});
  AddRoutes({.trusted_proxies = 1});
  // Malformed attempts count too (and cost no hashing).
  const std::string body = LoginBody("not an email", "secret password");
  const http::HeaderList first = {{"X-Forwarded-For", "198.51.100.1"}};
  ExpectError(Login(body, first), 400, "email");
  ExpectError(Login(body, first), 400, "email");
  const http::Response throttled = Login(body, first);
  ExpectError(throttled, 429);
  EXPECT_GE(std::stoi(std::string(throttled.Header("Retry-After"))), 1);
  // Another address has its own allowance.
  ExpectError(Login(body, {{"X-Forwarded-For", "198.51.100.2"}}), 400, "email");
  // Which comes back with time.
  clock_.Advance(std::chrono::minutes(1));
  ExpectError(Login(body, first), 400, "email");
}

TEST_F(AccountRoutesTest, LockoutRefusesEvenTheRightPassword) {
  UseAccountOptions({.lockout_after = 2, .lockout_duration = std::chrono::minutes(15)});
  AddRoutes();
  AddUserWithPassword("erin@example.com");
  ExpectError(Login(LoginBody("erin@example.com", "wrong password 1")), 401);
  ExpectError(Login(LoginBody("erin@example.com", "wrong password 2")), 401);
  const http::Response locked = Login(LoginBody("erin@example.com", kPassword));
  ExpectError(locked, 429);
  EXPECT_EQ(locked.Header("Set-Cookie"), "");
  const int retry_after = std::stoi(std::string(locked.Header("Retry-After")));
  EXPECT_GE(retry_after, 1);
  EXPECT_LE(retry_after, 15 * 60);
  clock_.Advance(std::chrono::minutes(15) + std::chrono::seconds(1));
  EXPECT_EQ(Login(LoginBody("erin@example.com", kPassword)).status, 200);
}

TEST_F(AccountRoutesTest, LogoutRevokesTheSessionAndClearsTheCookie) {
  AddRoutes();
  const TestUser user = AddUser("fay@example.com", acme_.workspace.id);
  const http::Response logout = Call("POST", "/auth/logout", user.token);
  ASSERT_EQ(logout.status, 204) << logout.body;
  const std::string cleared(logout.Header("Set-Cookie"));
  EXPECT_TRUE(cleared.starts_with("cdp_session=;")) << cleared;
  EXPECT_NE(cleared.find("Max-Age=0"), std::string::npos) << cleared;
  ExpectError(Call("GET", "/me", user.token), 401);
  ExpectError(Call("POST", "/auth/logout", user.token), 401);
}

TEST_F(AccountRoutesTest, MeDescribesTheUserTheSessionAndTheWorkspaces) {
  AddRoutes();
  const TestUser user = AddUser("gus@example.com", acme_.workspace.id, Role::kAdmin);
  AddMembership(other_.workspace.id, user.id, Role::kViewer);
  const http::Response me = Call("GET", "/me", user.token);
  ASSERT_EQ(me.status, 200) << me.body;
  EXPECT_EQ(StringAt(me.body, "/user/id"), user.id);
  EXPECT_EQ(StringAt(me.body, "/user/email"), "gus@example.com");
  EXPECT_EQ(StringAt(me.body, "/user/created_at"), FormatIso8601(kT0));
  EXPECT_EQ(JsonAt(me.body, "/user/password_change_required"), "false");
  EXPECT_EQ(StringAt(me.body, "/session/kind"), "token");
  EXPECT_EQ(StringAt(me.body, "/session/expires_at"), FormatIso8601(kT0 + std::chrono::hours(24)));
  EXPECT_EQ(JsonAt(me.body, "/user/password_hash"), "");
  // By workspace name: acme, other.
  EXPECT_EQ(StringAt(me.body, "/workspaces/0/id"), acme_.workspace.id);
  EXPECT_EQ(StringAt(me.body, "/workspaces/0/name"), "acme");
  EXPECT_EQ(StringAt(me.body, "/workspaces/0/role"), "admin");
  EXPECT_EQ(StringAt(me.body, "/workspaces/1/name"), "other");
  EXPECT_EQ(StringAt(me.body, "/workspaces/1/role"), "viewer");
  EXPECT_EQ(JsonAt(me.body, "/workspaces/2"), "");
}

TEST_F(AccountRoutesTest, UserRoutesNeedAUserSession) {
  AddRoutes();
  for (const auto& [method, target] : std::vector<std::pair<std::string, std::string>>{
           {"POST", "/auth/logout"},
           {"GET", "/me"},
           {"PUT", "/me/password"},
           {"GET", "/me/sessions"},
           {"DELETE", "/me/sessions/0190e9a0-0000-7000-8000-000000000000"}}) {
    SCOPED_TRACE(method + " " + target);
    ExpectError(Call(method, target, ""), 401);
    ExpectError(Call(method, target, "st_made-up"), 401);
    // A secret key is no person.
    ExpectError(Call(method, target, acme_.secret_key), 403);
  }
}

TEST_F(AccountRoutesTest, OneTimePasswordMustBeChangedFirst) {
  AddRoutes();
  auto made = account_service_->NewUserWithOneTimePassword("hal@example.com");
  ASSERT_TRUE(made.ok()) << made.status().ToString();
  AddMembership(acme_.workspace.id, made->user.id, Role::kMember);
  const http::Response login =
      Login(LoginBody("hal@example.com", made->one_time_password, "token"));
  ASSERT_EQ(login.status, 200) << login.body;
  EXPECT_EQ(JsonAt(login.body, "/user/password_change_required"), "true");
  const std::string token = StringAt(login.body, "/token");

  const http::Response me = Call("GET", "/me", token);
  ASSERT_EQ(me.status, 200) << me.body;
  EXPECT_EQ(JsonAt(me.body, "/user/password_change_required"), "true");
  ExpectError(Call("GET", "/me/sessions", token), 403);

  const std::string change = R"({"current_password":")" + made->one_time_password +
                             R"(","new_password":"a brand new passphrase"})";
  const http::Response changed = Call("PUT", "/me/password", token, change);
  ASSERT_EQ(changed.status, 204) << changed.body;
  EXPECT_EQ(Call("GET", "/me/sessions", token).status, 200);
  EXPECT_EQ(JsonAt(Call("GET", "/me", token).body, "/user/password_change_required"), "false");
}

TEST_F(AccountRoutesTest, PasswordChangeRevokesTheOtherSessions) {
  AddRoutes();
  const User user = AddUserWithPassword("ivy@example.com");
  const std::string current = AddSession(user.id);
  const std::string elsewhere = AddSession(user.id);

  const std::string wrong =
      R"({"current_password":"not my password","new_password":"another long passphrase"})";
  ExpectError(Call("PUT", "/me/password", current, wrong), 403, "current_password");
  const std::string short_one =
      std::string(R"({"current_password":")") + kPassword + R"(","new_password":"short"})";
  ExpectError(Call("PUT", "/me/password", current, short_one), 400, "new_password");
  ExpectError(Call("PUT", "/me/password", current, R"({"new_password":"another passphrase"})"), 400,
              "current_password");
  ExpectError(Call("PUT", "/me/password", current, "[]"), 400);

  const std::string good = std::string(R"({"current_password":")") + kPassword +
                           R"(","new_password":"another long passphrase"})";
  const http::Response changed = Call("PUT", "/me/password", current, good);
  ASSERT_EQ(changed.status, 204) << changed.body;
  EXPECT_EQ(changed.body.find("passphrase"), std::string::npos);
  EXPECT_EQ(Call("GET", "/me", current).status, 200);
  ExpectError(Call("GET", "/me", elsewhere), 401);
}

TEST_F(AccountRoutesTest, SessionsAreListedAndRevokedOneByOne) {
  AddRoutes();
  const TestUser user = AddUser("jo@example.com", acme_.workspace.id);
  clock_.Advance(std::chrono::seconds(5));
  const std::string second = AddSession(user.id, SessionKind::kCookie);
  const TestUser stranger = AddUser("kim@example.com", acme_.workspace.id);

  const http::Response listed = Call("GET", "/me/sessions", user.token, "",
                                     {{"User-Agent", "ignored: agents are kept at login"}});
  ASSERT_EQ(listed.status, 200) << listed.body;
  // Newest first: the cookie session made 5 s later, then the caller's.
  EXPECT_EQ(StringAt(listed.body, "/results/0/kind"), "cookie");
  EXPECT_EQ(JsonAt(listed.body, "/results/0/current"), "false");
  EXPECT_EQ(StringAt(listed.body, "/results/1/kind"), "token");
  EXPECT_EQ(JsonAt(listed.body, "/results/1/current"), "true");
  EXPECT_EQ(StringAt(listed.body, "/results/1/ip"), kClientIp);
  EXPECT_EQ(StringAt(listed.body, "/results/1/created_at"), FormatIso8601(kT0));
  EXPECT_EQ(JsonAt(listed.body, "/results/2"), "");
  EXPECT_EQ(JsonAt(listed.body, "/next_cursor"), "null");
  EXPECT_EQ(listed.body.find("token_hash"), std::string::npos);
  EXPECT_EQ(listed.body.find(HashToken(user.token)), std::string::npos);

  const std::string other_id = StringAt(listed.body, "/results/0/id");
  // Someone else's session is none of the caller's business: 404, as unknown.
  const std::string stranger_session =
      StringAt(Call("GET", "/me/sessions", stranger.token).body, "/results/0/id");
  ExpectError(Call("DELETE", "/me/sessions/" + stranger_session, user.token), 404);
  EXPECT_EQ(Call("GET", "/me", stranger.token).status, 200);
  ExpectError(Call("DELETE", "/me/sessions/0190e9a0-0000-7000-8000-000000000000", user.token), 404);

  const http::Response revoked = Call("DELETE", "/me/sessions/" + other_id, user.token);
  ASSERT_EQ(revoked.status, 204) << revoked.body;
  EXPECT_EQ(revoked.Header("Set-Cookie"), "") << "not the session in use";
  ExpectError(Call("GET", "/me", "", "", {{"Cookie", "cdp_session=" + second}}), 401);
  const http::Response after = Call("GET", "/me/sessions", user.token);
  EXPECT_EQ(JsonAt(after.body, "/results/1"), "") << after.body;

  // Revoking the session in use signs out.
  const std::string own_id = StringAt(after.body, "/results/0/id");
  const http::Response own = Call("DELETE", "/me/sessions/" + own_id, user.token);
  ASSERT_EQ(own.status, 204) << own.body;
  EXPECT_NE(std::string(own.Header("Set-Cookie")).find("Max-Age=0"), std::string::npos);
  ExpectError(Call("GET", "/me", user.token), 401);
}

}  // namespace
}  // namespace cdp::api
