#include "meta/sqlite/sqlite_account_store.h"

#include <fmt/format.h>
#include <gtest/gtest.h>

#include <algorithm>
#include <array>
#include <chrono>
#include <latch>
#include <map>
#include <random>
#include <string>
#include <thread>
#include <utility>
#include <vector>

#include "core/uuid.h"
#include "meta/sqlite/sqlite_test_store.h"
#include "support/temp_dir.h"

namespace cdp {
namespace {

using namespace std::chrono_literals;

const TimePoint kT0 = std::chrono::sys_days{std::chrono::year{2026} / 3 / 4} + 5h + 6min + 789ms;

void ExpectError(const Status& status, ErrorCode code, std::string_view field) {
  EXPECT_EQ(status.code(), code) << status.ToString();
  EXPECT_EQ(status.field(), field) << status.ToString();
}

class SqliteAccountStoreTest : public ::testing::Test {
 protected:
  void SetUp() override {
    meta_ = testing::OpenMigratedSqliteMetaStore(path_);
    ASSERT_NE(meta_, nullptr);
    ASSERT_TRUE(meta_->CreateWorkspace({"w1", "demo", kT0}).ok());
    ASSERT_TRUE(meta_->CreateWorkspace({"w2", "another", kT0}).ok());
    store_ = Open();
    ASSERT_NE(store_, nullptr);
  }

  std::unique_ptr<SqliteAccountStore> Open() {
    auto store = OpenSqliteAccountStore(path_);
    EXPECT_TRUE(store.ok()) << store.status().ToString();
    return store.ok() ? std::move(store).value() : nullptr;
  }

  // A new user (not stored), a millisecond after the previous one.
  User NewUser(std::string email) {
    clock_.Advance(1ms);
    User user;
    user.id = Uuid::NewV7(clock_).ToString();
    user.email = std::move(email);
    user.password_hash = "$argon2id$v=19$m=65536,t=2,p=1$c2FsdA$aGFzaA";
    user.created_at = clock_.Now();
    user.password_changed_at = clock_.Now();
    return user;
  }
  User CreatedUser(std::string email) {
    User user = NewUser(std::move(email));
    const Status status = store_->CreateUser(user);
    EXPECT_TRUE(status.ok()) << status.ToString();
    return user;
  }
  Membership Added(const std::string& workspace_id, const User& user, Role role) {
    clock_.Advance(1ms);
    Membership membership{workspace_id, user.id, role, clock_.Now()};
    const Status status = store_->AddMember(membership);
    EXPECT_TRUE(status.ok()) << status.ToString();
    return membership;
  }
  Session NewSession(const User& user, std::string token_hash, TimePoint expires_at) {
    clock_.Advance(1ms);
    Session session;
    session.id = Uuid::NewV7(clock_).ToString();
    session.user_id = user.id;
    session.token_hash = std::move(token_hash);
    session.kind = SessionKind::kToken;
    session.created_at = clock_.Now();
    session.expires_at = expires_at;
    session.ip = "203.0.113.7";
    session.user_agent = "curl/8.0";
    return session;
  }
  Session CreatedSession(const User& user, std::string token_hash, TimePoint expires_at) {
    Session session = NewSession(user, std::move(token_hash), expires_at);
    const Status status = store_->CreateSession(session);
    EXPECT_TRUE(status.ok()) << status.ToString();
    return session;
  }
  std::vector<std::string> ActiveIds(const User& user, TimePoint now) {
    auto sessions = store_->ListActiveSessions(user.id, now);
    EXPECT_TRUE(sessions.ok()) << sessions.status().ToString();
    std::vector<std::string> ids;
    if (sessions.ok()) {
      for (const Session& session : *sessions) ids.push_back(session.id);
    }
    return ids;
  }

