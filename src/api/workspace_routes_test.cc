#include "api/workspace_routes.h"

#include <gtest/gtest.h>

#include <string>

#include "api/testing/access_routes_test.h"
#include "meta/testing/forwarding_account_store.h"
#include "support/json_pointer.h"

namespace cdp::api {
namespace {

using cdp::testing::JsonAt;
using cdp::testing::StringAt;

class WorkspaceRoutesTest : public testing::AccessRoutesTest {
 protected:
  void SetUp() override {
    AccessRoutesTest::SetUp();
    owner_ = AddUser("owner@example.com", acme_.workspace.id, Role::kOwner);
    admin_ = AddUser("admin@example.com", acme_.workspace.id, Role::kAdmin);
    member_ = AddUser("member@example.com", acme_.workspace.id, Role::kMember);
    viewer_ = AddUser("viewer@example.com", acme_.workspace.id, Role::kViewer);
    outsider_ = AddUser("outsider@example.com", other_.workspace.id, Role::kOwner);
  }

  void AddRoutes(AccountStore* accounts = nullptr) {
    AddWorkspaceRoutes(*routes_, *audit_, *meta_, accounts ? *accounts : *accounts_, *provisioner_,
                       *members_, clock_);
  }

  http::Response Acme(std::string_view method, std::string_view target,
                      const std::string& credential, std::string body = "") {
    return CallIn(acme_.workspace.id, method, target, credential, std::move(body));
  }

  TestUser owner_, admin_, member_, viewer_, outsider_;
};

TEST_F(WorkspaceRoutesTest, ListsTheCallersWorkspacesWithRoles) {
  AddRoutes();
  AddMembership(other_.workspace.id, admin_.id, Role::kViewer);
  const http::Response listed = Call("GET", "/workspaces", admin_.token);
  ASSERT_EQ(listed.status, 200) << listed.body;
  EXPECT_EQ(StringAt(listed.body, "/results/0/id"), acme_.workspace.id);
  EXPECT_EQ(StringAt(listed.body, "/results/0/name"), "acme");
  EXPECT_EQ(StringAt(listed.body, "/results/0/role"), "admin");
  EXPECT_EQ(StringAt(listed.body, "/results/0/created_at"), FormatIso8601(kT0));
  EXPECT_EQ(StringAt(listed.body, "/results/1/name"), "other");
  EXPECT_EQ(StringAt(listed.body, "/results/1/role"), "viewer");
  EXPECT_EQ(JsonAt(listed.body, "/results/2"), "");

  const TestUser loner = AddUser("loner@example.com");
  EXPECT_EQ(JsonAt(Call("GET", "/workspaces", loner.token).body, "/results"), "[]");
  ExpectError(Call("GET", "/workspaces", acme_.secret_key), 403);
  ExpectError(Call("GET", "/workspaces", ""), 401);
}

TEST_F(WorkspaceRoutesTest, CreatingAWorkspaceMakesTheCallerItsOwner) {
  AddRoutes();
  const TestUser loner = AddUser("founder@example.com");
  const http::Response created = Call("POST", "/workspaces", loner.token, R"({"name":"beta"})");
  ASSERT_EQ(created.status, 201) << created.body;
  const std::string id = StringAt(created.body, "/workspace/id");
  EXPECT_EQ(StringAt(created.body, "/workspace/name"), "beta");
  EXPECT_EQ(JsonAt(created.body, "/workspace/retention_days"), "90");
  EXPECT_TRUE(StringAt(created.body, "/write_key").starts_with("wk_"));
  const std::string secret_key = StringAt(created.body, "/secret_key");
  EXPECT_TRUE(secret_key.starts_with("sk_"));
  EXPECT_EQ(created.Header("Cache-Control"), "no-store");

  auto membership = accounts_->GetMembership(id, loner.id);
  ASSERT_TRUE(membership.ok()) << membership.status().ToString();
  EXPECT_EQ(membership->role, Role::kOwner);
  const http::Response mine = Call("GET", "/workspaces", loner.token);
  EXPECT_EQ(StringAt(mine.body, "/results/0/role"), "owner");
  // The new secret key works (admin scope).
  EXPECT_EQ(StringAt(Call("GET", "/workspace", secret_key).body, "/name"), "beta");

  const std::vector<AuditEntry> audit = AuditEntries(id);
  ASSERT_EQ(audit.size(), 1u);
  EXPECT_EQ(audit[0].action, "workspace.create");
  EXPECT_EQ(audit[0].actor.kind, AuditActorKind::kUser);
  EXPECT_EQ(audit[0].actor.id, loner.id);
  EXPECT_EQ(audit[0].target_kind, "workspace");
  EXPECT_EQ(audit[0].target_id, id);
  EXPECT_EQ(audit[0].details, R"({"name":"beta"})");
  EXPECT_TRUE(AuditEntries(acme_.workspace.id).empty());
}

TEST_F(WorkspaceRoutesTest, CreationErrors) {
  AddRoutes();
  ExpectError(Call("POST", "/workspaces", owner_.token, R"({"name":"acme"})"), 409, "name");
  ExpectError(Call("POST", "/workspaces", owner_.token, R"({"name":" bad/name"})"), 400, "name");
  ExpectError(Call("POST", "/workspaces", owner_.token, R"({})"), 400, "name");
  ExpectError(Call("POST", "/workspaces", owner_.token, R"({"name":"x","plan":"pro"})"), 400,
              "plan");
  // Workspaces are made by people, not by another workspace's key.
  ExpectError(Call("POST", "/workspaces", acme_.secret_key, R"({"name":"gamma"})"), 403);
  ExpectError(Call("POST", "/workspaces", "", R"({"name":"gamma"})"), 401);
  EXPECT_FALSE(meta_->FindWorkspaceByName("gamma").ok());
}

// Adding the owner fails (after the workspace was made): the store is busy.
class BusyMembershipStore final : public cdp::testing::ForwardingAccountStore {
 public:
  using ForwardingAccountStore::ForwardingAccountStore;
  int add_member_calls = 0;

