#include "api/api_key_routes.h"

#include <gtest/gtest.h>

#include <string>

#include "api/audit_routes.h"
#include "api/testing/access_routes_test.h"
#include "api/workspace_routes.h"
#include "support/json_pointer.h"

namespace cdp::api {
namespace {

using cdp::testing::JsonAt;
using cdp::testing::StringAt;

class ApiKeyRoutesTest : public testing::AccessRoutesTest {
 protected:
  void SetUp() override {
    AccessRoutesTest::SetUp();
    admin_ = AddUser("admin@example.com", acme_.workspace.id, Role::kAdmin);
    member_ = AddUser("member@example.com", acme_.workspace.id, Role::kMember);
    AddApiKeyRoutes(*routes_, *audit_, *api_keys_);
    // For checking what a new key may do, and what the audit log shows.
    AddWorkspaceRoutes(*routes_, *audit_, *meta_, *accounts_, *provisioner_, *members_, clock_);
    AddAuditRoutes(*routes_, *audit_log_);
  }

  http::Response Acme(std::string_view method, std::string_view target,
                      const std::string& credential, std::string body = "") {
    return CallIn(acme_.workspace.id, method, target, credential, std::move(body));
  }

  TestUser admin_, member_;
};

TEST_F(ApiKeyRoutesTest, ANewKeyIsShownOnceAndListedMasked) {
  const http::Response created = Acme("POST", "/api-keys", admin_.token,
                                      R"({"kind":"secret","scope":"read","name":"export"})");
  ASSERT_EQ(created.status, 201) << created.body;
  const std::string key = StringAt(created.body, "/key");
  ASSERT_TRUE(key.starts_with("sk_")) << created.body;
  const std::string id = StringAt(created.body, "/id");
  EXPECT_EQ(StringAt(created.body, "/kind"), "secret");
  EXPECT_EQ(StringAt(created.body, "/scope"), "read");
  EXPECT_EQ(StringAt(created.body, "/name"), "export");
  EXPECT_EQ(StringAt(created.body, "/masked_key"), key.substr(0, 8) + "…");
  EXPECT_EQ(StringAt(created.body, "/created_by"), admin_.id);
  EXPECT_EQ(StringAt(created.body, "/created_at"), FormatIso8601(kT0));
  EXPECT_EQ(JsonAt(created.body, "/revoked_at"), "null");
  EXPECT_EQ(created.Header("Cache-Control"), "no-store");

  const http::Response listed = Acme("GET", "/api-keys", admin_.token);
  ASSERT_EQ(listed.status, 200) << listed.body;
  // Oldest first: the two keys acme was made with, then the new one.
  EXPECT_EQ(StringAt(listed.body, "/results/0/kind"), "write");
  EXPECT_EQ(StringAt(listed.body, "/results/0/scope"), "ingest");
  EXPECT_EQ(StringAt(listed.body, "/results/1/kind"), "secret");
  EXPECT_EQ(StringAt(listed.body, "/results/1/scope"), "admin");
  EXPECT_EQ(StringAt(listed.body, "/results/2/id"), id);
  EXPECT_EQ(StringAt(listed.body, "/results/2/masked_key"), key.substr(0, 8) + "…");
  EXPECT_EQ(JsonAt(listed.body, "/results/2/key"), "");
  EXPECT_EQ(JsonAt(listed.body, "/results/3"), "");
  // No key, no hash, not even a longer prefix than the mask's.
  for (const std::string& secret :
       {key, acme_.secret_key, acme_.write_key, HashToken(key), key.substr(0, 12)}) {
    EXPECT_EQ(listed.body.find(secret), std::string::npos) << secret;
  }

  // The key works, with its scope: read, not admin.
  EXPECT_EQ(Call("GET", "/members", key).status, 200);
  ExpectError(Call("GET", "/api-keys", key), 403);

  // The audit log has the creation, masked.
  const http::Response audit = Acme("GET", "/audit", admin_.token);
  ASSERT_EQ(audit.status, 200) << audit.body;
  EXPECT_EQ(StringAt(audit.body, "/results/0/action"), "api_key.create");
  EXPECT_EQ(StringAt(audit.body, "/results/0/target/id"), id);
  EXPECT_EQ(JsonAt(audit.body, "/results/0/details"),
            R"({"kind":"secret","scope":"read","name":"export","masked_key":")" + key.substr(0, 8) +
                R"(…"})");
  EXPECT_EQ(audit.body.find(key), std::string::npos);
  EXPECT_EQ(audit.body.find(HashToken(key)), std::string::npos);
}

TEST_F(ApiKeyRoutesTest, WriteKeysHaveTheIngestScope) {
  const http::Response created =
      Acme("POST", "/api-keys", admin_.token, R"({"kind":"write","name":"web site"})");
  ASSERT_EQ(created.status, 201) << created.body;
  EXPECT_TRUE(StringAt(created.body, "/key").starts_with("wk_"));
  EXPECT_EQ(StringAt(created.body, "/scope"), "ingest");
  EXPECT_EQ(Acme("POST", "/api-keys", admin_.token, R"({"kind":"write","scope":"ingest"})").status,
            201);
  // A write key is no key to the server API.
  ExpectError(Call("GET", "/workspace", StringAt(created.body, "/key")), 401);
}

