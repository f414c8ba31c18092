// Accounts on SQLite: tables users, workspace_members and sessions (migration
// 0007). Times are ISO-8601 text with milliseconds (FormatIso8601), whose
// fixed width makes text order the time order, so the session queries compare
// them in SQL.

#include "meta/sqlite/sqlite_account_store.h"

#include <fmt/format.h>

#include <cassert>
#include <utility>

#include "meta/sqlite/sqlite_connection.h"
#include "meta/sqlite/sqlite_values.h"

namespace cdp {

namespace {

constexpr char kUserColumns[] =
    "SELECT id, email, password_hash, password_change_required, created_at, password_changed_at, "
    "failed_logins, locked_until FROM users ";
constexpr char kSessionColumns[] =
    "SELECT id, user_id, token_hash, kind, created_at, expires_at, revoked_at, ip, user_agent "
    "FROM sessions ";

Status UserNotFound(std::string_view user_id) {
  return Status::NotFound(fmt::format("user {} not found", user_id));
}

Status NotAMember(std::string_view workspace_id, std::string_view user_id) {
  return Status::NotFound(
      fmt::format("user {} is not a member of workspace {}", user_id, workspace_id));
}

Result<std::optional<TimePoint>> ReadOptionalTime(const SqliteStatement& row, int column,
                                                  std::string_view name) {
  if (!row.ColumnOptionalText(column).has_value()) return std::optional<TimePoint>();
  CDP_ASSIGN_OR_RETURN(TimePoint time, ReadTime(row, column, name));
  return std::optional<TimePoint>(time);
}

std::optional<std::string> OptionalTimeText(const std::optional<TimePoint>& time) {
  if (!time.has_value()) return std::nullopt;
  return FormatIso8601(*time);
}

Result<Role> ReadRoleColumn(const SqliteStatement& row, int column) {
  const std::string text = row.ColumnText(column);
  const std::optional<Role> role = ParseRole(text);
  if (!role)
    return Status::Internal(fmt::format("workspace_members.role is not a role: '{}'", text));
  return *role;
}

// Columns in kUserColumns order.
Result<User> ReadUserRow(const SqliteStatement& row) {
  User user;
  user.id = row.ColumnText(0);
  user.email = row.ColumnText(1);
  user.password_hash = row.ColumnText(2);
  user.password_change_required = row.ColumnInt64(3) != 0;
  CDP_ASSIGN_OR_RETURN(user.created_at, ReadTime(row, 4, "users.created_at"));
  CDP_ASSIGN_OR_RETURN(user.password_changed_at, ReadTime(row, 5, "users.password_changed_at"));
  user.failed_logins = static_cast<int>(row.ColumnInt64(6));
  CDP_ASSIGN_OR_RETURN(user.locked_until, ReadOptionalTime(row, 7, "users.locked_until"));
  return user;
}

// Columns in kSessionColumns order.
Result<Session> ReadSessionRow(const SqliteStatement& row) {
  Session session;
  session.id = row.ColumnText(0);
  session.user_id = row.ColumnText(1);
  session.token_hash = row.ColumnText(2);
  const std::string kind = row.ColumnText(3);
  if (kind == SessionKindName(SessionKind::kCookie)) {
    session.kind = SessionKind::kCookie;
  } else if (kind == SessionKindName(SessionKind::kToken)) {
    session.kind = SessionKind::kToken;
  } else {
    return Status::Internal(fmt::format("sessions.kind is not a session kind: '{}'", kind));
  }
  CDP_ASSIGN_OR_RETURN(session.created_at, ReadTime(row, 4, "sessions.created_at"));
  CDP_ASSIGN_OR_RETURN(session.expires_at, ReadTime(row, 5, "sessions.expires_at"));
  CDP_ASSIGN_OR_RETURN(session.revoked_at, ReadOptionalTime(row, 6, "sessions.revoked_at"));
  session.ip = row.ColumnText(7);
  session.user_agent = row.ColumnText(8);
  return session;
}

// Whether a row of `sql` (one parameter, `value`) exists.
Result<bool> Exists(SqliteConnection& connection, std::string_view sql, std::string_view value) {
  CDP_ASSIGN_OR_RETURN(auto select, connection.Prepare(sql));
  CDP_RETURN_IF_ERROR(select.BindText(1, value));
  return select.Step();
}

}  // namespace

SqliteAccountStore::SqliteAccountStore(std::unique_ptr<SqliteConnection> connection)
    : connection_(std::move(connection)) {}

SqliteAccountStore::~SqliteAccountStore() = default;

// --- Users -------------------------------------------------------------------

Status SqliteAccountStore::InsertUser(const User& user) {
  CDP_ASSIGN_OR_RETURN(
      auto insert,
      connection_->Prepare("INSERT INTO users (id, email, password_hash, password_change_required, "
                           "created_at, password_changed_at, failed_logins, locked_until) "
                           "VALUES (?1, ?2, ?3, ?4, ?5, ?6, ?7, ?8)"));
  CDP_RETURN_IF_ERROR(insert.BindText(1, user.id));
  CDP_RETURN_IF_ERROR(insert.BindText(2, user.email));
  CDP_RETURN_IF_ERROR(insert.BindText(3, user.password_hash));
  CDP_RETURN_IF_ERROR(insert.BindInt64(4, user.password_change_required ? 1 : 0));
  CDP_RETURN_IF_ERROR(insert.BindText(5, FormatIso8601(user.created_at)));
  CDP_RETURN_IF_ERROR(insert.BindText(6, FormatIso8601(user.password_changed_at)));
  CDP_RETURN_IF_ERROR(insert.BindInt64(7, user.failed_logins));
  const std::optional<std::string> locked_until = OptionalTimeText(user.locked_until);
  CDP_RETURN_IF_ERROR(insert.BindOptionalText(8, locked_until));
  const Status status = insert.Run();
  if (status.code() == ErrorCode::kConflict) {
    // The constraint's column: "email" (UNIQUE) or "id" (PRIMARY KEY).
    if (status.field() == "email") {
      return Reword(status, "a user with this email already exists", "email");
    }
    return Reword(status, fmt::format("a user with id {} already exists", user.id), "id");
  }
  return status;
}

Status SqliteAccountStore::CreateUser(const User& user) {
  std::lock_guard lock(mutex_);
  return InsertUser(user);
}

Result<User> SqliteAccountStore::ReadUser(std::string_view column, std::string_view value) {
  CDP_ASSIGN_OR_RETURN(auto select,
                       connection_->Prepare(fmt::format("{}WHERE {} = ?1", kUserColumns, column)));
  CDP_RETURN_IF_ERROR(select.BindText(1, value));
  CDP_ASSIGN_OR_RETURN(const bool found, select.Step());
  if (!found) {
    if (column == "email") return Status::NotFound("no user has this email");
    return UserNotFound(value);
  }
  return ReadUserRow(select);
}

Result<User> SqliteAccountStore::GetUser(std::string_view user_id) {
  std::lock_guard lock(mutex_);
  return ReadUser("id", user_id);
}

Result<User> SqliteAccountStore::FindUserByEmail(std::string_view email) {
  std::lock_guard lock(mutex_);
  return ReadUser("email", email);
}

Result<std::vector<User>> SqliteAccountStore::ListUsers() {
  std::lock_guard lock(mutex_);
  CDP_ASSIGN_OR_RETURN(auto select,
                       connection_->Prepare(std::string(kUserColumns) + "ORDER BY created_at, id"));
  std::vector<User> users;
  while (true) {
    CDP_ASSIGN_OR_RETURN(const bool row, select.Step());
    if (!row) return users;
    CDP_ASSIGN_OR_RETURN(User user, ReadUserRow(select));
    users.push_back(std::move(user));
  }
}

Status SqliteAccountStore::SetPassword(std::string_view user_id, std::string_view password_hash,
                                       bool change_required, TimePoint at) {
  std::lock_guard lock(mutex_);
  CDP_ASSIGN_OR_RETURN(auto update,
                       connection_->Prepare("UPDATE users SET password_hash = ?2, "
                                            "password_change_required = ?3, "
                                            "password_changed_at = ?4, failed_logins = 0, "
                                            "locked_until = NULL WHERE id = ?1"));
  CDP_RETURN_IF_ERROR(update.BindText(1, user_id));
  CDP_RETURN_IF_ERROR(update.BindText(2, password_hash));
  CDP_RETURN_IF_ERROR(update.BindInt64(3, change_required ? 1 : 0));
  CDP_RETURN_IF_ERROR(update.BindText(4, FormatIso8601(at)));
  CDP_RETURN_IF_ERROR(update.Run());
  if (connection_->Changes() == 0) return UserNotFound(user_id);
  return Status::Ok();
}

Result<User> SqliteAccountStore::RecordFailedLogin(std::string_view user_id, int lock_after,
                                                   TimePoint lock_until) {
  std::lock_guard lock(mutex_);
  // The count and the lock in one statement, and the row as updated read back
  // in the same transaction: concurrent failures (from other connections
  // too) each count once.
  CDP_ASSIGN_OR_RETURN(auto transaction, SqliteTransaction::Begin(*connection_));
  CDP_ASSIGN_OR_RETURN(
      auto update, connection_->Prepare("UPDATE users SET "
                                        "locked_until = CASE WHEN failed_logins + 1 >= ?2 THEN ?3 "
                                        "ELSE locked_until END, "
                                        "failed_logins = CASE WHEN failed_logins + 1 >= ?2 THEN 0 "
                                        "ELSE failed_logins + 1 END WHERE id = ?1"));
  CDP_RETURN_IF_ERROR(update.BindText(1, user_id));
  CDP_RETURN_IF_ERROR(update.BindInt64(2, lock_after));
  CDP_RETURN_IF_ERROR(update.BindText(3, FormatIso8601(lock_until)));
  CDP_RETURN_IF_ERROR(update.Run());
  if (connection_->Changes() == 0) return UserNotFound(user_id);
  CDP_ASSIGN_OR_RETURN(User user, ReadUser("id", user_id));
  CDP_RETURN_IF_ERROR(transaction.Commit());
  return user;
}

Status SqliteAccountStore::RecordSuccessfulLogin(std::string_view user_id) {
  std::lock_guard lock(mutex_);
  CDP_ASSIGN_OR_RETURN(auto update, connection_->Prepare("UPDATE users SET failed_logins = 0, "
                                                         "locked_until = NULL WHERE id = ?1"));
  CDP_RETURN_IF_ERROR(update.BindText(1, user_id));
  CDP_RETURN_IF_ERROR(update.Run());
  if (connection_->Changes() == 0) return UserNotFound(user_id);
  return Status::Ok();
}

// --- Memberships -------------------------------------------------------------

Status SqliteAccountStore::InsertMember(const Membership& membership) {
  // Checked first so that the NotFound names the missing one (a foreign key
  // failure does not say which).
  CDP_ASSIGN_OR_RETURN(
      const bool workspace,
      Exists(*connection_, "SELECT 1 FROM workspaces WHERE id = ?1", membership.workspace_id));
  if (!workspace) {
    return Status::NotFound(fmt::format("workspace {} not found", membership.workspace_id))
        .WithField("workspace_id");
  }
  CDP_ASSIGN_OR_RETURN(const bool user, Exists(*connection_, "SELECT 1 FROM users WHERE id = ?1",
                                               membership.user_id));
  if (!user) return UserNotFound(membership.user_id).WithField("user_id");
  CDP_ASSIGN_OR_RETURN(auto insert, connection_->Prepare("INSERT INTO workspace_members "
                                                         "(workspace_id, user_id, role, "
                                                         "created_at) VALUES (?1, ?2, ?3, ?4)"));
  CDP_RETURN_IF_ERROR(insert.BindText(1, membership.workspace_id));
  CDP_RETURN_IF_ERROR(insert.BindText(2, membership.user_id));
  CDP_RETURN_IF_ERROR(insert.BindText(3, RoleName(membership.role)));
  CDP_RETURN_IF_ERROR(insert.BindText(4, FormatIso8601(membership.created_at)));
  const Status status = insert.Run();
  if (status.code() == ErrorCode::kConflict) {
    return Reword(status,
                  fmt::format("user {} is already a member of workspace {}", membership.user_id,
                              membership.workspace_id),
                  "user_id");
  }
  return status;
}

Status SqliteAccountStore::AddMember(const Membership& membership) {
  std::lock_guard lock(mutex_);
  CDP_ASSIGN_OR_RETURN(auto transaction, SqliteTransaction::Begin(*connection_));
  CDP_RETURN_IF_ERROR(InsertMember(membership));
  return transaction.Commit();
}

Status SqliteAccountStore::CreateUserAsMember(const User& user, const Membership& membership) {
  assert(membership.user_id == user.id);
  std::lock_guard lock(mutex_);
  CDP_ASSIGN_OR_RETURN(auto transaction, SqliteTransaction::Begin(*connection_));
  CDP_RETURN_IF_ERROR(InsertUser(user));
  CDP_RETURN_IF_ERROR(InsertMember(membership));
  return transaction.Commit();
}

Result<Role> SqliteAccountStore::ReadRole(std::string_view workspace_id, std::string_view user_id) {
  CDP_ASSIGN_OR_RETURN(auto select, connection_->Prepare("SELECT role FROM workspace_members "
                                                         "WHERE workspace_id = ?1 AND "
                                                         "user_id = ?2"));
  CDP_RETURN_IF_ERROR(select.BindText(1, workspace_id));
  CDP_RETURN_IF_ERROR(select.BindText(2, user_id));
  CDP_ASSIGN_OR_RETURN(const bool found, select.Step());
  if (!found) return NotAMember(workspace_id, user_id);
  return ReadRoleColumn(select, 0);
}

Result<int64_t> SqliteAccountStore::CountOwners(std::string_view workspace_id) {
  CDP_ASSIGN_OR_RETURN(auto select, connection_->Prepare("SELECT count(*) FROM workspace_members "
                                                         "WHERE workspace_id = ?1 AND "
                                                         "role = 'owner'"));
  CDP_RETURN_IF_ERROR(select.BindText(1, workspace_id));
  CDP_ASSIGN_OR_RETURN(const bool row, select.Step());
  if (!row) return Status::Internal("count(*) returned no row");
  return select.ColumnInt64(0);
}

Result<Membership> SqliteAccountStore::GetMembership(std::string_view workspace_id,
                                                     std::string_view user_id) {
  std::lock_guard lock(mutex_);
  CDP_ASSIGN_OR_RETURN(auto select, connection_->Prepare("SELECT role, created_at FROM "
                                                         "workspace_members WHERE "
                                                         "workspace_id = ?1 AND user_id = ?2"));
  CDP_RETURN_IF_ERROR(select.BindText(1, workspace_id));
  CDP_RETURN_IF_ERROR(select.BindText(2, user_id));
  CDP_ASSIGN_OR_RETURN(const bool found, select.Step());
  if (!found) return NotAMember(workspace_id, user_id);
  Membership membership;
  membership.workspace_id = std::string(workspace_id);
  membership.user_id = std::string(user_id);
  CDP_ASSIGN_OR_RETURN(membership.role, ReadRoleColumn(select, 0));
  CDP_ASSIGN_OR_RETURN(membership.created_at, ReadTime(select, 1, "workspace_members.created_at"));
  return membership;
}

Result<std::vector<Member>> SqliteAccountStore::ListMembers(std::string_view workspace_id) {
  std::lock_guard lock(mutex_);
  // From the workspace, so that one statement (one snapshot) tells an unknown
  // workspace (no row) from one without members (a row of NULLs).
  CDP_ASSIGN_OR_RETURN(auto select,
                       connection_->Prepare("SELECT m.user_id, m.role, m.created_at, u.email "
                                            "FROM workspaces w LEFT JOIN (workspace_members m "
                                            "JOIN users u ON u.id = m.user_id) "
                                            "ON m.workspace_id = w.id WHERE w.id = ?1 "
                                            "ORDER BY m.created_at, m.user_id"));
  CDP_RETURN_IF_ERROR(select.BindText(1, workspace_id));
  std::vector<Member> members;
  bool workspace_found = false;
  while (true) {
    CDP_ASSIGN_OR_RETURN(const bool row, select.Step());
    if (!row) break;
    workspace_found = true;
    if (!select.ColumnOptionalText(0).has_value()) continue;  // no members
    Member member;
    member.membership.workspace_id = std::string(workspace_id);
    member.membership.user_id = select.ColumnText(0);
    CDP_ASSIGN_OR_RETURN(member.membership.role, ReadRoleColumn(select, 1));
    CDP_ASSIGN_OR_RETURN(member.membership.created_at,
                         ReadTime(select, 2, "workspace_members.created_at"));
    member.email = select.ColumnText(3);
    members.push_back(std::move(member));
  }
  if (!workspace_found) {
    return Status::NotFound(fmt::format("workspace {} not found", workspace_id))
        .WithField("workspace_id");
  }
  return members;
}

Result<std::vector<UserWorkspace>> SqliteAccountStore::ListUserWorkspaces(
    std::string_view user_id) {
  std::lock_guard lock(mutex_);
  CDP_ASSIGN_OR_RETURN(auto select, connection_->Prepare("SELECT w.id, w.name, m.role "
                                                         "FROM workspace_members m JOIN "
                                                         "workspaces w ON w.id = m.workspace_id "
                                                         "WHERE m.user_id = ?1 "
                                                         "ORDER BY w.name, w.id"));
  CDP_RETURN_IF_ERROR(select.BindText(1, user_id));
  std::vector<UserWorkspace> workspaces;
  while (true) {
    CDP_ASSIGN_OR_RETURN(const bool row, select.Step());
    if (!row) return workspaces;
    UserWorkspace workspace;
    workspace.workspace_id = select.ColumnText(0);
    workspace.workspace_name = select.ColumnText(1);
    CDP_ASSIGN_OR_RETURN(workspace.role, ReadRoleColumn(select, 2));
    workspaces.push_back(std::move(workspace));
  }
}

namespace {

// The answer when a member's role changed between the caller's check and
// its change.
Status RoleChangedMeanwhile(std::string_view field) {
  return Status::Conflict("the member's role changed meanwhile: look again and retry",
                          std::string(field));
}

}  // namespace

Status SqliteAccountStore::SetMemberRole(std::string_view workspace_id, std::string_view user_id,
                                         Role role, std::optional<Role> expected) {
  std::lock_guard lock(mutex_);
  // BEGIN IMMEDIATE holds the database's write lock from the owner count to
  // the change: no other connection can demote the other owner in between.
  CDP_ASSIGN_OR_RETURN(auto transaction, SqliteTransaction::Begin(*connection_));
  CDP_ASSIGN_OR_RETURN(const Role current, ReadRole(workspace_id, user_id));
  if (expected && current != *expected) return RoleChangedMeanwhile("role");
  if (current == role) return Status::Ok();
  if (current == Role::kOwner) {
    CDP_ASSIGN_OR_RETURN(const int64_t owners, CountOwners(workspace_id));
    if (owners <= 1) {
      return Status::Conflict("this is the workspace's last owner: make another member owner first",
                              "role");
    }
  }
  CDP_ASSIGN_OR_RETURN(auto update, connection_->Prepare("UPDATE workspace_members SET role = ?3 "
                                                         "WHERE workspace_id = ?1 AND "
                                                         "user_id = ?2"));
  CDP_RETURN_IF_ERROR(update.BindText(1, workspace_id));
  CDP_RETURN_IF_ERROR(update.BindText(2, user_id));
  CDP_RETURN_IF_ERROR(update.BindText(3, RoleName(role)));
  CDP_RETURN_IF_ERROR(update.Run());
  return transaction.Commit();
}

Status SqliteAccountStore::RemoveMember(std::string_view workspace_id, std::string_view user_id,
                                        std::optional<Role> expected) {
  std::lock_guard lock(mutex_);
  // As SetMemberRole: the check and the delete under one write lock.
  CDP_ASSIGN_OR_RETURN(auto transaction, SqliteTransaction::Begin(*connection_));
  CDP_ASSIGN_OR_RETURN(const Role current, ReadRole(workspace_id, user_id));
  if (expected && current != *expected) return RoleChangedMeanwhile("user_id");
  if (current == Role::kOwner) {
    CDP_ASSIGN_OR_RETURN(const int64_t owners, CountOwners(workspace_id));
    if (owners <= 1) {
      return Status::Conflict("this is the workspace's last owner: make another member owner first",
                              "user_id");
    }
  }
  CDP_ASSIGN_OR_RETURN(auto erase, connection_->Prepare("DELETE FROM workspace_members "
                                                        "WHERE workspace_id = ?1 AND "
                                                        "user_id = ?2"));
  CDP_RETURN_IF_ERROR(erase.BindText(1, workspace_id));
  CDP_RETURN_IF_ERROR(erase.BindText(2, user_id));
  CDP_RETURN_IF_ERROR(erase.Run());
  return transaction.Commit();
}

// --- Sessions ----------------------------------------------------------------

Status SqliteAccountStore::CreateSession(const Session& session) {
  std::lock_guard lock(mutex_);
  CDP_ASSIGN_OR_RETURN(auto insert,
                       connection_->Prepare("INSERT INTO sessions (id, user_id, token_hash, kind, "
                                            "created_at, expires_at, revoked_at, ip, user_agent) "
                                            "VALUES (?1, ?2, ?3, ?4, ?5, ?6, ?7, ?8, ?9)"));
  CDP_RETURN_IF_ERROR(insert.BindText(1, session.id));
  CDP_RETURN_IF_ERROR(insert.BindText(2, session.user_id));
  CDP_RETURN_IF_ERROR(insert.BindText(3, session.token_hash));
  CDP_RETURN_IF_ERROR(insert.BindText(4, SessionKindName(session.kind)));
  CDP_RETURN_IF_ERROR(insert.BindText(5, FormatIso8601(session.created_at)));
  CDP_RETURN_IF_ERROR(insert.BindText(6, FormatIso8601(session.expires_at)));
  const std::optional<std::string> revoked_at = OptionalTimeText(session.revoked_at);
  CDP_RETURN_IF_ERROR(insert.BindOptionalText(7, revoked_at));
  CDP_RETURN_IF_ERROR(insert.BindText(8, session.ip));
  CDP_RETURN_IF_ERROR(insert.BindText(9, session.user_agent));
  const Status status = insert.Run();
  if (status.code() == ErrorCode::kNotFound) {  // the user's foreign key
    return Reword(status, fmt::format("user {} not found", session.user_id), "user_id");
  }
  if (status.code() == ErrorCode::kConflict) {
    // Never the hash itself in a message.
    if (status.field() == "token_hash") {
      return Reword(status, "a session with this token already exists", "token_hash");
    }
    return Reword(status, fmt::format("a session with id {} already exists", session.id), "id");
  }
  return status;
}

Result<Session> SqliteAccountStore::FindSessionByTokenHash(std::string_view token_hash) {
  std::lock_guard lock(mutex_);
  CDP_ASSIGN_OR_RETURN(
      auto select, connection_->Prepare(std::string(kSessionColumns) + "WHERE token_hash = ?1"));
  CDP_RETURN_IF_ERROR(select.BindText(1, token_hash));
  CDP_ASSIGN_OR_RETURN(const bool found, select.Step());
  if (!found) return Status::NotFound("no session has this token");
  return ReadSessionRow(select);
}

Result<std::vector<Session>> SqliteAccountStore::ListActiveSessions(std::string_view user_id,
                                                                    TimePoint now) {
  std::lock_guard lock(mutex_);
  CDP_ASSIGN_OR_RETURN(auto select, connection_->Prepare(std::string(kSessionColumns) +
                                                         "WHERE user_id = ?1 AND revoked_at IS "
                                                         "NULL AND expires_at > ?2 "
                                                         "ORDER BY created_at DESC, id DESC"));
  CDP_RETURN_IF_ERROR(select.BindText(1, user_id));
  CDP_RETURN_IF_ERROR(select.BindText(2, FormatIso8601(now)));
  std::vector<Session> sessions;
  while (true) {
    CDP_ASSIGN_OR_RETURN(const bool row, select.Step());
    if (!row) return sessions;
    CDP_ASSIGN_OR_RETURN(Session session, ReadSessionRow(select));
    sessions.push_back(std::move(session));
  }
}

Status SqliteAccountStore::RevokeSession(std::string_view user_id, std::string_view session_id,
                                         TimePoint at) {
  std::lock_guard lock(mutex_);
  // SQLite counts the rows matched, so a revoked session still counts.
  CDP_ASSIGN_OR_RETURN(auto update,
                       connection_->Prepare("UPDATE sessions SET revoked_at = "
                                            "coalesce(revoked_at, ?3) WHERE user_id = ?1 AND "
                                            "id = ?2"));
  CDP_RETURN_IF_ERROR(update.BindText(1, user_id));
  CDP_RETURN_IF_ERROR(update.BindText(2, session_id));
  CDP_RETURN_IF_ERROR(update.BindText(3, FormatIso8601(at)));
  CDP_RETURN_IF_ERROR(update.Run());
  if (connection_->Changes() == 0) {
    return Status::NotFound(fmt::format("session {} not found", session_id));
  }
  return Status::Ok();
}

Result<int> SqliteAccountStore::RevokeUserSessions(std::string_view user_id,
                                                   std::string_view keep_session_id, TimePoint at) {
  std::lock_guard lock(mutex_);
  CDP_ASSIGN_OR_RETURN(auto update, connection_->Prepare("UPDATE sessions SET revoked_at = ?3 "
                                                         "WHERE user_id = ?1 AND id <> ?2 AND "
                                                         "revoked_at IS NULL AND expires_at > ?3"));
  CDP_RETURN_IF_ERROR(update.BindText(1, user_id));
  CDP_RETURN_IF_ERROR(update.BindText(2, keep_session_id));
  CDP_RETURN_IF_ERROR(update.BindText(3, FormatIso8601(at)));
  CDP_RETURN_IF_ERROR(update.Run());
  return static_cast<int>(connection_->Changes());
}

Result<int> SqliteAccountStore::DeleteSessionsEndedBefore(TimePoint before) {
  std::lock_guard lock(mutex_);
  CDP_ASSIGN_OR_RETURN(auto erase, connection_->Prepare("DELETE FROM sessions WHERE "
                                                        "expires_at < ?1 OR revoked_at < ?1"));
  CDP_RETURN_IF_ERROR(erase.BindText(1, FormatIso8601(before)));
  CDP_RETURN_IF_ERROR(erase.Run());
  return static_cast<int>(connection_->Changes());
}

Result<std::unique_ptr<SqliteAccountStore>> OpenSqliteAccountStore(const std::string& path) {
  CDP_ASSIGN_OR_RETURN(auto connection, SqliteConnection::Open(path));
  return std::make_unique<SqliteAccountStore>(std::move(connection));
}

}  // namespace cdp
