#include "auth/member_service.h"

#include <gtest/gtest.h>

#include <chrono>
#include <memory>
#include <string>

#include "core/uuid.h"
#include "meta/sqlite/sqlite_account_store.h"
#include "meta/sqlite/sqlite_test_store.h"
#include "support/temp_dir.h"

namespace cdp {
namespace {

using namespace std::chrono_literals;

const TimePoint kT0 = TimePoint{} + 1'800'000'000'123ms;

void ExpectError(const Status& status, ErrorCode code, std::string_view field = "") {
  EXPECT_EQ(status.code(), code) << status.ToString();
  EXPECT_EQ(status.field(), field) << status.ToString();
}

class MemberServiceTest : public ::testing::Test {
 protected:
  void SetUp() override {
    meta_ = testing::OpenMigratedSqliteMetaStore(path_);
    ASSERT_NE(meta_, nullptr);
    ASSERT_TRUE(meta_->CreateWorkspace({"w1", "demo", kT0}).ok());
    ASSERT_TRUE(meta_->CreateWorkspace({"w2", "other", kT0}).ok());
    auto accounts = OpenSqliteAccountStore(path_);
    ASSERT_TRUE(accounts.ok()) << accounts.status().ToString();
    accounts_ = std::move(accounts).value();
    account_service_ = std::make_unique<AccountService>(*accounts_, clock_, AccountOptions{});
    service_ = std::make_unique<MemberService>(*accounts_, *account_service_, clock_);

    owner_ = Person("owner@example.com", Role::kOwner);
    admin_ = Person("admin@example.com", Role::kAdmin);
    member_ = Person("member@example.com", Role::kMember);
    viewer_ = Person("viewer@example.com", Role::kViewer);
  }

  // A user of w1 with `role`, stored directly (no password hashing).
  User Person(std::string email, std::optional<Role> role) {
    clock_.Advance(1ms);
    User user;
    user.id = Uuid::NewV7(clock_).ToString();
    user.email = std::move(email);
    user.password_hash = "$argon2id$unused";
    user.created_at = clock_.Now();
    user.password_changed_at = clock_.Now();
    EXPECT_TRUE(accounts_->CreateUser(user).ok());
    if (role) {
      EXPECT_TRUE(accounts_->AddMember({"w1", user.id, *role, clock_.Now()}).ok());
    }
    return user;
  }

  // The user as a caller in w1, with the role the guard found.
  static WorkspaceAccess As(const User& user, std::optional<Role> role) {
    WorkspaceAccess access;
    access.principal.kind = Principal::Kind::kUser;
    access.principal.user_id = user.id;
    access.principal.email = user.email;
    access.workspace_id = "w1";
    access.role = role;
    return access;
  }
  static WorkspaceAccess Key(ApiKeyScope scope) {
    WorkspaceAccess access;
    access.principal.kind = Principal::Kind::kSecretKey;
    access.principal.key_id = "k1";
    access.principal.key_workspace_id = "w1";
    access.principal.key_display_prefix = "sk_4f9Qa";
    access.principal.key_scope = scope;
    access.workspace_id = "w1";
    return access;
  }
  WorkspaceAccess Owner() const { return As(owner_, Role::kOwner); }
  WorkspaceAccess Admin() const { return As(admin_, Role::kAdmin); }

  std::optional<Role> RoleOf(const User& user) {
    auto membership = accounts_->GetMembership("w1", user.id);
    if (!membership.ok()) return std::nullopt;
    return membership->role;
  }