  testing::TempDir dir_;
  std::string path_ = dir_.File("meta.sqlite");
  ManualClock clock_{kT0};
  std::unique_ptr<SqliteMetaStore> meta_;
  std::unique_ptr<SqliteAccountStore> store_;
};

// --- Users -------------------------------------------------------------------

TEST_F(SqliteAccountStoreTest, UsersAreReadBackByIdAndEmailAndListedOldestFirst) {
  User ada = NewUser("ada@example.com");
  ada.password_change_required = true;
  ada.failed_logins = 2;
  ada.locked_until = kT0 + 1h;
  ASSERT_TRUE(store_->CreateUser(ada).ok());
  const User bob = CreatedUser("bob@example.com");

  EXPECT_EQ(*store_->GetUser(ada.id), ada);
  EXPECT_EQ(*store_->FindUserByEmail("bob@example.com"), bob);
  auto users = store_->ListUsers();
  ASSERT_TRUE(users.ok()) << users.status().ToString();
  EXPECT_EQ(*users, (std::vector<User>{ada, bob}));

  EXPECT_EQ(store_->GetUser("nope").status().code(), ErrorCode::kNotFound);
  // Emails are stored normalized by the caller: the store matches exactly.
  EXPECT_EQ(store_->FindUserByEmail("Bob@example.com").status().code(), ErrorCode::kNotFound);
}

TEST_F(SqliteAccountStoreTest, CreateUserRefusesATakenEmailOrId) {
  const User ada = CreatedUser("ada@example.com");
  User same_email = NewUser("ada@example.com");
  ExpectError(store_->CreateUser(same_email), ErrorCode::kConflict, "email");
  User same_id = NewUser("other@example.com");
  same_id.id = ada.id;
  ExpectError(store_->CreateUser(same_id), ErrorCode::kConflict, "id");
  EXPECT_EQ(store_->ListUsers()->size(), 1u);
}

TEST_F(SqliteAccountStoreTest, SetPasswordReplacesTheHashAndClearsTheLock) {
  User ada = CreatedUser("ada@example.com");
  ASSERT_TRUE(store_->RecordFailedLogin(ada.id, 5, kT0 + 1h).ok());
  ASSERT_TRUE(store_->RecordFailedLogin(ada.id, 2, kT0 + 1h).ok());  // locks
  ASSERT_TRUE(store_->GetUser(ada.id)->locked_until.has_value());

  ASSERT_TRUE(store_->SetPassword(ada.id, "$argon2id$new", true, kT0 + 2h).ok());
  ada.password_hash = "$argon2id$new";
  ada.password_change_required = true;
  ada.password_changed_at = kT0 + 2h;
  EXPECT_EQ(*store_->GetUser(ada.id), ada);  // failed_logins 0, no lock

  ASSERT_TRUE(store_->SetPassword(ada.id, "$argon2id$again", false, kT0 + 3h).ok());
  EXPECT_FALSE(store_->GetUser(ada.id)->password_change_required);
  EXPECT_EQ(store_->SetPassword("nope", "x", false, kT0).code(), ErrorCode::kNotFound);
}

TEST_F(SqliteAccountStoreTest, FailedLoginsCountUpToALockThenStartAgain) {
  const User ada = CreatedUser("ada@example.com");
  const User bob = CreatedUser("bob@example.com");
  for (int i = 1; i <= 2; ++i) {
    auto user = store_->RecordFailedLogin(ada.id, 3, kT0 + 15min);
    ASSERT_TRUE(user.ok()) << user.status().ToString();
    EXPECT_EQ(user->failed_logins, i);
    EXPECT_FALSE(user->locked_until.has_value());
  }
  auto locked = store_->RecordFailedLogin(ada.id, 3, kT0 + 15min);
  ASSERT_TRUE(locked.ok());
  EXPECT_EQ(locked->failed_logins, 0);
  EXPECT_EQ(locked->locked_until, kT0 + 15min);
  EXPECT_EQ(*store_->GetUser(ada.id), *locked);
  EXPECT_EQ(store_->GetUser(bob.id)->failed_logins, 0);  // each user counts apart

  // After the lock, counting starts again; the old lock time stays until the
  // next lock or success.
  auto again = store_->RecordFailedLogin(ada.id, 3, kT0 + 1h);
  EXPECT_EQ(again->failed_logins, 1);
  EXPECT_EQ(again->locked_until, kT0 + 15min);

  ASSERT_TRUE(store_->RecordSuccessfulLogin(ada.id).ok());
  const User cleared = *store_->GetUser(ada.id);
  EXPECT_EQ(cleared.failed_logins, 0);
  EXPECT_FALSE(cleared.locked_until.has_value());

  EXPECT_EQ(store_->RecordFailedLogin("nope", 3, kT0).status().code(), ErrorCode::kNotFound);
  EXPECT_EQ(store_->RecordSuccessfulLogin("nope").code(), ErrorCode::kNotFound);
}

TEST_F(SqliteAccountStoreTest, ConcurrentFailedLoginsEachCountOnce) {
  const User ada = CreatedUser("ada@example.com");
  constexpr int kThreads = 4;
  constexpr int kEach = 10;
  std::vector<std::thread> threads;
  std::latch start(kThreads);
  std::array<int, kThreads> locks{};
  for (int t = 0; t < kThreads; ++t) {
    threads.emplace_back([&, t] {
      auto store = Open();  // its own connection, as another server's
      start.arrive_and_wait();
      for (int i = 0; i < kEach; ++i) {
        auto user = store->RecordFailedLogin(ada.id, 7, kT0 + 1h);
        ASSERT_TRUE(user.ok()) << user.status().ToString();
        if (user->failed_logins == 0) ++locks[t];
      }
    });
  }
  for (auto& thread : threads) thread.join();
  int total_locks = 0;
  for (int count : locks) total_locks += count;
  // 40 failures: 5 locks of 7 and 5 counted since.
  EXPECT_EQ(total_locks, kThreads * kEach / 7);
  EXPECT_EQ(store_->GetUser(ada.id)->failed_logins, kThreads * kEach % 7);
}

// --- Memberships -------------------------------------------------------------

TEST_F(SqliteAccountStoreTest, MembersAreListedWithTheirEmailsOldestFirst) {
  const User ada = CreatedUser("ada@example.com");
  const User bob = CreatedUser("bob@example.com");
  const Membership bob_w1 = Added("w1", bob, Role::kViewer);
  const Membership ada_w1 = Added("w1", ada, Role::kOwner);
  const Membership ada_w2 = Added("w2", ada, Role::kMember);

  EXPECT_EQ(*store_->GetMembership("w1", bob.id), bob_w1);
  EXPECT_EQ(*store_->GetMembership("w2", ada.id), ada_w2);
  EXPECT_EQ(store_->GetMembership("w2", bob.id).status().code(), ErrorCode::kNotFound);
  EXPECT_EQ(store_->GetMembership("nope", ada.id).status().code(), ErrorCode::kNotFound);

  auto members = store_->ListMembers("w1");
  ASSERT_TRUE(members.ok()) << members.status().ToString();
  EXPECT_EQ(*members,
            (std::vector<Member>{{bob_w1, "bob@example.com"}, {ada_w1, "ada@example.com"}}));
  // By workspace name: "another" (w2) before "demo" (w1).
  EXPECT_EQ(
      *store_->ListUserWorkspaces(ada.id),
      (std::vector<UserWorkspace>{{"w2", "another", Role::kMember}, {"w1", "demo", Role::kOwner}}));
  EXPECT_TRUE(store_->ListUserWorkspaces("nope")->empty());

  ASSERT_TRUE(meta_->CreateWorkspace({"w3", "empty", kT0}).ok());
  EXPECT_TRUE(store_->ListMembers("w3")->empty());
  ExpectError(store_->ListMembers("nope").status(), ErrorCode::kNotFound, "workspace_id");
}

TEST_F(SqliteAccountStoreTest, AddMemberNamesWhatIsMissingOrTaken) {
  const User ada = CreatedUser("ada@example.com");
  ExpectError(store_->AddMember({"nope", ada.id, Role::kMember, kT0}), ErrorCode::kNotFound,
              "workspace_id");
  ExpectError(store_->AddMember({"w1", "nope", Role::kMember, kT0}), ErrorCode::kNotFound,
              "user_id");
  Added("w1", ada, Role::kMember);
  ExpectError(store_->AddMember({"w1", ada.id, Role::kAdmin, kT0}), ErrorCode::kConflict,
              "user_id");
  EXPECT_EQ(store_->GetMembership("w1", ada.id)->role, Role::kMember);
}

TEST_F(SqliteAccountStoreTest, CreateUserAsMemberIsAllOrNothing) {
  const User ada = NewUser("ada@example.com");
  const Membership membership{"w1", ada.id, Role::kAdmin, kT0};
  ASSERT_TRUE(store_->CreateUserAsMember(ada, membership).ok());
  EXPECT_EQ(*store_->GetUser(ada.id), ada);
  EXPECT_EQ(*store_->GetMembership("w1", ada.id), membership);

  // The membership fails: the user is not made either.
  const User bob = NewUser("bob@example.com");
  ExpectError(store_->CreateUserAsMember(bob, {"nope", bob.id, Role::kMember, kT0}),
              ErrorCode::kNotFound, "workspace_id");
  EXPECT_EQ(store_->GetUser(bob.id).status().code(), ErrorCode::kNotFound);

  const User again = NewUser("ada@example.com");
  ExpectError(store_->CreateUserAsMember(again, {"w2", again.id, Role::kMember, kT0}),
              ErrorCode::kConflict, "email");
  EXPECT_TRUE(store_->ListMembers("w2")->empty());
}

TEST_F(SqliteAccountStoreTest, AWorkspaceKeepsItsLastOwner) {
  const User ada = CreatedUser("ada@example.com");
  const User bob = CreatedUser("bob@example.com");
  const User cat = CreatedUser("cat@example.com");
  Added("w1", ada, Role::kOwner);
  Added("w1", bob, Role::kAdmin);
  Added("w2", cat, Role::kOwner);  // another workspace's owner does not count

  ExpectError(store_->SetMemberRole("w1", ada.id, Role::kAdmin, std::nullopt), ErrorCode::kConflict,
              "role");
  ExpectError(store_->RemoveMember("w1", ada.id, std::nullopt), ErrorCode::kConflict, "user_id");
  EXPECT_TRUE(store_->SetMemberRole("w1", ada.id, Role::kOwner, std::nullopt).ok());  // no change

  ASSERT_TRUE(store_->SetMemberRole("w1", bob.id, Role::kOwner, std::nullopt).ok());
  ASSERT_TRUE(store_->SetMemberRole("w1", ada.id, Role::kViewer, std::nullopt).ok());
  EXPECT_EQ(store_->GetMembership("w1", ada.id)->role, Role::kViewer);
  ExpectError(store_->RemoveMember("w1", bob.id, std::nullopt), ErrorCode::kConflict, "user_id");
  ASSERT_TRUE(store_->RemoveMember("w1", ada.id, std::nullopt).ok());
  EXPECT_EQ(store_->GetMembership("w1", ada.id).status().code(), ErrorCode::kNotFound);

  EXPECT_EQ(store_->SetMemberRole("w1", ada.id, Role::kAdmin, std::nullopt).code(),
            ErrorCode::kNotFound);
  EXPECT_EQ(store_->RemoveMember("w1", ada.id, std::nullopt).code(), ErrorCode::kNotFound);
  EXPECT_EQ(store_->RemoveMember("nope", bob.id, std::nullopt).code(), ErrorCode::kNotFound);
}

TEST_F(SqliteAccountStoreTest, ARoleChangedMeanwhileRefusesTheChange) {
  const User ada = CreatedUser("ada@example.com");
  const User bob = CreatedUser("bob@example.com");
  Added("w1", ada, Role::kOwner);
  Added("w1", bob, Role::kMember);
  // An admin checked bob as a member; an owner made him owner meanwhile.
  ASSERT_TRUE(store_->SetMemberRole("w1", bob.id, Role::kOwner, Role::kMember).ok());
  ExpectError(store_->SetMemberRole("w1", bob.id, Role::kViewer, Role::kMember),
              ErrorCode::kConflict, "role");
  ExpectError(store_->RemoveMember("w1", bob.id, Role::kMember), ErrorCode::kConflict, "user_id");
  EXPECT_EQ(store_->GetMembership("w1", bob.id)->role, Role::kOwner);
  // Against the role as it is, both go through.
  ASSERT_TRUE(store_->SetMemberRole("w1", bob.id, Role::kAdmin, Role::kOwner).ok());
  ASSERT_TRUE(store_->RemoveMember("w1", bob.id, Role::kAdmin).ok());
  EXPECT_EQ(store_->GetMembership("w1", bob.id).status().code(), ErrorCode::kNotFound);
}

// The rules of memberships, as simply as they can be said.
class MembershipModel {
 public:
  enum class Op { kAdd, kSetRole, kRemove };

