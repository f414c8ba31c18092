#pragma once

#include <memory>
#include <mutex>
#include <string>
#include <string_view>
#include <vector>

#include "core/result.h"
#include "meta/account_store.h"

namespace cdp {

class SqliteConnection;

// AccountStore on the SQLite metadata database: tables users,
// workspace_members and sessions (migration 0007).
//
// It holds its own connection to the metadata file, like SqliteQueryLibrary:
// logins and session checks never queue behind the ingestion path's calls on
// SqliteMetaStore's connection. The rules that span rows (a workspace keeps
// an owner) are checked and applied in one BEGIN IMMEDIATE transaction, so
// they hold across connections and processes too.
// Thread safety: as the interface; one call at a time on the connection.
class SqliteAccountStore final : public AccountStore {
 public:
  // Use OpenSqliteAccountStore(); this is for callers holding a connection.
  explicit SqliteAccountStore(std::unique_ptr<SqliteConnection> connection);
  ~SqliteAccountStore() override;

  Status CreateUser(const User& user) override;
  Result<User> GetUser(std::string_view user_id) override;
  Result<User> FindUserByEmail(std::string_view email) override;
  Result<std::vector<User>> ListUsers() override;
  Status SetPassword(std::string_view user_id, std::string_view password_hash, bool change_required,
                     TimePoint at) override;
  Result<User> RecordFailedLogin(std::string_view user_id, int lock_after,
                                 TimePoint lock_until) override;
  Status RecordSuccessfulLogin(std::string_view user_id) override;

  Status AddMember(const Membership& membership) override;
  Status CreateUserAsMember(const User& user, const Membership& membership) override;
  Result<Membership> GetMembership(std::string_view workspace_id,
                                   std::string_view user_id) override;
  Result<std::vector<Member>> ListMembers(std::string_view workspace_id) override;
  Result<std::vector<UserWorkspace>> ListUserWorkspaces(std::string_view user_id) override;
  Status SetMemberRole(std::string_view workspace_id, std::string_view user_id, Role role,
                       std::optional<Role> expected) override;
  Status RemoveMember(std::string_view workspace_id, std::string_view user_id,
                      std::optional<Role> expected) override;

  Status CreateSession(const Session& session) override;
  Result<Session> FindSessionByTokenHash(std::string_view token_hash) override;
  Result<std::vector<Session>> ListActiveSessions(std::string_view user_id, TimePoint now) override;
  Status RevokeSession(std::string_view user_id, std::string_view session_id,
                       TimePoint at) override;
  Result<int> RevokeUserSessions(std::string_view user_id, std::string_view keep_session_id,
                                 TimePoint at) override;
  Result<int> DeleteSessionsEndedBefore(TimePoint before) override;

 private:
  // The helpers below REQUIRE mutex_ held.
  Status InsertUser(const User& user);
  // Inside an open transaction: the workspace and the user exist.
  Status InsertMember(const Membership& membership);
  Result<User> ReadUser(std::string_view column, std::string_view value);
  // The member's role, NotFound when not a member.
  Result<Role> ReadRole(std::string_view workspace_id, std::string_view user_id);
  Result<int64_t> CountOwners(std::string_view workspace_id);

  std::mutex mutex_;
  std::unique_ptr<SqliteConnection> connection_;  // guarded by mutex_
};

// Opens (creating it and its parent directory if missing) the SQLite metadata
// database at `path` for accounts. It does not migrate: see
// OpenSqliteMetaStore.
Result<std::unique_ptr<SqliteAccountStore>> OpenSqliteAccountStore(const std::string& path);

}  // namespace cdp