  testing::TempDir dir_;
  std::string path_ = dir_.File("meta.sqlite");
  ManualClock clock_{kT0};
  std::unique_ptr<SqliteMetaStore> meta_;
  std::unique_ptr<SqliteAccountStore> accounts_;
  std::unique_ptr<AccountService> account_service_;
  std::unique_ptr<MemberService> service_;
  User owner_, admin_, member_, viewer_;
};

TEST_F(MemberServiceTest, ListsTheWorkspacesMembers) {
  auto members = service_->List("w1");
  ASSERT_TRUE(members.ok()) << members.status().ToString();
  ASSERT_EQ(members->size(), 4u);
  EXPECT_EQ((*members)[0].email, "owner@example.com");
  EXPECT_EQ((*members)[0].membership.role, Role::kOwner);
  EXPECT_TRUE(service_->List("w2")->empty());
  ExpectError(service_->List("nope").status(), ErrorCode::kNotFound, "workspace_id");
}

TEST_F(MemberServiceTest, AddsAnExistingUserByNormalizedEmail) {
  const User outsider = Person("outsider@example.com", std::nullopt);
  clock_.Advance(1s);
  auto added = service_->Add(Admin(), "  OutSider@Example.com", Role::kMember);
  ASSERT_TRUE(added.ok()) << added.status().ToString();
  EXPECT_FALSE(added->one_time_password.has_value());
  EXPECT_EQ(added->member.email, "outsider@example.com");
  const Membership expected{"w1", outsider.id, Role::kMember, clock_.Now()};
  EXPECT_EQ(added->member.membership, expected);
  EXPECT_EQ(*accounts_->GetMembership("w1", outsider.id), expected);
  // The account is untouched.
  EXPECT_EQ(*accounts_->GetUser(outsider.id), outsider);

  ExpectError(service_->Add(Admin(), "OUTSIDER@example.com", Role::kViewer).status(),
              ErrorCode::kConflict, "email");
  ExpectError(service_->Add(Admin(), "not an email", Role::kViewer).status(),
              ErrorCode::kBadRequest, "email");
}

TEST_F(MemberServiceTest, MakesAnAccountWithAOneTimePasswordForANewPerson) {
  auto added = service_->Add(Admin(), "New.Person@Example.com", Role::kViewer);
  ASSERT_TRUE(added.ok()) << added.status().ToString();
  ASSERT_TRUE(added->one_time_password.has_value());
  EXPECT_EQ(added->one_time_password->size(), 20u);
  EXPECT_EQ(added->member.email, "new.person@example.com");

  auto user = accounts_->FindUserByEmail("new.person@example.com");
  ASSERT_TRUE(user.ok());
  EXPECT_EQ(added->member.membership.user_id, user->id);
  EXPECT_EQ(Uuid::Parse(user->id)->version(), 7);
  EXPECT_TRUE(user->password_change_required);
  EXPECT_TRUE(VerifyPassword(*added->one_time_password, user->password_hash));
  EXPECT_EQ(RoleOf(*user), Role::kViewer);

  // In another workspace the same person is now an existing account.
  WorkspaceAccess other = Key(ApiKeyScope::kAdmin);
  other.workspace_id = "w2";
  auto again = service_->Add(other, "new.person@example.com", Role::kMember);
  ASSERT_TRUE(again.ok()) << again.status().ToString();
  EXPECT_FALSE(again->one_time_password.has_value());
  EXPECT_EQ(again->member.membership.user_id, user->id);
}

TEST_F(MemberServiceTest, OnlyAnOwnerMakesAnOwner) {
  ExpectError(service_->Add(Admin(), "a@example.com", Role::kOwner).status(),
              ErrorCode::kForbidden);
  ExpectError(service_->Add(Key(ApiKeyScope::kAdmin), "a@example.com", Role::kOwner).status(),
              ErrorCode::kForbidden);
  EXPECT_EQ(accounts_->FindUserByEmail("a@example.com").status().code(), ErrorCode::kNotFound);
  ExpectError(service_->SetRole(Admin(), member_.id, Role::kOwner).status(), ErrorCode::kForbidden);
  ExpectError(service_->SetRole(Key(ApiKeyScope::kAdmin), member_.id, Role::kOwner).status(),
              ErrorCode::kForbidden);
  EXPECT_EQ(RoleOf(member_), Role::kMember);

  auto promoted = service_->SetRole(Owner(), member_.id, Role::kOwner);
  ASSERT_TRUE(promoted.ok()) << promoted.status().ToString();
  EXPECT_EQ(promoted->previous, Role::kMember);
  EXPECT_EQ(promoted->member.membership.role, Role::kOwner);
  EXPECT_EQ(promoted->member.email, "member@example.com");
  EXPECT_EQ(RoleOf(member_), Role::kOwner);
  const User outsider = Person("outsider@example.com", std::nullopt);
  EXPECT_TRUE(service_->Add(Owner(), "outsider@example.com", Role::kOwner).ok());
  EXPECT_EQ(RoleOf(outsider), Role::kOwner);
}

TEST_F(MemberServiceTest, AdminsAndKeysCannotTouchOwners) {
  for (const WorkspaceAccess& by : {Admin(), Key(ApiKeyScope::kAdmin)}) {
    ExpectError(service_->SetRole(by, owner_.id, Role::kAdmin).status(), ErrorCode::kForbidden);
    ExpectError(service_->Remove(by, owner_.id).status(), ErrorCode::kForbidden);
  }
  EXPECT_EQ(RoleOf(owner_), Role::kOwner);
}

TEST_F(MemberServiceTest, AdminsAndAdminKeysManageOtherMembers) {
  auto changed = service_->SetRole(Admin(), member_.id, Role::kViewer);
  ASSERT_TRUE(changed.ok()) << changed.status().ToString();
  EXPECT_EQ(changed->previous, Role::kMember);
  EXPECT_EQ(changed->member.membership.role, Role::kViewer);
  EXPECT_EQ(changed->member.membership.user_id, member_.id);
  EXPECT_EQ(RoleOf(member_), Role::kViewer);

  // An admin key acts as an admin: it may even change an admin's role.
  auto demoted = service_->SetRole(Key(ApiKeyScope::kAdmin), admin_.id, Role::kMember);
  ASSERT_TRUE(demoted.ok()) << demoted.status().ToString();
  EXPECT_EQ(demoted->previous, Role::kAdmin);

  auto removed = service_->Remove(Key(ApiKeyScope::kAdmin), viewer_.id);
  ASSERT_TRUE(removed.ok()) << removed.status().ToString();
  EXPECT_EQ(removed->email, "viewer@example.com");
  EXPECT_EQ(removed->membership.role, Role::kViewer);
  EXPECT_FALSE(RoleOf(viewer_).has_value());
  EXPECT_TRUE(accounts_->GetUser(viewer_.id).ok());  // the account stays
}

TEST_F(MemberServiceTest, CallersWhoDoNotAdministerAreRefused) {
  for (const WorkspaceAccess& by :
       {As(member_, Role::kMember), As(viewer_, Role::kViewer), Key(ApiKeyScope::kRead)}) {
    ExpectError(service_->Add(by, "a@example.com", Role::kViewer).status(), ErrorCode::kForbidden);
    ExpectError(service_->SetRole(by, admin_.id, Role::kViewer).status(), ErrorCode::kForbidden);
    ExpectError(service_->Remove(by, admin_.id).status(), ErrorCode::kForbidden);
  }
  EXPECT_EQ(RoleOf(admin_), Role::kAdmin);
}

TEST_F(MemberServiceTest, NobodyChangesTheirOwnRole) {
  ExpectError(service_->SetRole(Owner(), owner_.id, Role::kAdmin).status(), ErrorCode::kForbidden);
  ExpectError(service_->SetRole(Admin(), admin_.id, Role::kMember).status(), ErrorCode::kForbidden);
  EXPECT_EQ(RoleOf(owner_), Role::kOwner);
  EXPECT_EQ(RoleOf(admin_), Role::kAdmin);
}

TEST_F(MemberServiceTest, MembersMayLeaveExceptTheLastOwner) {
  EXPECT_TRUE(service_->Remove(As(viewer_, Role::kViewer), viewer_.id).ok());
  EXPECT_TRUE(service_->Remove(Admin(), admin_.id).ok());
  EXPECT_FALSE(RoleOf(viewer_).has_value());
  EXPECT_FALSE(RoleOf(admin_).has_value());

  ExpectError(service_->Remove(Owner(), owner_.id).status(), ErrorCode::kConflict, "user_id");
  EXPECT_EQ(RoleOf(owner_), Role::kOwner);
  // With a second owner, the first may leave, and an owner may remove one.
  ASSERT_TRUE(service_->SetRole(Owner(), member_.id, Role::kOwner).ok());
  const User third = Person("third@example.com", Role::kOwner);
  EXPECT_TRUE(service_->Remove(As(member_, Role::kOwner), third.id).ok());
  EXPECT_TRUE(service_->Remove(Owner(), owner_.id).ok());
  EXPECT_EQ(RoleOf(member_), Role::kOwner);
}

TEST_F(MemberServiceTest, TheLastOwnerKeepsTheRoleWhateverTheCallerBelieves) {
  // A caller whose owner role was taken meanwhile: the store still refuses.
  const WorkspaceAccess stale = As(admin_, Role::kOwner);
  ExpectError(service_->SetRole(stale, owner_.id, Role::kAdmin).status(), ErrorCode::kConflict,
              "role");
  ExpectError(service_->Remove(stale, owner_.id).status(), ErrorCode::kConflict, "user_id");
  EXPECT_EQ(RoleOf(owner_), Role::kOwner);
}

TEST_F(MemberServiceTest, NamesTheUserWhoIsNotAMember) {
  const User outsider = Person("outsider@example.com", std::nullopt);
  ExpectError(service_->SetRole(Admin(), outsider.id, Role::kViewer).status(), ErrorCode::kNotFound,
              "user_id");
  ExpectError(service_->Remove(Admin(), outsider.id).status(), ErrorCode::kNotFound, "user_id");
  ExpectError(service_->SetRole(Admin(), "nope", Role::kViewer).status(), ErrorCode::kNotFound,
              "user_id");
  ExpectError(service_->Remove(Admin(), "nope").status(), ErrorCode::kNotFound, "user_id");
}

}  // namespace
}  // namespace cdp