TEST_F(ApiKeyRoutesTest, KeysMadeWithAKeyHaveNoCreator) {
  const http::Response created =
      Call("POST", "/api-keys", acme_.secret_key, R"({"kind":"secret","scope":"admin"})");
  ASSERT_EQ(created.status, 201) << created.body;
  EXPECT_EQ(StringAt(created.body, "/created_by"), "");
  EXPECT_EQ(StringAt(created.body, "/name"), "");
  const std::vector<AuditEntry> audit = AuditEntries(acme_.workspace.id);
  ASSERT_EQ(audit.size(), 1u);
  EXPECT_EQ(audit[0].actor.kind, AuditActorKind::kApiKey);
  EXPECT_EQ(audit[0].actor.label, acme_.secret_key.substr(0, 8) + "…");
}

TEST_F(ApiKeyRoutesTest, InvalidSpecsNameTheField) {
  ExpectError(Acme("POST", "/api-keys", admin_.token, R"({"scope":"read"})"), 400, "kind");
  ExpectError(Acme("POST", "/api-keys", admin_.token, R"({"kind":"public"})"), 400, "kind");
  ExpectError(Acme("POST", "/api-keys", admin_.token, R"({"kind":"secret"})"), 400, "scope");
  ExpectError(Acme("POST", "/api-keys", admin_.token, R"({"kind":"secret","scope":"ingest"})"), 400,
              "scope");
  ExpectError(Acme("POST", "/api-keys", admin_.token, R"({"kind":"secret","scope":"root"})"), 400,
              "scope");
  ExpectError(Acme("POST", "/api-keys", admin_.token, R"({"kind":"write","scope":"read"})"), 400,
              "scope");
  ExpectError(
      Acme("POST", "/api-keys", admin_.token,
           R"({"kind":"write","name":")" + std::string(kMaxApiKeyNameBytes + 1, 'n') + R"("})"),
      400, "name");
  ExpectError(Acme("POST", "/api-keys", admin_.token, R"({"kind":"write","expires":"never"})"), 400,
              "expires");
  ExpectError(Acme("POST", "/api-keys", admin_.token, "not json"), 400);
  auto keys = api_keys_->List(acme_.workspace.id);
  ASSERT_TRUE(keys.ok());
  EXPECT_EQ(keys->size(), 2u) << "nothing was made";
}

TEST_F(ApiKeyRoutesTest, RevokedSecretKeysStopAtOnce) {
  const http::Response created =
      Acme("POST", "/api-keys", admin_.token, R"({"kind":"secret","scope":"admin","name":"ci"})");
  ASSERT_EQ(created.status, 201) << created.body;
  const std::string key = StringAt(created.body, "/key");
  const std::string id = StringAt(created.body, "/id");
  EXPECT_EQ(Call("GET", "/api-keys", key).status, 200);

  clock_.Advance(std::chrono::seconds(3));
  ExpectError(Acme("DELETE", "/api-keys/" + id, member_.token), 403);
  // Another workspace's admin cannot see it: 404 as for an unknown key.
  ExpectError(Call("DELETE", "/api-keys/" + id, other_.secret_key), 404);
  const http::Response revoked = Acme("DELETE", "/api-keys/" + id, admin_.token);
  ASSERT_EQ(revoked.status, 204) << revoked.body;
  ExpectError(Call("GET", "/api-keys", key), 401);

  const http::Response listed = Acme("GET", "/api-keys", admin_.token);
  EXPECT_EQ(StringAt(listed.body, "/results/2/revoked_at"),
            FormatIso8601(kT0 + std::chrono::seconds(3)));
  // Again: still revoked, at the first time.
  EXPECT_EQ(Acme("DELETE", "/api-keys/" + id, admin_.token).status, 204);
  EXPECT_EQ(StringAt(Acme("GET", "/api-keys", admin_.token).body, "/results/2/revoked_at"),
            FormatIso8601(kT0 + std::chrono::seconds(3)));

  const std::vector<AuditEntry> audit = AuditEntries(acme_.workspace.id);
  ASSERT_GE(audit.size(), 2u);
  EXPECT_EQ(audit.back().action, "api_key.create");
  EXPECT_EQ(audit[audit.size() - 2].action, "api_key.revoke");
  EXPECT_EQ(audit[audit.size() - 2].target_id, id);
  EXPECT_EQ(audit[audit.size() - 2].details,
            R"({"kind":"secret","scope":"admin","name":"ci","masked_key":")" + key.substr(0, 8) +
                R"(…"})");

  ExpectError(Acme("DELETE", "/api-keys/0190e9a0-0000-7000-8000-000000000000", admin_.token), 404,
              "id");
  ExpectError(Acme("DELETE", "/api-keys/" + other_.secret_api_key.id, admin_.token), 404, "id");
  EXPECT_EQ(Call("GET", "/workspace", other_.secret_key).status, 200);
}

TEST_F(ApiKeyRoutesTest, OnlyAdministratorsManageKeys) {
  const std::string body = R"({"kind":"secret","scope":"admin"})";
  const TestUser viewer = AddUser("viewer@example.com", acme_.workspace.id, Role::kViewer);
  auto read_key = api_keys_->Create(
      acme_.workspace.id,
      {.kind = ApiKeyKind::kSecret, .scope = ApiKeyScope::kRead, .name = "reader"}, "");
  ASSERT_TRUE(read_key.ok());
  for (const std::string& credential : {member_.token, viewer.token, read_key->key}) {
    ExpectError(Acme("GET", "/api-keys", credential), 403);
    ExpectError(Acme("POST", "/api-keys", credential, body), 403);
  }
  ExpectError(Acme("GET", "/api-keys", ""), 401);
  ExpectError(Acme("GET", "/api-keys", other_.secret_key), 403);
}

}  // namespace
}  // namespace cdp::api
