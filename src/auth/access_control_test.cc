#include "auth/access_control.h"

#include <gtest/gtest.h>

#include <atomic>
#include <chrono>
#include <map>
#include <memory>
#include <optional>
#include <random>
#include <set>
#include <string>
#include <vector>

#include "auth/api_key_format.h"
#include "auth/testing/account_fixtures.h"
#include "auth/workspace_provisioner.h"
#include "core/uuid.h"
#include "meta/sqlite/sqlite_account_store.h"
#include "meta/sqlite/sqlite_test_store.h"
#include "meta/testing/counting_meta_store.h"
#include "meta/testing/forwarding_account_store.h"
#include "support/temp_dir.h"

namespace cdp {
namespace {

using namespace std::chrono_literals;
using testing::CountingMetaStore;

constexpr Role kRoles[] = {Role::kOwner, Role::kAdmin, Role::kMember, Role::kViewer};
constexpr Permission kPermissions[] = {Permission::kRead, Permission::kBuild, Permission::kAdmin};

// Forwards to the real store, counting session lookups; can fail them, and
// can pretend a user is gone (deleted between finding the session and
// reading the user).
class CountingAccountStore final : public testing::ForwardingAccountStore {
 public:
  using ForwardingAccountStore::ForwardingAccountStore;

  int lookups() const { return lookups_.load(); }
  void FailLookupsWith(Status status) { failure_ = std::move(status); }
  void HideUser(std::string user_id) { hidden_user_ = std::move(user_id); }

  Result<Session> FindSessionByTokenHash(std::string_view token_hash) override {
    ++lookups_;
    if (!failure_.ok()) return failure_;
    return real_.FindSessionByTokenHash(token_hash);
  }
  Result<User> GetUser(std::string_view user_id) override {
    if (user_id == hidden_user_) return Status::NotFound("no such user");
    return real_.GetUser(user_id);
  }

 private:
  std::atomic<int> lookups_{0};
  Status failure_;
  std::string hidden_user_;
};

// AccessControl on the real SQLite stores of a migrated temporary database,
// with two workspaces (acme, other) made by the provisioner.
class AccessControlTest : public ::testing::Test {
 protected:
  static inline const TimePoint kT0 =
      std::chrono::sys_days{std::chrono::year{2026} / 5 / 6} + std::chrono::hours(7);

  void SetUp() override {
    meta_ = testing::OpenMigratedSqliteMetaStore(path_);
    ASSERT_NE(meta_, nullptr);
    auto accounts = OpenSqliteAccountStore(path_);
    ASSERT_TRUE(accounts.ok()) << accounts.status().ToString();
    accounts_ = std::move(accounts).value();
    counting_meta_ = std::make_unique<CountingMetaStore>(*meta_);
    counting_accounts_ = std::make_unique<CountingAccountStore>(*accounts_);
    access_ = std::make_unique<AccessControl>(*counting_meta_, *counting_accounts_, clock_);
    WorkspaceProvisioner provisioner(*meta_, clock_);
    auto acme = provisioner.Create("acme");
    auto other = provisioner.Create("other");
    ASSERT_TRUE(acme.ok() && other.ok());
    acme_ = std::move(acme).value();
    other_ = std::move(other).value();
  }

  // A new secret key of `workspace_id`, in clear.
  std::string AddSecretKey(const std::string& workspace_id, ApiKeyScope scope,
                           std::optional<TimePoint> revoked_at = std::nullopt) {
    const auto [key, id] = testing::StoreSecretKey(*meta_, clock_, workspace_id, scope, revoked_at);
    key_ids_[key] = id;
    return key;
  }

  // A new user; returns the id.
  std::string AddUser(const std::string& email, bool password_change_required = false) {
    return testing::StoreUser(*accounts_, clock_, email, password_change_required);
  }

  void AddMember(const std::string& workspace_id, const std::string& user_id, Role role) {
    const Status added = accounts_->AddMember({workspace_id, user_id, role, clock_.Now()});
    EXPECT_TRUE(added.ok()) << added.ToString();
  }