  ErrorCode Apply(Op op, const std::string& workspace, const std::string& user, Role role,
                  TimePoint at) {
    const auto key = std::make_pair(workspace, user);
    const auto found = members_.find(key);
    switch (op) {
      case Op::kAdd:
        if (found != members_.end()) return ErrorCode::kConflict;
        members_[key] = {role, at};
        return ErrorCode::kOk;
      case Op::kSetRole:
        if (found == members_.end()) return ErrorCode::kNotFound;
        if (found->second.first == Role::kOwner && role != Role::kOwner && Owners(workspace) == 1) {
          return ErrorCode::kConflict;
        }
        found->second.first = role;
        return ErrorCode::kOk;
      case Op::kRemove:
        if (found == members_.end()) return ErrorCode::kNotFound;
        if (found->second.first == Role::kOwner && Owners(workspace) == 1) {
          return ErrorCode::kConflict;
        }
        members_.erase(found);
        return ErrorCode::kOk;
    }
    return ErrorCode::kInternal;
  }

  int Owners(const std::string& workspace) const {
    int owners = 0;
    for (const auto& [key, value] : members_) {
      owners += key.first == workspace && value.first == Role::kOwner;
    }
    return owners;
  }
  std::optional<Membership> Get(const std::string& workspace, const std::string& user) const {
    const auto found = members_.find({workspace, user});
    if (found == members_.end()) return std::nullopt;
    return Membership{workspace, user, found->second.first, found->second.second};
  }
  friend bool operator==(const MembershipModel&, const MembershipModel&) = default;

