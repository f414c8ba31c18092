// Accounts and access control as a client sees them: sessions (cookie and
// token), passwords, the login's safeguards, members and roles, API keys,
// CORS for the console, and the audit log, against the real `cdp serve`.

#include <gtest/gtest.h>

#include <chrono>
#include <string>
#include <thread>
#include <vector>

#include "blackbox/server_api_test.h"

namespace cdp::testing {
namespace {

using std::chrono::steady_clock;

constexpr char kConsoleOrigin[] = "https://console.example.com";

// The value of the cdp_session cookie a Set-Cookie header sets.
std::string CookieValue(const std::string& set_cookie) {
  const std::string prefix = "cdp_session=";
  if (!set_cookie.starts_with(prefix)) return {};
  return set_cookie.substr(prefix.size(), set_cookie.find(';') - prefix.size());
}

class AccountTest : public ServerApiTest {
 protected:
  Headers ServerEnv() const override {
    return {
        // Behind one proxy: X-Forwarded-For names the client (each test
        // login its own, see Login) and X-Forwarded-Proto the scheme.
        {"CDP_TRUST_PROXY", "1"},
        {"CDP_LOGIN_RATE", "5"},
        {"CDP_LOGIN_LOCKOUT_AFTER", "3"},
        {"CDP_LOGIN_LOCKOUT", "1m"},
        {"CDP_CONSOLE_ORIGINS", kConsoleOrigin},
        // Revoked write keys are refused within this (default 30 s).
        {"CDP_WRITE_KEY_CACHE_TTL", "2s"},
    };
  }

  void SetUp() override {
    ServerApiTest::SetUp();
    if (HasFatalFailure()) return;
    acme_id_ = WorkspaceId(acme_);
  }

  // GET /me with the session cookie.
  HttpResponse MeByCookie(const std::string& token) {
    return Send("GET", "/me", "", {{"Cookie", "cdp_session=" + token}});
  }