  // A session of the user expiring after `ttl`; returns its token.
  std::string StartSession(const std::string& user_id, SessionKind kind = SessionKind::kCookie,
                           std::chrono::milliseconds ttl = 1h) {
    const auto [token, id] = testing::StoreSession(*accounts_, clock_, user_id, kind, ttl);
    session_ids_[token] = id;
    return token;
  }

  Principal MustAuthenticate(const std::string& credential) {
    Result<Principal> principal = access_->Authenticate(credential);
    EXPECT_TRUE(principal.ok()) << principal.status().ToString();
    return principal.ok() ? std::move(principal).value() : Principal{};
  }

  // Expects `result` to have failed with `code`, its message not repeating
  // `credential`.
  template <typename T>
  static void ExpectRefused(const Result<T>& result, ErrorCode code,
                            std::string_view credential = {}) {
    ASSERT_FALSE(result.ok());
    EXPECT_EQ(result.status().code(), code) << result.status().ToString();
    if (credential.size() > 3) {
      EXPECT_EQ(result.status().ToString().find(credential.substr(3)), std::string::npos)
          << result.status().ToString();
    }
  }

  cdp::testing::TempDir dir_;
  std::string path_ = dir_.File("meta.sqlite");
  ManualClock clock_{kT0};
  std::unique_ptr<SqliteMetaStore> meta_;
  std::unique_ptr<SqliteAccountStore> accounts_;
  std::unique_ptr<CountingMetaStore> counting_meta_;
  std::unique_ptr<CountingAccountStore> counting_accounts_;
  std::unique_ptr<AccessControl> access_;
  ProvisionedWorkspace acme_;
  ProvisionedWorkspace other_;
  std::map<std::string, std::string> key_ids_;
  std::map<std::string, std::string> session_ids_;
};

// --- Authenticate

TEST_F(AccessControlTest, MalformedCredentialsAreRefusedWithoutAskingAStore) {
  for (const std::string& credential :
       {std::string(), std::string("hello"), std::string("sk_"), "sk_" + std::string(39, 'a'),
        "sk_" + std::string(41, 'a'), "sk_" + std::string(39, 'a') + "-",
        "st_" + std::string(42, 'b'), "st_" + std::string(44, 'b'), "ST_" + std::string(43, 'b'),
        "Bearer sk_" + std::string(40, 'a'), " sk_" + std::string(40, 'a')}) {
    ExpectRefused(access_->Authenticate(credential), ErrorCode::kUnauthorized, credential);
  }
  EXPECT_EQ(counting_meta_->lookups(), 0);
  EXPECT_EQ(counting_accounts_->lookups(), 0);
}

TEST_F(AccessControlTest, WriteKeyAsBearerIsRefused) {
  ExpectRefused(access_->Authenticate(acme_.write_key), ErrorCode::kUnauthorized, acme_.write_key);
  EXPECT_EQ(counting_meta_->lookups(), 0);
}

TEST_F(AccessControlTest, KeyStoredAsWriteKeyNeverPassesAsSecretKey) {
  // Whatever the shape of the text, the stored kind decides.
  const std::string key = NewSecretKey();
  ApiKey record;
  record.id = Uuid::NewV7(clock_).ToString();
  record.workspace_id = acme_.workspace.id;
  record.kind = ApiKeyKind::kWrite;
  record.scope = ApiKeyScope::kIngest;
  record.display_prefix = KeyDisplayPrefix(key);
  record.key_hash = HashToken(key);
  record.created_at = clock_.Now();
  ASSERT_TRUE(meta_->CreateApiKey(record).ok());
  ExpectRefused(access_->Authenticate(key), ErrorCode::kUnauthorized, key);
}

TEST_F(AccessControlTest, UnknownSecretKeyIsUnauthorized) {
  const std::string key = NewSecretKey();
  ExpectRefused(access_->Authenticate(key), ErrorCode::kUnauthorized, key);
  EXPECT_EQ(counting_meta_->lookups(), 1);
}

TEST_F(AccessControlTest, SecretKeyAuthenticatesAsItsKey) {
  const std::string key = AddSecretKey(acme_.workspace.id, ApiKeyScope::kRead);
  const Principal principal = MustAuthenticate(key);
  EXPECT_FALSE(principal.is_user());
  EXPECT_EQ(principal.key_id, key_ids_[key]);
  EXPECT_EQ(principal.key_workspace_id, acme_.workspace.id);
  EXPECT_EQ(principal.key_display_prefix, key.substr(0, 8));
  EXPECT_EQ(principal.key_scope, ApiKeyScope::kRead);
  EXPECT_TRUE(principal.user_id.empty());
  EXPECT_EQ(principal.LogLabel(), "key:" + key_ids_[key]);
  const AuditActor actor = principal.actor();
  EXPECT_EQ(actor.kind, AuditActorKind::kApiKey);
  EXPECT_EQ(actor.id, key_ids_[key]);
  EXPECT_EQ(actor.label, MaskedKey(key.substr(0, 8)));

  // The provisioner's key is an admin key.
  EXPECT_EQ(MustAuthenticate(acme_.secret_key).key_scope, ApiKeyScope::kAdmin);
}

TEST_F(AccessControlTest, RevokedSecretKeyIsUnauthorized) {
  const std::string key = AddSecretKey(acme_.workspace.id, ApiKeyScope::kAdmin, kT0 - 1ms);
  ExpectRefused(access_->Authenticate(key), ErrorCode::kUnauthorized, key);
  // Revoked through the store: refused on the very next request.
  const std::string live = AddSecretKey(acme_.workspace.id, ApiKeyScope::kAdmin);
  ASSERT_TRUE(access_->Authenticate(live).ok());
  ASSERT_TRUE(meta_->RevokeApiKey(acme_.workspace.id, key_ids_[live], clock_.Now()).ok());
  ExpectRefused(access_->Authenticate(live), ErrorCode::kUnauthorized, live);
}

TEST_F(AccessControlTest, FutureDatedRevocationIsAGracePeriod) {
  const std::string key = AddSecretKey(acme_.workspace.id, ApiKeyScope::kAdmin, kT0 + 10min);
  EXPECT_TRUE(access_->Authenticate(key).ok());
  clock_.Advance(10min - 1ms);
  EXPECT_TRUE(access_->Authenticate(key).ok());
  clock_.Advance(1ms);
  ExpectRefused(access_->Authenticate(key), ErrorCode::kUnauthorized, key);
}

TEST_F(AccessControlTest, SessionAuthenticatesAsItsUser) {
  const std::string user_id = AddUser("ana@example.com");
  for (const SessionKind kind : {SessionKind::kCookie, SessionKind::kToken}) {
    const std::string token = StartSession(user_id, kind);
    const Principal principal = MustAuthenticate(token);
    EXPECT_TRUE(principal.is_user());
    EXPECT_EQ(principal.user_id, user_id);
    EXPECT_EQ(principal.email, "ana@example.com");
    EXPECT_EQ(principal.session_id, session_ids_[token]);
    EXPECT_EQ(principal.session_kind, kind);
    EXPECT_FALSE(principal.password_change_required);
    EXPECT_TRUE(principal.key_id.empty());
    EXPECT_EQ(principal.LogLabel(), "user:" + user_id);
    EXPECT_EQ(principal.actor(), (AuditActor{AuditActorKind::kUser, user_id, "ana@example.com"}));
  }
}

TEST_F(AccessControlTest, UnknownSessionIsUnauthorized) {
  const std::string token = NewSessionToken();
  ExpectRefused(access_->Authenticate(token), ErrorCode::kUnauthorized, token);
  EXPECT_EQ(counting_accounts_->lookups(), 1);
}

TEST_F(AccessControlTest, ExpiredSessionIsUnauthorized) {
  const std::string token = StartSession(AddUser("ana@example.com"), SessionKind::kToken, 1h);
  clock_.Advance(1h - 1ms);
  EXPECT_TRUE(access_->Authenticate(token).ok());
  clock_.Advance(1ms);  // expires_at itself is past the end
  ExpectRefused(access_->Authenticate(token), ErrorCode::kUnauthorized, token);
}

TEST_F(AccessControlTest, RevokedSessionIsUnauthorized) {
  const std::string user_id = AddUser("ana@example.com");
  const std::string token = StartSession(user_id);
  const std::string kept = StartSession(user_id);
  ASSERT_TRUE(access_->Authenticate(token).ok());
  ASSERT_TRUE(accounts_->RevokeSession(user_id, session_ids_[token], clock_.Now()).ok());
  ExpectRefused(access_->Authenticate(token), ErrorCode::kUnauthorized, token);
  EXPECT_TRUE(access_->Authenticate(kept).ok());
  ASSERT_TRUE(accounts_->RevokeUserSessions(user_id, "", clock_.Now()).ok());
  ExpectRefused(access_->Authenticate(kept), ErrorCode::kUnauthorized, kept);
}

TEST_F(AccessControlTest, SessionOfAUserWhoIsGoneIsUnauthorized) {
  const std::string user_id = AddUser("ana@example.com");
  const std::string token = StartSession(user_id);
  counting_accounts_->HideUser(user_id);
  ExpectRefused(access_->Authenticate(token), ErrorCode::kUnauthorized, token);
}

TEST_F(AccessControlTest, StoreFailuresAreNotMistakenForBadCredentials) {
  const std::string token = StartSession(AddUser("ana@example.com"));
  counting_meta_->FailLookupsWith(Status::Unavailable("database is busy", 1s));
  counting_accounts_->FailLookupsWith(Status::Unavailable("database is busy", 1s));
  ExpectRefused(access_->Authenticate(acme_.secret_key), ErrorCode::kUnavailable);
  ExpectRefused(access_->Authenticate(token), ErrorCode::kUnavailable);
}

// --- Authorize: secret keys

TEST_F(AccessControlTest, KeyActsOnItsOwnWorkspaceOnly) {
  const Principal key = MustAuthenticate(acme_.secret_key);
  for (const std::string_view named : {std::string_view(), std::string_view(acme_.workspace.id)}) {
    Result<WorkspaceAccess> access = access_->Authorize(key, named, Permission::kAdmin);
    ASSERT_TRUE(access.ok()) << access.status().ToString();
    EXPECT_EQ(access->workspace_id, acme_.workspace.id);
    EXPECT_EQ(access->role, std::nullopt);
    EXPECT_EQ(access->principal.key_id, key.key_id);
  }
  for (const std::string& named :
       {other_.workspace.id, Uuid::NewV7(clock_).ToString(), std::string("not-a-workspace")}) {
    Result<WorkspaceAccess> access = access_->Authorize(key, named, Permission::kRead);
    ExpectRefused(access, ErrorCode::kForbidden);
    EXPECT_NE(access.status().message().find("X-Workspace-Id"), std::string::npos);
  }
}

TEST_F(AccessControlTest, KeyScopeDecidesEachPermission) {
  for (const ApiKeyScope scope : {ApiKeyScope::kRead, ApiKeyScope::kAdmin}) {
    const Principal key = MustAuthenticate(AddSecretKey(acme_.workspace.id, scope));
    for (const Permission permission : kPermissions) {
      Result<WorkspaceAccess> access = access_->Authorize(key, "", permission);
      EXPECT_EQ(access.ok(), ScopeGrants(scope, permission))
          << ApiKeyScopeName(scope) << " x " << PermissionName(permission);
      if (!access.ok()) {
        EXPECT_EQ(access.status().code(), ErrorCode::kForbidden);
        const std::string& message = access.status().message();
        EXPECT_NE(message.find(ApiKeyScopeName(scope)), std::string::npos) << message;
        EXPECT_NE(message.find(PermissionName(permission)), std::string::npos) << message;
      }
    }
  }
}

// --- Authorize: users

TEST_F(AccessControlTest, EachRoleGrantsItsPermissions) {
  for (const Role role : kRoles) {
    const std::string user_id = AddUser(std::string(RoleName(role)) + "@example.com");
    AddMember(acme_.workspace.id, user_id, role);
    const Principal user = MustAuthenticate(StartSession(user_id));
    for (const Permission permission : kPermissions) {
      Result<WorkspaceAccess> access = access_->Authorize(user, acme_.workspace.id, permission);
      EXPECT_EQ(access.ok(), RoleGrants(role, permission))
          << RoleName(role) << " x " << PermissionName(permission);
      if (access.ok()) {
        EXPECT_EQ(access->workspace_id, acme_.workspace.id);
        EXPECT_EQ(access->role, role);
        EXPECT_EQ(access->principal.user_id, user_id);
      } else {
        EXPECT_EQ(access.status().code(), ErrorCode::kForbidden);
        const std::string& message = access.status().message();
        EXPECT_NE(message.find(RoleName(role)), std::string::npos) << message;
        EXPECT_NE(message.find(PermissionName(permission)), std::string::npos) << message;
      }
    }
  }
}

TEST_F(AccessControlTest, NonMembersAreForbiddenWhetherTheWorkspaceExistsOrNot) {
  const std::string user_id = AddUser("ana@example.com");
  AddMember(acme_.workspace.id, user_id, Role::kOwner);
  const Principal user = MustAuthenticate(StartSession(user_id));
  Result<WorkspaceAccess> other = access_->Authorize(user, other_.workspace.id, Permission::kRead);
  Result<WorkspaceAccess> unknown =
      access_->Authorize(user, Uuid::NewV7(clock_).ToString(), Permission::kRead);
  ExpectRefused(other, ErrorCode::kForbidden);
  ExpectRefused(unknown, ErrorCode::kForbidden);
  // No existence oracle: the same answer.
  EXPECT_EQ(other.status().message(), unknown.status().message());
}

TEST_F(AccessControlTest, WithoutXWorkspaceIdTheOnlyMembershipIsUsed) {
  const std::string user_id = AddUser("ana@example.com");
  AddMember(other_.workspace.id, user_id, Role::kViewer);
  const Principal user = MustAuthenticate(StartSession(user_id));
  Result<WorkspaceAccess> access = access_->Authorize(user, "", Permission::kRead);
  ASSERT_TRUE(access.ok()) << access.status().ToString();
  EXPECT_EQ(access->workspace_id, other_.workspace.id);
  EXPECT_EQ(access->role, Role::kViewer);
  // Still the role's permissions.
  ExpectRefused(access_->Authorize(user, "", Permission::kBuild), ErrorCode::kForbidden);
}

TEST_F(AccessControlTest, WithoutXWorkspaceIdSeveralMembershipsAreABadRequest) {
  const std::string user_id = AddUser("ana@example.com");
  AddMember(acme_.workspace.id, user_id, Role::kOwner);
  AddMember(other_.workspace.id, user_id, Role::kViewer);
  const Principal user = MustAuthenticate(StartSession(user_id));
  Result<WorkspaceAccess> access = access_->Authorize(user, "", Permission::kRead);
  ExpectRefused(access, ErrorCode::kBadRequest);
  EXPECT_EQ(access.status().field(), "X-Workspace-Id");
  // Named, each works with its own role.
  EXPECT_TRUE(access_->Authorize(user, acme_.workspace.id, Permission::kAdmin).ok());
  EXPECT_TRUE(access_->Authorize(user, other_.workspace.id, Permission::kRead).ok());
  ExpectRefused(access_->Authorize(user, other_.workspace.id, Permission::kBuild),
                ErrorCode::kForbidden);
}

TEST_F(AccessControlTest, WithoutAnyMembershipIsForbidden) {
  const Principal user = MustAuthenticate(StartSession(AddUser("ana@example.com")));
  ExpectRefused(access_->Authorize(user, "", Permission::kRead), ErrorCode::kForbidden);
}

TEST_F(AccessControlTest, OwedPasswordChangeForbidsEveryWorkspaceAction) {
  const std::string user_id = AddUser("ana@example.com", /*password_change_required=*/true);
  AddMember(acme_.workspace.id, user_id, Role::kOwner);
  const Principal user = MustAuthenticate(StartSession(user_id));
  EXPECT_TRUE(user.password_change_required);
  for (const Permission permission : kPermissions) {
    Result<WorkspaceAccess> access = access_->Authorize(user, acme_.workspace.id, permission);
    ExpectRefused(access, ErrorCode::kForbidden);
    EXPECT_NE(access.status().message().find("password change required"), std::string::npos)
        << access.status().message();
  }
  // Once changed, the next request passes.
  ASSERT_TRUE(accounts_->SetPassword(user_id, "$argon2id$new", false, clock_.Now()).ok());
  const Principal changed = MustAuthenticate(StartSession(user_id));
  EXPECT_TRUE(access_->Authorize(changed, acme_.workspace.id, Permission::kAdmin).ok());
}

TEST_F(AccessControlTest, NothingIsCached) {
  const std::string user_id = AddUser("ana@example.com");
  AddMember(acme_.workspace.id, user_id, Role::kAdmin);
  // An admin of another workspace too, so that removing one leaves a member.
  AddMember(other_.workspace.id, user_id, Role::kOwner);
  const Principal user = MustAuthenticate(StartSession(user_id));
  ASSERT_TRUE(access_->Authorize(user, acme_.workspace.id, Permission::kAdmin).ok());
  ASSERT_TRUE(
      accounts_->SetMemberRole(acme_.workspace.id, user_id, Role::kViewer, std::nullopt).ok());
  ExpectRefused(access_->Authorize(user, acme_.workspace.id, Permission::kAdmin),
                ErrorCode::kForbidden);
  EXPECT_TRUE(access_->Authorize(user, acme_.workspace.id, Permission::kRead).ok());
  ASSERT_TRUE(accounts_->RemoveMember(acme_.workspace.id, user_id, std::nullopt).ok());
  ExpectRefused(access_->Authorize(user, acme_.workspace.id, Permission::kRead),
                ErrorCode::kForbidden);
}

// Random changes to memberships, roles and sessions against a reference
// model: after each, every user's session either is refused or is allowed
// exactly what the model says.
TEST_F(AccessControlTest, RandomChangesMatchAReferenceModel) {
  constexpr int kUsers = 4;
  std::mt19937 random(20260506);
  const std::vector<std::string> workspaces = {acme_.workspace.id, other_.workspace.id};
  std::vector<std::string> users;
  std::vector<std::string> tokens;
  for (int i = 0; i < kUsers; ++i) {
    users.push_back(AddUser("user" + std::to_string(i) + "@example.com"));
    tokens.push_back(StartSession(users.back(), SessionKind::kToken, 24h));
  }
  // The model: role per (workspace, user); whether each session is alive.
  std::map<std::pair<std::string, std::string>, Role> roles;
  std::vector<bool> alive(kUsers, true);
  const auto pick = [&](size_t n) {
    return static_cast<size_t>(std::uniform_int_distribution<size_t>(0, n - 1)(random));
  };
  for (int step = 0; step < 300; ++step) {
    const std::string& workspace = workspaces[pick(workspaces.size())];
    const size_t u = pick(kUsers);
    const auto key = std::make_pair(workspace, users[u]);
    const Role role = kRoles[pick(4)];
    switch (pick(4)) {
      case 0:  // add or change
        if (roles.contains(key)) {
          // The store keeps an owner per workspace: mirror its refusal.
          const bool ok = accounts_->SetMemberRole(workspace, users[u], role, std::nullopt).ok();
          if (ok) roles[key] = role;
        } else {
          AddMember(workspace, users[u], role);
          roles[key] = role;
        }
        break;
      case 1:  // remove
        if (roles.contains(key) &&
            accounts_->RemoveMember(workspace, users[u], std::nullopt).ok()) {
          roles.erase(key);
        }
        break;
      case 2:  // sign out
        if (alive[u]) {
          ASSERT_TRUE(
              accounts_->RevokeSession(users[u], session_ids_[tokens[u]], clock_.Now()).ok());
          alive[u] = false;
        }
        break;
      case 3:  // sign in again
        if (!alive[u]) {
          tokens[u] = StartSession(users[u], SessionKind::kToken, 24h);
          alive[u] = true;
        }
        break;
    }
    for (size_t v = 0; v < kUsers; ++v) {
      Result<Principal> principal = access_->Authenticate(tokens[v]);
      ASSERT_EQ(principal.ok(), alive[v]) << "step " << step << " user " << v;
      if (!principal.ok()) continue;
      for (const std::string& w : workspaces) {
        const auto it = roles.find({w, users[v]});
        for (const Permission permission : kPermissions) {
          const bool expected = it != roles.end() && RoleGrants(it->second, permission);
          EXPECT_EQ(access_->Authorize(*principal, w, permission).ok(), expected)
              << "step " << step << " user " << v << " " << PermissionName(permission);
        }
      }
    }
  }
}

}  // namespace
}  // namespace cdp