 private:
  // (workspace, user) -> (role, created_at)
  std::map<std::pair<std::string, std::string>, std::pair<Role, TimePoint>> members_;
};

Status ApplyToStore(AccountStore& store, MembershipModel::Op op, const std::string& workspace,
                    const std::string& user, Role role, TimePoint at) {
  switch (op) {
    case MembershipModel::Op::kAdd:
      return store.AddMember({workspace, user, role, at});
    case MembershipModel::Op::kSetRole:
      return store.SetMemberRole(workspace, user, role, std::nullopt);
    case MembershipModel::Op::kRemove:
      return store.RemoveMember(workspace, user, std::nullopt);
  }
  return Status::Internal("unknown op");
}

TEST_F(SqliteAccountStoreTest, MembershipsFollowAReferenceModel) {
  constexpr int kSteps = 2000;
  const std::vector<std::string> workspaces = {"w1", "w2", "w3"};
  ASSERT_TRUE(meta_->CreateWorkspace({"w3", "third", kT0}).ok());
  const std::map<std::string, std::string> names = {
      {"w1", "demo"}, {"w2", "another"}, {"w3", "third"}};
  std::vector<User> users;
  for (int i = 0; i < 5; ++i) users.push_back(CreatedUser(fmt::format("u{}@example.com", i)));
  const std::array<Role, 4> roles = {Role::kOwner, Role::kAdmin, Role::kMember, Role::kViewer};

  for (const uint32_t seed : {1u, 2u, 3u}) {
    SCOPED_TRACE(fmt::format("seed {}", seed));
    // A fresh database per seed: each walk starts from no memberships.
    MembershipModel model;
    testing::TempDir dir;
    const std::string path = dir.File("meta.sqlite");
    auto meta = testing::OpenMigratedSqliteMetaStore(path);
    ASSERT_NE(meta, nullptr);
    for (const std::string& workspace : workspaces) {
      ASSERT_TRUE(meta->CreateWorkspace({workspace, names.at(workspace), kT0}).ok());
    }
    auto opened = OpenSqliteAccountStore(path);
    ASSERT_TRUE(opened.ok());
    SqliteAccountStore& store = **opened;
    for (const User& user : users) ASSERT_TRUE(store.CreateUser(user).ok());

    std::mt19937 random(seed);
    int successes = 0;
    int conflicts = 0;
    for (int step = 0; step < kSteps; ++step) {
      clock_.Advance(1ms);
      // Adds are rarer than changes, so workspaces fill up and empty again.
      const int pick = std::uniform_int_distribution<int>(0, 9)(random);
      const auto op = pick < 3   ? MembershipModel::Op::kAdd
                      : pick < 7 ? MembershipModel::Op::kSetRole
                                 : MembershipModel::Op::kRemove;
      const std::string& workspace = workspaces[random() % workspaces.size()];
      const std::string& user = users[random() % users.size()].id;
      // Owners often, so the last-owner rule comes up.
      const Role role = roles[random() % roles.size()];
      const ErrorCode expected = model.Apply(op, workspace, user, role, clock_.Now());
      const Status status = ApplyToStore(store, op, workspace, user, role, clock_.Now());
      ASSERT_EQ(status.code(), expected) << "step " << step << ": " << status.ToString();
      successes += expected == ErrorCode::kOk;
      conflicts += expected == ErrorCode::kConflict;

      for (const std::string& w : workspaces) {
        std::vector<Member> expected_members;
        for (const User& u : users) {
          if (auto membership = model.Get(w, u.id)) {
            expected_members.push_back({*membership, u.email});
          }
          auto actual = store.GetMembership(w, u.id);
          if (auto membership = model.Get(w, u.id)) {
            ASSERT_TRUE(actual.ok()) << "step " << step;
            ASSERT_EQ(*actual, *membership) << "step " << step;
          } else {
            ASSERT_EQ(actual.status().code(), ErrorCode::kNotFound) << "step " << step;
          }
        }
        std::sort(expected_members.begin(), expected_members.end(),
                  [](const Member& a, const Member& b) {
                    return std::tie(a.membership.created_at, a.membership.user_id) <
                           std::tie(b.membership.created_at, b.membership.user_id);
                  });
        ASSERT_EQ(*store.ListMembers(w), expected_members) << "step " << step;
      }
      for (const User& u : users) {
        std::vector<UserWorkspace> expected_workspaces;
        for (const std::string& w : workspaces) {
          if (auto membership = model.Get(w, u.id)) {
            expected_workspaces.push_back({w, names.at(w), membership->role});
          }
        }
        std::sort(expected_workspaces.begin(), expected_workspaces.end(),
                  [](const UserWorkspace& a, const UserWorkspace& b) {
                    return a.workspace_name < b.workspace_name;
                  });
        ASSERT_EQ(*store.ListUserWorkspaces(u.id), expected_workspaces) << "step " << step;
      }
    }
    // The walk went through both outcomes often enough to mean something.
    EXPECT_GT(successes, kSteps / 4);
    EXPECT_GT(conflicts, kSteps / 20);
  }
}

// Four connections change the two owners of a workspace at once. Whatever
// the order, the outcomes are those of some serial order, and the workspace
// keeps an owner.
TEST_F(SqliteAccountStoreTest, ConcurrentOwnerChangesKeepAnOwner) {
  using Op = MembershipModel::Op;
  struct Change {
    Op op;
    int owner;  // 0 or 1
  };
  const std::array<Change, 4> changes = {
      {{Op::kSetRole, 0}, {Op::kRemove, 0}, {Op::kSetRole, 1}, {Op::kRemove, 1}}};
  std::vector<std::unique_ptr<SqliteAccountStore>> stores;
  for (size_t i = 0; i < changes.size(); ++i) stores.push_back(Open());

  for (int round = 0; round < 20; ++round) {
    SCOPED_TRACE(fmt::format("round {}", round));
    const std::string workspace = fmt::format("r{}", round);
    ASSERT_TRUE(meta_->CreateWorkspace({workspace, workspace, kT0}).ok());
    const std::array<User, 2> owners = {CreatedUser(fmt::format("a{}@example.com", round)),
                                        CreatedUser(fmt::format("b{}@example.com", round))};
    MembershipModel initial;
    for (const User& owner : owners) {
      const Membership membership = Added(workspace, owner, Role::kOwner);
      ASSERT_EQ(initial.Apply(Op::kAdd, workspace, owner.id, Role::kOwner, membership.created_at),
                ErrorCode::kOk);
    }

    std::array<ErrorCode, 4> outcomes{};
    std::latch start(changes.size());
    std::vector<std::thread> threads;
    for (size_t i = 0; i < changes.size(); ++i) {
      threads.emplace_back([&, i] {
        start.arrive_and_wait();
        outcomes[i] = ApplyToStore(*stores[i], changes[i].op, workspace,
                                   owners[changes[i].owner].id, Role::kAdmin, kT0)
                          .code();
      });
    }
    for (auto& thread : threads) thread.join();

    // Some serial order gives the same outcomes and the same memberships.
    std::array<int, 4> order = {0, 1, 2, 3};
    bool explained = false;
    do {
      MembershipModel model = initial;
      std::array<ErrorCode, 4> serial{};
      for (const int i : order) {
        serial[i] =
            model.Apply(changes[i].op, workspace, owners[changes[i].owner].id, Role::kAdmin, kT0);
      }
      bool same = serial == outcomes;
      for (const User& owner : owners) {
        const auto expected = model.Get(workspace, owner.id);
        auto actual = store_->GetMembership(workspace, owner.id);
        same = same && actual.ok() == expected.has_value() &&
               (!expected || actual->role == expected->role);
      }
      explained = explained || same;
    } while (!explained && std::next_permutation(order.begin(), order.end()));
    EXPECT_TRUE(explained) << "outcomes " << static_cast<int>(outcomes[0]) << " "
                           << static_cast<int>(outcomes[1]) << " " << static_cast<int>(outcomes[2])
                           << " " << static_cast<int>(outcomes[3]);
    int remaining_owners = 0;
    auto members = store_->ListMembers(workspace);
    ASSERT_TRUE(members.ok()) << members.status().ToString();
    for (const Member& member : *members) {
      remaining_owners += member.membership.role == Role::kOwner;
    }
    EXPECT_EQ(remaining_owners, 1);
    // Both owners' both changes cannot all fail: one of them went.
    EXPECT_GE(std::count(outcomes.begin(), outcomes.end(), ErrorCode::kOk), 1);
  }
}

// --- Sessions ----------------------------------------------------------------

TEST_F(SqliteAccountStoreTest, SessionsAreFoundByTokenHash) {
  const User ada = CreatedUser("ada@example.com");
  Session session = NewSession(ada, std::string(64, 'a'), kT0 + 24h);
  session.kind = SessionKind::kCookie;
  ASSERT_TRUE(store_->CreateSession(session).ok());
  const Session token = CreatedSession(ada, std::string(64, 'b'), kT0 + 24h);

  EXPECT_EQ(*store_->FindSessionByTokenHash(std::string(64, 'a')), session);
  EXPECT_EQ(*store_->FindSessionByTokenHash(std::string(64, 'b')), token);
  EXPECT_EQ(store_->FindSessionByTokenHash(std::string(64, 'c')).status().code(),
            ErrorCode::kNotFound);

  // Revoked and expired ones are found too: the caller decides.
  ASSERT_TRUE(store_->RevokeSession(ada.id, session.id, kT0 + 1h).ok());
  auto revoked = store_->FindSessionByTokenHash(std::string(64, 'a'));
  ASSERT_TRUE(revoked.ok());
  EXPECT_EQ(revoked->revoked_at, kT0 + 1h);
  EXPECT_FALSE(revoked->ActiveAt(kT0 + 2h));
}

TEST_F(SqliteAccountStoreTest, CreateSessionNamesWhatIsMissingOrTaken) {
  const User ada = CreatedUser("ada@example.com");
  User ghost = NewUser("ghost@example.com");  // never stored
  ExpectError(store_->CreateSession(NewSession(ghost, std::string(64, 'a'), kT0 + 1h)),
              ErrorCode::kNotFound, "user_id");
  const Session session = CreatedSession(ada, std::string(64, 'a'), kT0 + 1h);
  ExpectError(store_->CreateSession(NewSession(ada, std::string(64, 'a'), kT0 + 1h)),
              ErrorCode::kConflict, "token_hash");
  Session same_id = NewSession(ada, std::string(64, 'b'), kT0 + 1h);
  same_id.id = session.id;
  const Status taken = store_->CreateSession(same_id);
  ExpectError(taken, ErrorCode::kConflict, "id");
}

TEST_F(SqliteAccountStoreTest, ListsActiveSessionsNewestFirst) {
  const User ada = CreatedUser("ada@example.com");
  const User bob = CreatedUser("bob@example.com");
  const Session first = CreatedSession(ada, std::string(64, '1'), kT0 + 2h);
  const Session expires = CreatedSession(ada, std::string(64, '2'), kT0 + 1h);
  const Session revoked = CreatedSession(ada, std::string(64, '3'), kT0 + 2h);
  const Session last = CreatedSession(ada, std::string(64, '4'), kT0 + 2h);
  CreatedSession(bob, std::string(64, '5'), kT0 + 2h);
  ASSERT_TRUE(store_->RevokeSession(ada.id, revoked.id, kT0 + 1min).ok());

  EXPECT_EQ(ActiveIds(ada, kT0 + 30min), (std::vector<std::string>{last.id, expires.id, first.id}));
  // Expiry is exclusive: at expires_at the session is over.
  EXPECT_EQ(ActiveIds(ada, kT0 + 1h - 1ms),
            (std::vector<std::string>{last.id, expires.id, first.id}));
  EXPECT_EQ(ActiveIds(ada, kT0 + 1h), (std::vector<std::string>{last.id, first.id}));
  EXPECT_TRUE(ActiveIds(ada, kT0 + 2h).empty());
  auto listed = store_->ListActiveSessions(ada.id, kT0);
  ASSERT_TRUE(listed.ok());
  EXPECT_EQ(listed->front(), last);
}

TEST_F(SqliteAccountStoreTest, RevokingASessionKeepsTheFirstTime) {
  const User ada = CreatedUser("ada@example.com");
  const User bob = CreatedUser("bob@example.com");
  const Session session = CreatedSession(ada, std::string(64, 'a'), kT0 + 2h);
  // Only its user may revoke it.
  EXPECT_EQ(store_->RevokeSession(bob.id, session.id, kT0).code(), ErrorCode::kNotFound);
  EXPECT_EQ(store_->RevokeSession(ada.id, "nope", kT0).code(), ErrorCode::kNotFound);
  EXPECT_TRUE(store_->FindSessionByTokenHash(session.token_hash)->ActiveAt(kT0 + 1h));

  ASSERT_TRUE(store_->RevokeSession(ada.id, session.id, kT0 + 1min).ok());
  ASSERT_TRUE(store_->RevokeSession(ada.id, session.id, kT0 + 5min).ok());
  EXPECT_EQ(store_->FindSessionByTokenHash(session.token_hash)->revoked_at, kT0 + 1min);
}

TEST_F(SqliteAccountStoreTest, RevokesAllOfAUsersSessionsButOne) {
  const User ada = CreatedUser("ada@example.com");
  const User bob = CreatedUser("bob@example.com");
  const Session keep = CreatedSession(ada, std::string(64, '1'), kT0 + 2h);
  const Session other = CreatedSession(ada, std::string(64, '2'), kT0 + 2h);
  const Session already = CreatedSession(ada, std::string(64, '3'), kT0 + 2h);
  const Session expired = CreatedSession(ada, std::string(64, '4'), kT0 + 1min);
  const Session bobs = CreatedSession(bob, std::string(64, '5'), kT0 + 2h);
  ASSERT_TRUE(store_->RevokeSession(ada.id, already.id, kT0 + 1min).ok());

  auto revoked = store_->RevokeUserSessions(ada.id, keep.id, kT0 + 10min);
  ASSERT_TRUE(revoked.ok()) << revoked.status().ToString();
  EXPECT_EQ(*revoked, 1);  // only `other` was active
  EXPECT_EQ(store_->FindSessionByTokenHash(other.token_hash)->revoked_at, kT0 + 10min);
  EXPECT_EQ(store_->FindSessionByTokenHash(already.token_hash)->revoked_at, kT0 + 1min);
  EXPECT_FALSE(store_->FindSessionByTokenHash(expired.token_hash)->revoked_at.has_value());
  EXPECT_EQ(ActiveIds(ada, kT0 + 10min), (std::vector<std::string>{keep.id}));
  EXPECT_EQ(ActiveIds(bob, kT0 + 10min), (std::vector<std::string>{bobs.id}));

  EXPECT_EQ(*store_->RevokeUserSessions(ada.id, "", kT0 + 11min), 1);
  EXPECT_TRUE(ActiveIds(ada, kT0 + 11min).empty());
  EXPECT_EQ(*store_->RevokeUserSessions(ada.id, "", kT0 + 12min), 0);
}

TEST_F(SqliteAccountStoreTest, DeletesSessionsThatEndedBefore) {
  const User ada = CreatedUser("ada@example.com");
  const Session expired = CreatedSession(ada, std::string(64, '1'), kT0 + 1h);
  const Session revoked = CreatedSession(ada, std::string(64, '2'), kT0 + 3h);
  const Session active = CreatedSession(ada, std::string(64, '3'), kT0 + 3h);
  const Session revoked_late = CreatedSession(ada, std::string(64, '4'), kT0 + 3h);
  ASSERT_TRUE(store_->RevokeSession(ada.id, revoked.id, kT0 + 30min).ok());
  ASSERT_TRUE(store_->RevokeSession(ada.id, revoked_late.id, kT0 + 2h).ok());

  auto deleted = store_->DeleteSessionsEndedBefore(kT0 + 90min);
  ASSERT_TRUE(deleted.ok()) << deleted.status().ToString();
  EXPECT_EQ(*deleted, 2);
  EXPECT_EQ(store_->FindSessionByTokenHash(expired.token_hash).status().code(),
            ErrorCode::kNotFound);
  EXPECT_EQ(store_->FindSessionByTokenHash(revoked.token_hash).status().code(),
            ErrorCode::kNotFound);
  EXPECT_TRUE(store_->FindSessionByTokenHash(active.token_hash).ok());
  EXPECT_TRUE(store_->FindSessionByTokenHash(revoked_late.token_hash).ok());
  EXPECT_EQ(*store_->DeleteSessionsEndedBefore(kT0 + 90min), 0);
}

}  // namespace
}  // namespace cdp