  std::string acme_id_;
};

TEST_F(AccountTest, CookieSessionsAreHttpOnlyLaxAndSecureBehindTls) {
  const SignedInUser ada = AddMember(acme_, "ada@acme.test", "member");
  const HttpResponse login = Login(ada.email, ada.password, "cookie");
  ASSERT_EQ(login.status, 200) << login.body;
  const std::string cookie = login.Header("set-cookie");
  const std::string token = CookieValue(cookie);
  ASSERT_TRUE(token.starts_with("st_")) << cookie;
  EXPECT_NE(cookie.find("; HttpOnly"), std::string::npos) << cookie;
  EXPECT_NE(cookie.find("; SameSite=Lax"), std::string::npos) << cookie;
  EXPECT_NE(cookie.find("; Path=/"), std::string::npos) << cookie;
  EXPECT_NE(cookie.find("; Max-Age=1209600"), std::string::npos) << cookie;
  EXPECT_EQ(cookie.find("Secure"), std::string::npos) << "plain HTTP: " << cookie;
  EXPECT_EQ(login.body.find(token), std::string::npos) << "the token stays in the cookie";
  EXPECT_EQ(StringAt(login.body, "/session/kind"), "cookie");

  const HttpResponse me = MeByCookie(token);
  ASSERT_EQ(me.status, 200) << me.body;
  EXPECT_EQ(StringAt(me.body, "/user/email"), "ada@acme.test");
  EXPECT_EQ(StringAt(me.body, "/workspaces/0/id"), acme_id_);
  EXPECT_EQ(StringAt(me.body, "/workspaces/0/role"), "member");

  // Behind the trusted TLS-terminating proxy, the cookie is Secure.
  const HttpResponse tls =
      Login(ada.email, ada.password, "cookie", {{"X-Forwarded-Proto", "https"}});
  ASSERT_EQ(tls.status, 200) << tls.body;
  EXPECT_NE(tls.Header("set-cookie").find("; Secure"), std::string::npos)
      << tls.Header("set-cookie");

  // Logging out ends the session and clears the cookie.
  const HttpResponse logout =
      Send("POST", "/auth/logout", "", {{"Cookie", "cdp_session=" + token}});
  ASSERT_EQ(logout.status, 204) << logout.body;
  EXPECT_NE(logout.Header("set-cookie").find("Max-Age=0"), std::string::npos)
      << logout.Header("set-cookie");
  EXPECT_EQ(MeByCookie(token).status, 401);
  ExpectNeverPrinted({token, ada.password});
}

TEST_F(AccountTest, TokenSessionsAreBearerCredentials) {
  const SignedInUser bob = AddMember(acme_, "bob@acme.test", "viewer");
  const HttpResponse login = Login(bob.email, bob.password, "token");
  ASSERT_EQ(login.status, 200) << login.body;
  EXPECT_EQ(login.Header("set-cookie"), "");
  const std::string token = StringAt(login.body, "/token");
  ASSERT_TRUE(token.starts_with("st_")) << login.body;

  EXPECT_EQ(As(token, "GET", "/me").status, 200);
  // A viewer reads acme through the API with it...
  const HttpResponse members = As(token, "GET", "/members", "", acme_id_);
  ASSERT_EQ(members.status, 200) << members.body;
  EXPECT_NE(members.body.find("bob@acme.test"), std::string::npos);
  EXPECT_EQ(As(token, "GET", "/queries", "", acme_id_).status, 200);
  // ...and builds nothing.
  EXPECT_EQ(
      As(token, "POST", "/queries", R"({"name":"q","kind":"sql","request":{}})", acme_id_).status,
      403);
  // Another workspace is closed to it.
  EXPECT_EQ(As(token, "GET", "/members", "", WorkspaceId(other_)).status, 403);

  const HttpResponse sessions = As(token, "GET", "/me/sessions");
  ASSERT_EQ(sessions.status, 200) << sessions.body;
  // Newest first: this login's session, then the first sign-in's.
  EXPECT_EQ(JsonAt(sessions.body, "/results/0/current"), "true");
  EXPECT_EQ(StringAt(sessions.body, "/results/0/kind"), "token");

  EXPECT_EQ(As(token, "POST", "/auth/logout").status, 204);
  EXPECT_EQ(As(token, "GET", "/me").status, 401);
  EXPECT_EQ(As(token, "GET", "/members", "", acme_id_).status, 401);
}

TEST_F(AccountTest, SessionsExpire) {
  Stop();
  Headers env = ServerEnv();
  env["CDP_SESSION_TTL"] = "2s";
  Start(env);
  const SignedInUser cy = AddMember(acme_, "cy@acme.test", "member");
  EXPECT_EQ(As(cy.token, "GET", "/me").status, 200);
  // No wait longer than needed: poll until the session is refused.
  const auto deadline = steady_clock::now() + std::chrono::seconds(15);
  int status = 200;
  while (status == 200 && steady_clock::now() < deadline) {
    std::this_thread::sleep_for(std::chrono::milliseconds(100));
    status = As(cy.token, "GET", "/me").status;
  }
  EXPECT_EQ(status, 401) << "the session outlived its 2 s TTL by more than 13 s";
  EXPECT_EQ(As(cy.token, "GET", "/members", "", acme_id_).status, 401);
}

TEST_F(AccountTest, APasswordChangeSignsOutTheOtherSessions) {
  const SignedInUser dee = AddMember(acme_, "dee@acme.test", "member");
  const std::string elsewhere = StringAt(Login(dee.email, dee.password).body, "/token");
  ASSERT_EQ(As(elsewhere, "GET", "/me").status, 200);

  EXPECT_EQ(As(dee.token, "PUT", "/me/password",
               R"({"current_password":"not the password","new_password":"a newer passphrase"})")
                .status,
            403);
  const HttpResponse changed =
      As(dee.token, "PUT", "/me/password",
         R"({"current_password":")" + dee.password + R"(","new_password":"a newer passphrase"})");
  ASSERT_EQ(changed.status, 204) << changed.body;
  EXPECT_EQ(As(elsewhere, "GET", "/me").status, 401);
  EXPECT_EQ(As(dee.token, "GET", "/me").status, 200);
  EXPECT_EQ(Login(dee.email, dee.password).status, 401);
  EXPECT_EQ(Login(dee.email, "a newer passphrase").status, 200);
  ExpectNeverPrinted({dee.password, "a newer passphrase"});
}

TEST_F(AccountTest, AOneTimePasswordMustBeChangedBeforeAnythingElse) {
  const HttpResponse added =
      As(acme_.secret_key, "POST", "/members", R"({"email":"eve@acme.test","role":"admin"})");
  ASSERT_EQ(added.status, 201) << added.body;
  const std::string one_time = StringAt(added.body, "/one_time_password");
  ASSERT_FALSE(one_time.empty()) << added.body;
  const HttpResponse login = Login("eve@acme.test", one_time);
  ASSERT_EQ(login.status, 200) << login.body;
  const std::string token = StringAt(login.body, "/token");

  const HttpResponse me = As(token, "GET", "/me");
  ASSERT_EQ(me.status, 200) << me.body;
  EXPECT_EQ(JsonAt(me.body, "/user/password_change_required"), "true");
  for (const auto& [method, path] : std::vector<std::pair<std::string, std::string>>{
           {"GET", "/members"}, {"GET", "/queries"}, {"GET", "/me/sessions"}, {"GET", "/audit"}}) {
    const HttpResponse refused = As(token, method, path, "", acme_id_);
    EXPECT_EQ(refused.status, 403) << path << ": " << refused.body;
  }
  const HttpResponse changed =
      As(token, "PUT", "/me/password",
         R"({"current_password":")" + one_time + R"(","new_password":"eve chose this one"})");
  ASSERT_EQ(changed.status, 204) << changed.body;
  EXPECT_EQ(As(token, "GET", "/members", "", acme_id_).status, 200);
  EXPECT_EQ(As(token, "GET", "/audit", "", acme_id_).status, 200);
  ExpectNeverPrinted({one_time, "eve chose this one"});
}

TEST_F(AccountTest, RepeatedFailuresLockTheAccount) {
  const SignedInUser fay = AddMember(acme_, "fay@acme.test", "member");
  for (int i = 0; i < 3; ++i) {
    EXPECT_EQ(Login(fay.email, "wrong password " + std::to_string(i)).status, 401);
  }
  // Locked: even the right password is refused, and says for how long.
  const HttpResponse locked = Login(fay.email, fay.password);
  EXPECT_EQ(locked.status, 429) << locked.body;
  const std::string retry_after = locked.Header("retry-after");
  ASSERT_FALSE(retry_after.empty());
  EXPECT_GE(std::stoi(retry_after), 1);
  EXPECT_LE(std::stoi(retry_after), 60);
  EXPECT_EQ(locked.Header("set-cookie"), "");
  EXPECT_EQ(StringAt(locked.body, "/token"), "");
  // Sessions made before the lockout still work.
  EXPECT_EQ(As(fay.token, "GET", "/me").status, 200);
}

TEST_F(AccountTest, LoginsAreThrottledPerClientAddress) {
  // Malformed attempts count too, and cost no password hashing.
  const std::string body = R"({"email":"not an email","password":"whatever you like"})";
  const Headers client = {{"X-Forwarded-For", "198.51.100.77"}};
  for (int i = 0; i < 5; ++i) EXPECT_EQ(Send("POST", "/auth/login", body, client).status, 400);
  const HttpResponse throttled = Send("POST", "/auth/login", body, client);
  EXPECT_EQ(throttled.status, 429) << throttled.body;
  EXPECT_FALSE(throttled.Header("retry-after").empty());
  // Another client is not held back by that one.
  EXPECT_EQ(Send("POST", "/auth/login", body, {{"X-Forwarded-For", "198.51.100.78"}}).status, 400);
}

TEST_F(AccountTest, AdminsManageMembersWithinTheRulesOfRoles) {
  // `cdp workspace create` makes no owner: the command line adds one.
  const SignedInUser owner = CreateUserWithCli("owner@acme.test", "acme", "owner");
  const SignedInUser admin = AddMember(acme_, "admin@acme.test", "admin");
  const SignedInUser member = AddMember(acme_, "member@acme.test", "member");
  const SignedInUser viewer = AddMember(acme_, "viewer@acme.test", "viewer");

  const HttpResponse added =
      As(admin.token, "POST", "/members", R"({"email":"new@acme.test","role":"viewer"})", acme_id_);
  ASSERT_EQ(added.status, 201) << added.body;
  const std::string new_id = StringAt(added.body, "/member/user_id");
  const std::string one_time = StringAt(added.body, "/one_time_password");
  EXPECT_FALSE(one_time.empty());

  const HttpResponse promoted =
      As(admin.token, "PUT", "/members/" + new_id, R"({"role":"member"})", acme_id_);
  ASSERT_EQ(promoted.status, 200) << promoted.body;
  EXPECT_EQ(StringAt(promoted.body, "/role"), "member");

  // Members and viewers administer nothing.
  for (const SignedInUser* user : {&member, &viewer}) {
    EXPECT_EQ(
        As(user->token, "POST", "/members", R"({"email":"x@acme.test","role":"viewer"})", acme_id_)
            .status,
        403);
    EXPECT_EQ(As(user->token, "PUT", "/members/" + new_id, R"({"role":"admin"})", acme_id_).status,
              403);
    EXPECT_EQ(As(user->token, "DELETE", "/members/" + new_id, "", acme_id_).status, 403);
  }
  // Owner rules: an admin neither makes an owner nor touches one; the owner does.
  EXPECT_EQ(As(admin.token, "PUT", "/members/" + new_id, R"({"role":"owner"})", acme_id_).status,
            403);
  EXPECT_EQ(As(admin.token, "PUT", "/members/" + owner.id, R"({"role":"viewer"})", acme_id_).status,
            403);
  EXPECT_EQ(As(admin.token, "DELETE", "/members/" + owner.id, "", acme_id_).status, 403);
  EXPECT_EQ(As(acme_.secret_key, "PUT", "/members/" + new_id, R"({"role":"owner"})").status, 403);
  // The last owner cannot leave.
  const int last_owner = As(owner.token, "DELETE", "/members/" + owner.id, "", acme_id_).status;
  EXPECT_TRUE(last_owner == 409 || last_owner == 403) << last_owner;

  const HttpResponse removed = As(admin.token, "DELETE", "/members/" + new_id, "", acme_id_);
  EXPECT_EQ(removed.status, 204) << removed.body;
  const HttpResponse listed = As(viewer.token, "GET", "/members", "", acme_id_);
  EXPECT_EQ(listed.body.find("new@acme.test"), std::string::npos) << listed.body;

  // The audit log: who did what, newest first.
  const HttpResponse audit = As(owner.token, "GET", "/audit?action=member.", "", acme_id_);
  ASSERT_EQ(audit.status, 200) << audit.body;
  EXPECT_EQ(StringAt(audit.body, "/results/0/action"), "member.remove");
  EXPECT_EQ(StringAt(audit.body, "/results/0/actor/label"), "admin@acme.test");
  EXPECT_EQ(StringAt(audit.body, "/results/0/target/id"), new_id);
  EXPECT_EQ(StringAt(audit.body, "/results/1/action"), "member.role_change");
  EXPECT_EQ(JsonAt(audit.body, "/results/1/details/role"), R"({"from":"viewer","to":"member"})");
  EXPECT_EQ(StringAt(audit.body, "/results/2/action"), "member.add");
  EXPECT_EQ(StringAt(audit.body, "/results/2/actor/id"), admin.id);
  // The members added with the secret key, and the owner by the command line.
  EXPECT_EQ(StringAt(audit.body, "/results/3/actor/kind"), "api_key");
  EXPECT_EQ(audit.body.find(one_time), std::string::npos);
  EXPECT_EQ(As(admin.token, "GET", "/audit", "", acme_id_).status, 200);
  EXPECT_EQ(As(member.token, "GET", "/audit", "", acme_id_).status, 403);
  ExpectNeverPrinted({owner.password, admin.password, member.password, viewer.password, one_time,
                      owner.token, admin.token});
}

TEST_F(AccountTest, ApiKeysAreShownOnceListedMaskedAndRevoked) {
  const SignedInUser admin = AddMember(acme_, "keys-admin@acme.test", "admin");
  const HttpResponse write =
      As(admin.token, "POST", "/api-keys", R"({"kind":"write","name":"web"})", acme_id_);
  ASSERT_EQ(write.status, 201) << write.body;
  const std::string write_key = StringAt(write.body, "/key");
  ASSERT_TRUE(write_key.starts_with("wk_")) << write.body;
  const HttpResponse secret = As(admin.token, "POST", "/api-keys",
                                 R"({"kind":"secret","scope":"read","name":"export"})", acme_id_);
  ASSERT_EQ(secret.status, 201) << secret.body;
  const std::string secret_key = StringAt(secret.body, "/key");
  ASSERT_TRUE(secret_key.starts_with("sk_")) << secret.body;

  // Both work, within their scope: the write key for ingestion, the read key
  // for reading.
  const Keys new_keys{write_key, secret_key};
  EXPECT_EQ(PostAs(new_keys, "/v1/track", R"({"userId":"u1","event":"E"})").status, 200);
  EXPECT_EQ(As(secret_key, "GET", "/members").status, 200);
  EXPECT_EQ(As(secret_key, "GET", "/api-keys").status, 403);

  // Listed masked, never in clear; nor in the audit log or the server's output.
  const HttpResponse listed = As(admin.token, "GET", "/api-keys", "", acme_id_);
  ASSERT_EQ(listed.status, 200) << listed.body;
  EXPECT_NE(listed.body.find(write_key.substr(0, 8) + "…"), std::string::npos) << listed.body;
  EXPECT_NE(listed.body.find(secret_key.substr(0, 8) + "…"), std::string::npos) << listed.body;
  const HttpResponse audit = As(admin.token, "GET", "/audit?action=api_key.", "", acme_id_);
  ASSERT_EQ(audit.status, 200) << audit.body;
  EXPECT_EQ(StringAt(audit.body, "/results/0/action"), "api_key.create");
  EXPECT_EQ(StringAt(audit.body, "/results/0/actor/label"), "keys-admin@acme.test");
  for (const std::string& key : {write_key, secret_key, acme_.write_key, acme_.secret_key}) {
    for (const HttpResponse* response : {&listed, &audit}) {
      EXPECT_EQ(response->body.find(key.substr(0, 12)), std::string::npos) << response->body;
    }
  }

  // A revoked secret key is refused at once.
  const std::string secret_id = StringAt(secret.body, "/id");
  EXPECT_EQ(As(admin.token, "DELETE", "/api-keys/" + secret_id, "", acme_id_).status, 204);
  EXPECT_EQ(As(secret_key, "GET", "/members").status, 401);

  // A revoked write key within the cache's TTL (2 s here, 30 s by default,
  // 60 s at most); this key's acceptance above is cached.
  const std::string write_id = StringAt(write.body, "/id");
  EXPECT_EQ(As(admin.token, "DELETE", "/api-keys/" + write_id, "", acme_id_).status, 204);
  const auto revoked_at = steady_clock::now();
  int status = 200;
  while (status == 200 && steady_clock::now() < revoked_at + std::chrono::seconds(30)) {
    std::this_thread::sleep_for(std::chrono::milliseconds(200));
    status = PostAs(new_keys, "/v1/track", R"({"userId":"u1","event":"E"})").status;
  }
  EXPECT_EQ(status, 401) << "a revoked write key was still accepted 30 s later (TTL 2 s)";
  const HttpResponse after = As(admin.token, "GET", "/audit?action=api_key.revoke", "", acme_id_);
  EXPECT_EQ(StringAt(after.body, "/results/0/target/id"), write_id);
  EXPECT_EQ(StringAt(after.body, "/results/1/target/id"), secret_id);
  ExpectNeverPrinted(
      {write_key, secret_key, acme_.write_key, acme_.secret_key, admin.password, admin.token});
}

TEST_F(AccountTest, CredentialedCorsOnlyForTheConsoleOrigins) {
  const auto preflight = [&](const std::string& path, const std::string& origin) {
    return Send("OPTIONS", path, "",
                {{"Origin", origin},
                 {"Access-Control-Request-Method", "GET"},
                 {"Access-Control-Request-Headers", "X-Workspace-Id"}});
  };
  const HttpResponse console = preflight("/members", kConsoleOrigin);
  EXPECT_LT(console.status, 300) << console.body;
  EXPECT_EQ(console.Header("access-control-allow-origin"), kConsoleOrigin);
  EXPECT_EQ(console.Header("access-control-allow-credentials"), "true");

  const HttpResponse elsewhere = preflight("/members", "https://evil.example");
  EXPECT_EQ(elsewhere.Header("access-control-allow-origin"), "");
  EXPECT_EQ(elsewhere.Header("access-control-allow-credentials"), "");

  // Ingestion answers any origin, never with credentials.
  const HttpResponse ingest = preflight("/v1/track", "https://shop.example");
  EXPECT_LT(ingest.status, 300) << ingest.body;
  EXPECT_FALSE(ingest.Header("access-control-allow-origin").empty());
  EXPECT_EQ(ingest.Header("access-control-allow-credentials"), "");

  // A page of another origin cannot act with the user's cookie (CSRF); the
  // console can.
  const SignedInUser gil = AddMember(acme_, "gil@acme.test", "member");
  const std::string cookie =
      CookieValue(Login(gil.email, gil.password, "cookie").Header("set-cookie"));
  ASSERT_FALSE(cookie.empty());
  const HttpResponse forged =
      Send("POST", "/auth/logout", "",
           {{"Cookie", "cdp_session=" + cookie}, {"Origin", "https://evil.example"}});
  EXPECT_EQ(forged.status, 403) << forged.body;
  EXPECT_EQ(MeByCookie(cookie).status, 200);
  const HttpResponse from_console =
      Send("GET", "/me", "", {{"Cookie", "cdp_session=" + cookie}, {"Origin", kConsoleOrigin}});
  EXPECT_EQ(from_console.status, 200);
  EXPECT_EQ(from_console.Header("access-control-allow-origin"), kConsoleOrigin);
  EXPECT_EQ(from_console.Header("access-control-allow-credentials"), "true");
}

}  // namespace
}  // namespace cdp::testing
