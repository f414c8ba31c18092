#pragma once

#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include "core/clock.h"
#include "core/result.h"

namespace cdp {

// What a member may do in a workspace (auth/permission.h maps roles to
// permissions): owners and admins administer, members build and read,
// viewers read. Only owners make or unmake owners, and a workspace always
// keeps at least one owner.
enum class Role {
  kOwner,
  kAdmin,
  kMember,
  kViewer,
};

// "owner" / "admin" / "member" / "viewer": the spelling of storage and API.
std::string_view RoleName(Role role);
// The role of that spelling; nullopt for any other text.
std::optional<Role> ParseRole(std::string_view name);

// The longest email address accepted (RFC 5321's path limit), in bytes.
inline constexpr size_t kMaxEmailBytes = 254;

// A person who signs in.
struct User {
  std::string id;  // UUIDv7
  // Normalized by the caller (auth::NormalizeEmail): trimmed and lower-case,
  // so that it is unique whatever the case it is typed in.
  std::string email;
  // libsodium's argon2id string (auth/password.h); never leaves the server.
  std::string password_hash;
  // Set for a one-time password (first run, a member added by an admin, a
  // reset): the user must choose a new password before doing anything else.
  bool password_change_required = false;
  TimePoint created_at;
  TimePoint password_changed_at;
  // Consecutive failed logins since the last success.
  int failed_logins = 0;
  // Login is refused until then (a lockout after repeated failures).
  std::optional<TimePoint> locked_until;

  friend bool operator==(const User&, const User&) = default;
};

// A user's place in a workspace.
struct Membership {
  std::string workspace_id;
  std::string user_id;
  Role role = Role::kViewer;
  TimePoint created_at;

  friend bool operator==(const Membership&, const Membership&) = default;
};

// A membership with the user's email, for member listings.
struct Member {
  Membership membership;
  std::string email;

  friend bool operator==(const Member&, const Member&) = default;
};

// A membership with the workspace's name, for "my workspaces".
struct UserWorkspace {
  std::string workspace_id;
  std::string workspace_name;
  Role role = Role::kViewer;

  friend bool operator==(const UserWorkspace&, const UserWorkspace&) = default;
};

enum class SessionKind {
  kCookie,  // the console's HttpOnly cookie
  kToken,   // a bearer token for API use
};
// "cookie" / "token".
std::string_view SessionKindName(SessionKind kind);

// A signed-in session. Only the token's hash is stored (as for secret keys):
// the token itself is given to the client once, at login.
struct Session {
  std::string id;  // UUIDv7: what listings and revocations name
  std::string user_id;
  std::string token_hash;  // lower-case hex SHA-256 of the token
  SessionKind kind = SessionKind::kCookie;
  TimePoint created_at;
  TimePoint expires_at;
  std::optional<TimePoint> revoked_at;
  std::string ip;          // the client's address at login
  std::string user_agent;  // at login, at most 256 bytes

  // Usable at `now`: neither revoked (a revocation is immediate) nor expired.
  bool ActiveAt(TimePoint now) const { return !revoked_at && now < expires_at; }
  friend bool operator==(const Session&, const Session&) = default;
};

// Users, workspace memberships and sessions. Implemented next to the
// MetaStore (same database: memberships reference workspaces).
//
// Thread safety: all methods are safe to call concurrently from any thread.
// Times are stored with millisecond precision.
// Errors: as documented per method; Unavailable when the database is busy or
// unreachable; Internal otherwise.
class AccountStore {
 public:
  AccountStore() = default;
  AccountStore(const AccountStore&) = delete;
  AccountStore& operator=(const AccountStore&) = delete;
  virtual ~AccountStore() = default;