  Status AddMember(const Membership&) override {
    ++add_member_calls;
    return Status::Unavailable("database is busy", std::chrono::seconds(1));
  }
};

TEST_F(WorkspaceRoutesTest, AWorkspaceWhoseOwnerCannotBeAddedIsLeftWithoutUsableKeys) {
  BusyMembershipStore busy(*accounts_);
  AddRoutes(&busy);
  const http::Response created = Call("POST", "/workspaces", owner_.token, R"({"name":"delta"})");
  ExpectError(created, 503);
  EXPECT_EQ(created.body.find("wk_"), std::string::npos) << "no key is ever shown";
  EXPECT_EQ(created.body.find("sk_"), std::string::npos);
  EXPECT_EQ(busy.add_member_calls, 3) << "retried while busy";

  // The workspace exists (its name stays taken) but nothing can use it.
  auto workspace = meta_->FindWorkspaceByName("delta");
  ASSERT_TRUE(workspace.ok());
  auto keys = meta_->ListApiKeys(workspace->id);
  ASSERT_TRUE(keys.ok());
  ASSERT_EQ(keys->size(), 2u);
  for (const ApiKey& key : *keys) EXPECT_TRUE(key.revoked()) << key.id;
  EXPECT_TRUE(AuditEntries(workspace->id).empty());
}

TEST_F(WorkspaceRoutesTest, CurrentWorkspaceWithTheCallersRole) {
  AddRoutes();
  const http::Response viewed = Acme("GET", "/workspace", viewer_.token);
  ASSERT_EQ(viewed.status, 200) << viewed.body;
  EXPECT_EQ(StringAt(viewed.body, "/id"), acme_.workspace.id);
  EXPECT_EQ(StringAt(viewed.body, "/name"), "acme");
  EXPECT_EQ(StringAt(viewed.body, "/created_at"), FormatIso8601(kT0));
  EXPECT_EQ(JsonAt(viewed.body, "/retention_days"), "90");
  EXPECT_EQ(StringAt(viewed.body, "/role"), "viewer");
  // A single membership needs no X-Workspace-Id.
  EXPECT_EQ(StringAt(Call("GET", "/workspace", owner_.token).body, "/role"), "owner");
  // A key has no role.
  const http::Response by_key = Call("GET", "/workspace", acme_.secret_key);
  EXPECT_EQ(StringAt(by_key.body, "/id"), acme_.workspace.id);
  EXPECT_EQ(JsonAt(by_key.body, "/role"), "null");

  ExpectError(Acme("GET", "/workspace", outsider_.token), 403);
  ExpectError(Acme("GET", "/workspace", other_.secret_key), 403);
  ExpectError(Acme("GET", "/workspace", ""), 401);
}

TEST_F(WorkspaceRoutesTest, MembersAreListedToReaders) {
  AddRoutes();
  const http::Response listed = Acme("GET", "/members", viewer_.token);
  ASSERT_EQ(listed.status, 200) << listed.body;
  const std::vector<std::pair<std::string, std::string>> expected = {
      {"owner@example.com", "owner"},
      {"admin@example.com", "admin"},
      {"member@example.com", "member"},
      {"viewer@example.com", "viewer"}};
  for (size_t i = 0; i < expected.size(); ++i) {
    const std::string at = "/results/" + std::to_string(i);
    EXPECT_EQ(StringAt(listed.body, at + "/email"), expected[i].first);
    EXPECT_EQ(StringAt(listed.body, at + "/role"), expected[i].second);
    EXPECT_EQ(StringAt(listed.body, at + "/created_at"), FormatIso8601(kT0));
  }
  EXPECT_EQ(StringAt(listed.body, "/results/0/user_id"), owner_.id);
  EXPECT_EQ(JsonAt(listed.body, "/results/4"), "");
  EXPECT_EQ(listed.body.find("outsider"), std::string::npos);
  EXPECT_EQ(listed.body.find("password"), std::string::npos);
  ExpectError(Acme("GET", "/members", outsider_.token), 403);
}

TEST_F(WorkspaceRoutesTest, AdminsAddMembers) {
  AddRoutes();
  // A new person gets an account with a one-time password, shown this once.
  const http::Response added =
      Acme("POST", "/members", admin_.token, R"({"email":"New@Example.com","role":"member"})");
  ASSERT_EQ(added.status, 201) << added.body;
  const std::string new_id = StringAt(added.body, "/member/user_id");
  EXPECT_EQ(StringAt(added.body, "/member/email"), "new@example.com");
  EXPECT_EQ(StringAt(added.body, "/member/role"), "member");
  const std::string one_time = StringAt(added.body, "/one_time_password");
  EXPECT_GE(one_time.size(), 10u);
  auto user = accounts_->GetUser(new_id);
  ASSERT_TRUE(user.ok());
  EXPECT_TRUE(user->password_change_required);

  // Someone with an account is added as they are.
  const http::Response existing =
      Acme("POST", "/members", admin_.token, R"({"email":"outsider@example.com","role":"viewer"})");
  ASSERT_EQ(existing.status, 201) << existing.body;
  EXPECT_EQ(StringAt(existing.body, "/member/user_id"), outsider_.id);
  EXPECT_EQ(JsonAt(existing.body, "/one_time_password"), "");

  const std::vector<AuditEntry> audit = AuditEntries(acme_.workspace.id);
  ASSERT_EQ(audit.size(), 2u);
  EXPECT_EQ(audit[1].action, "member.add");
  EXPECT_EQ(audit[1].actor.id, admin_.id);
  EXPECT_EQ(audit[1].actor.label, "admin@example.com");
  EXPECT_EQ(audit[1].target_kind, "member");
  EXPECT_EQ(audit[1].target_id, new_id);
  EXPECT_EQ(audit[1].details, R"({"email":"new@example.com","role":"member"})");
  EXPECT_EQ(audit[1].ip, kClientIp);
  EXPECT_EQ(audit[1].request_id, "req_test");
  EXPECT_EQ(audit[1].details.find(one_time), std::string::npos);
  EXPECT_EQ(audit[0].target_id, outsider_.id);

  ExpectError(
      Acme("POST", "/members", admin_.token, R"({"email":"new@example.com","role":"admin"})"), 409,
      "email");
  ExpectError(Acme("POST", "/members", admin_.token, R"({"email":"x@example.com","role":"boss"})"),
              400, "role");
  ExpectError(Acme("POST", "/members", admin_.token, R"({"email":"x@example.com"})"), 400, "role");
  ExpectError(Acme("POST", "/members", admin_.token, R"({"email":"nope","role":"viewer"})"), 400,
              "email");
  // Only an owner makes an owner.
  ExpectError(Acme("POST", "/members", admin_.token, R"({"email":"y@example.com","role":"owner"})"),
              403);
  EXPECT_EQ(
      Acme("POST", "/members", owner_.token, R"({"email":"y@example.com","role":"owner"})").status,
      201);
  // Members and viewers do not administer; nor do read keys or outsiders.
  for (const std::string* credential : {&member_.token, &viewer_.token, &outsider_.token}) {
    ExpectError(
        Acme("POST", "/members", *credential, R"({"email":"z@example.com","role":"viewer"})"), 403);
  }
  EXPECT_FALSE(accounts_->FindUserByEmail("z@example.com").ok());
}

TEST_F(WorkspaceRoutesTest, AdminsChangeRoles) {
  AddRoutes();
  const http::Response changed =
      Acme("PUT", "/members/" + viewer_.id, admin_.token, R"({"role":"member"})");
  ASSERT_EQ(changed.status, 200) << changed.body;
  EXPECT_EQ(StringAt(changed.body, "/user_id"), viewer_.id);
  EXPECT_EQ(StringAt(changed.body, "/email"), "viewer@example.com");
  EXPECT_EQ(StringAt(changed.body, "/role"), "member");
  EXPECT_EQ(accounts_->GetMembership(acme_.workspace.id, viewer_.id)->role, Role::kMember);

  std::vector<AuditEntry> audit = AuditEntries(acme_.workspace.id);
  ASSERT_EQ(audit.size(), 1u);
  EXPECT_EQ(audit[0].action, "member.role_change");
  EXPECT_EQ(audit[0].target_id, viewer_.id);
  EXPECT_EQ(audit[0].details,
            R"({"role":{"from":"viewer","to":"member"},"email":"viewer@example.com"})");
  // The same role again changes nothing and records nothing.
  EXPECT_EQ(Acme("PUT", "/members/" + viewer_.id, admin_.token, R"({"role":"member"})").status,
            200);
  EXPECT_EQ(AuditEntries(acme_.workspace.id).size(), 1u);

  ExpectError(Acme("PUT", "/members/" + outsider_.id, admin_.token, R"({"role":"viewer"})"), 404,
              "user_id");
  ExpectError(Acme("PUT", "/members/" + viewer_.id, admin_.token, R"({"role":"king"})"), 400,
              "role");
  ExpectError(Acme("PUT", "/members/" + viewer_.id, admin_.token, R"({})"), 400, "role");
  // Owner rules: an admin neither makes nor unmakes owners; nobody changes
  // their own role.
  ExpectError(Acme("PUT", "/members/" + viewer_.id, admin_.token, R"({"role":"owner"})"), 403);
  ExpectError(Acme("PUT", "/members/" + owner_.id, admin_.token, R"({"role":"viewer"})"), 403);
  ExpectError(Acme("PUT", "/members/" + admin_.id, admin_.token, R"({"role":"member"})"), 403);
  // The last owner stays one.
  ExpectError(Acme("PUT", "/members/" + owner_.id, owner_.token, R"({"role":"admin"})"), 403);
  ExpectError(Acme("PUT", "/members/" + viewer_.id, member_.token, R"({"role":"viewer"})"), 403);
  ExpectError(Acme("PUT", "/members/" + viewer_.id, viewer_.token, R"({"role":"admin"})"), 403);
  EXPECT_EQ(accounts_->GetMembership(acme_.workspace.id, viewer_.id)->role, Role::kMember);
}

TEST_F(WorkspaceRoutesTest, AdminsRemoveMembers) {
  AddRoutes();
  const http::Response removed = Acme("DELETE", "/members/" + member_.id, admin_.token);
  ASSERT_EQ(removed.status, 204) << removed.body;
  EXPECT_FALSE(accounts_->GetMembership(acme_.workspace.id, member_.id).ok());
  // The removed member is out at once.
  ExpectError(Acme("GET", "/members", member_.token), 403);

  const std::vector<AuditEntry> audit = AuditEntries(acme_.workspace.id);
  ASSERT_EQ(audit.size(), 1u);
  EXPECT_EQ(audit[0].action, "member.remove");
  EXPECT_EQ(audit[0].target_id, member_.id);
  EXPECT_EQ(audit[0].details, R"({"email":"member@example.com","role":"member"})");

  ExpectError(Acme("DELETE", "/members/" + member_.id, admin_.token), 404, "user_id");
  ExpectError(Acme("DELETE", "/members/" + outsider_.id, admin_.token), 404, "user_id");
  ExpectError(Acme("DELETE", "/members/" + owner_.id, admin_.token), 403);
  ExpectError(Acme("DELETE", "/members/" + admin_.id, viewer_.token), 403);
  // The last owner cannot go, not even by leaving.
  const http::Response last = Acme("DELETE", "/members/" + owner_.id, owner_.token);
  EXPECT_TRUE(last.status == 409 || last.status == 403) << last.body;
  EXPECT_TRUE(accounts_->GetMembership(acme_.workspace.id, owner_.id).ok());
  // Another workspace's admin key cannot reach acme's members.
  ExpectError(Acme("DELETE", "/members/" + viewer_.id, other_.secret_key), 403);
  ExpectError(Call("DELETE", "/members/" + viewer_.id, other_.secret_key), 404);
  EXPECT_TRUE(accounts_->GetMembership(acme_.workspace.id, viewer_.id).ok());
}

}  // namespace
}  // namespace cdp::api