  // --- Users
  // Conflict (field "email") when a user has this email; Conflict (field
  // "id") when the id is taken.
  virtual Status CreateUser(const User& user) = 0;
  // NotFound when unknown.
  virtual Result<User> GetUser(std::string_view user_id) = 0;
  // By normalized email. NotFound when unknown.
  virtual Result<User> FindUserByEmail(std::string_view email) = 0;
  // Every user, oldest first.
  virtual Result<std::vector<User>> ListUsers() = 0;
  // Replaces the password hash and the change-required flag, sets
  // password_changed_at, and clears failed_logins and locked_until.
  // NotFound when unknown.
  virtual Status SetPassword(std::string_view user_id, std::string_view password_hash,
                             bool change_required, TimePoint at) = 0;
  // Counts a failed login, atomically: failed_logins + 1; when that reaches
  // `lock_after`, the account is locked until `lock_until` and the count
  // starts again from 0. Returns the user as updated. NotFound when unknown.
  virtual Result<User> RecordFailedLogin(std::string_view user_id, int lock_after,
                                         TimePoint lock_until) = 0;
  // A successful login: failed_logins = 0, locked_until cleared.
  // NotFound when unknown.
  virtual Status RecordSuccessfulLogin(std::string_view user_id) = 0;

  // --- Memberships
  // NotFound (field "workspace_id" or "user_id") when either does not exist;
  // Conflict (field "user_id") when the user is already a member.
  virtual Status AddMember(const Membership& membership) = 0;
  // Creates the user and makes them a member, atomically (an admin adding a
  // new person). Errors as CreateUser and AddMember.
  // REQUIRES: membership.user_id == user.id.
  virtual Status CreateUserAsMember(const User& user, const Membership& membership) = 0;
  // NotFound when the user is not a member of the workspace (or either is
  // unknown).
  virtual Result<Membership> GetMembership(std::string_view workspace_id,
                                           std::string_view user_id) = 0;
  // The workspace's members with their emails, oldest membership first.
  // NotFound (field "workspace_id") when the workspace does not exist.
  virtual Result<std::vector<Member>> ListMembers(std::string_view workspace_id) = 0;
  // The workspaces the user belongs to, by workspace name.
  virtual Result<std::vector<UserWorkspace>> ListUserWorkspaces(std::string_view user_id) = 0;
  // Changes a member's role. NotFound when not a member; Conflict (field
  // "role") when it would leave the workspace without an owner, or when
  // `expected` is given and the member's role is no longer that (someone
  // changed it since the caller checked what it may do to this member).
  // Atomic: two concurrent demotions of the last two owners cannot both
  // succeed.
  virtual Status SetMemberRole(std::string_view workspace_id, std::string_view user_id, Role role,
                               std::optional<Role> expected) = 0;
  // Removes a member. NotFound when not a member; Conflict (field "user_id")
  // when they are the workspace's last owner, or when `expected` is given
  // and their role is no longer that. Atomic as SetMemberRole.
  virtual Status RemoveMember(std::string_view workspace_id, std::string_view user_id,
                              std::optional<Role> expected) = 0;

  // --- Sessions
  // NotFound (field "user_id") when the user does not exist; Conflict (field
  // "id" or "token_hash") when taken.
  virtual Status CreateSession(const Session& session) = 0;
  // The session whose token hashes to `token_hash`, revoked or expired ones
  // included (the caller decides). NotFound when unknown.
  virtual Result<Session> FindSessionByTokenHash(std::string_view token_hash) = 0;
  // The user's sessions that are active at `now`, newest first.
  virtual Result<std::vector<Session>> ListActiveSessions(std::string_view user_id,
                                                          TimePoint now) = 0;
  // Revokes one of the user's sessions at `at`; revoking a revoked session
  // succeeds and keeps the first time. NotFound when the user has no session
  // of that id.
  virtual Status RevokeSession(std::string_view user_id, std::string_view session_id,
                               TimePoint at) = 0;
  // Revokes every active session of the user except `keep_session_id` (may
  // be empty: all). Returns how many were revoked.
  virtual Result<int> RevokeUserSessions(std::string_view user_id, std::string_view keep_session_id,
                                         TimePoint at) = 0;
  // Deletes sessions that expired or were revoked before `before` (house
  // keeping). Returns how many went.
  virtual Result<int> DeleteSessionsEndedBefore(TimePoint before) = 0;
};

}  // namespace cdp
