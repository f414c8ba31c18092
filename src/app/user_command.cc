#include "app/user_command.h"

#include <fmt/format.h>

#include <algorithm>
#include <cstdio>
#include <memory>
#include <vector>

#include "app/cli_audit.h"
#include "app/command_failure.h"
#include "auth/account_service.h"
#include "auth/password.h"
#include "core/json_writer.h"
#include "meta/account_store.h"
#include "meta/sqlite/sqlite_account_store.h"
#include "meta/sqlite/sqlite_meta_store.h"
#include "meta/sqlite/sqlite_migrator.h"

namespace cdp {

namespace {

struct Stores {
  std::unique_ptr<SqliteMetaStore> meta;
  std::unique_ptr<AccountStore> accounts;
};

// The stores, once the migrator agrees the schema is the one this cdp speaks.
Result<Stores> OpenCurrentStores(const Config& config) {
  CDP_ASSIGN_OR_RETURN(auto migrator, OpenSqliteMigrator(config.MetaDbPath()));
  CDP_RETURN_IF_ERROR(migrator->CheckCurrent());
  Stores stores;
  CDP_ASSIGN_OR_RETURN(stores.meta, OpenSqliteMetaStore(config.MetaDbPath()));
  CDP_ASSIGN_OR_RETURN(stores.accounts, OpenSqliteAccountStore(config.MetaDbPath()));
  return stores;
}

// The user of that (normalized) email; nullopt when there is none.
Result<std::optional<User>> FindUser(AccountStore& accounts, std::string_view email) {
  Result<User> user = accounts.FindUserByEmail(email);
  if (user.ok()) return std::optional<User>(std::move(*user));
  if (user.status().code() == ErrorCode::kNotFound) return std::optional<User>();
  return user.status();
}

Result<Role> ParseRoleOption(const std::optional<std::string>& text) {
  if (!text) return Role::kMember;
  std::optional<Role> role = ParseRole(*text);
  if (!role) {
    return Status::BadRequest(
        fmt::format("invalid --role: expected owner, admin, member or viewer, got '{}'", *text));
  }
  return *role;
}

Status UserExists(std::string_view email) {
  return Status::Conflict(
      fmt::format("user {} already exists (to give them a new password: cdp user "
                  "reset-password {})",
                  email, email),
      "email");
}

// Prints a one-time password for the person at the terminal. It goes to
// stdout only: never to the log.
void PrintOneTimePassword(std::string_view email, std::string_view password) {
  fmt::print("  one-time password: {}\n", password);
  fmt::print(
      "  it must be changed at the first sign-in, and is not shown again (lost: cdp user "
      "reset-password {})\n",
      email);
  std::fflush(stdout);  // out even if what follows fails
}

// --if-absent with an existing user: no new password.
void PrintExistingUser(const User& user) {
  fmt::print(
      "user {} already exists (id {}); password unchanged (a new one: cdp user reset-password "
      "{})\n",
      user.email, user.id, user.email);
}

std::string MemberAddDetails(std::string_view email, Role role) {
  JsonWriter details;
  details.BeginObject().Key("email").String(email).Key("role").String(RoleName(role)).EndObject();
  return std::move(details).Take();
}

// Makes `user` a member of `workspace` as `role` unless they already are
// (whatever their role: changing it is an admin's decision, through the API).
Status EnsureMember(const Config& config, AccountStore& accounts, const Workspace& workspace,
                    const User& user, Role role) {
  Result<Membership> current = accounts.GetMembership(workspace.id, user.id);
  if (current.status().code() == ErrorCode::kNotFound) {
    const Membership membership{.workspace_id = workspace.id,
                                .user_id = user.id,
                                .role = role,
                                .created_at = SystemClock::Instance().Now()};
    Status added = accounts.AddMember(membership);
    if (added.ok()) {
      fmt::print("  added to workspace {} as {}\n", workspace.name, RoleName(role));
      std::fflush(stdout);
      RecordCommandLineAudit(config, workspace.id, "member.add", "member", user.id,
                             MemberAddDetails(user.email, role));
      return Status::Ok();
    }
    // Another process may have added them since the lookup above.
    if (added.code() != ErrorCode::kConflict) return added;
    current = accounts.GetMembership(workspace.id, user.id);
  }
  if (!current.ok()) return current.status();
  fmt::print("  already a member of workspace {} as {}", workspace.name, RoleName(current->role));
  if (current->role != role) fmt::print(" (kept; roles change through PUT /members/{})", user.id);
  fmt::print("\n");
  return Status::Ok();
}

Status CreateUser(const Config& config, const UserCreateOptions& options) {
  // Checked before the database is opened: a typo changes nothing.
  CDP_ASSIGN_OR_RETURN(const std::string email, NormalizeEmail(options.email, "email"));
  if (options.role && !options.workspace) {
    return Status::BadRequest(
        "--role needs --workspace: a role is what the user may do in a workspace");
  }
  CDP_ASSIGN_OR_RETURN(const Role role, ParseRoleOption(options.role));

  CDP_ASSIGN_OR_RETURN(Stores stores, OpenCurrentStores(config));
  std::optional<Workspace> workspace;
  if (options.workspace) {
    CDP_ASSIGN_OR_RETURN(workspace, stores.meta->FindWorkspaceByName(*options.workspace));
  }

  CDP_ASSIGN_OR_RETURN(std::optional<User> user, FindUser(*stores.accounts, email));
  if (user && !options.if_absent) return UserExists(email);
  if (user) {
    PrintExistingUser(*user);
  } else {
    AccountService service(*stores.accounts, SystemClock::Instance(), AccountOptionsFrom(config));
    Result<NewUser> created = service.NewUserWithOneTimePassword(email);
    if (created.ok()) {
      fmt::print("user {} created (id {})\n", created->user.email, created->user.id);
      PrintOneTimePassword(created->user.email, created->one_time_password);
      user = std::move(created->user);
    } else if (created.status().code() == ErrorCode::kConflict &&
               created.status().field() == "email") {
      // Another process made the user since the lookup above.
      if (!options.if_absent) return UserExists(email);
      CDP_ASSIGN_OR_RETURN(user, FindUser(*stores.accounts, email));
      if (!user) return created.status();  // made and gone again: say what failed
      PrintExistingUser(*user);
    } else {
      return created.status();
    }
  }
  return workspace ? EnsureMember(config, *stores.accounts, *workspace, *user, role) : Status::Ok();
}

}  // namespace

int RunUserCreateCommand(const Config& config, const UserCreateOptions& options) {
  Status status = CreateUser(config, options);
  return status.ok() ? 0 : ReportCommandFailure(status);
}

int RunUserResetPasswordCommand(const Config& config, std::string_view email_text) {
  Result<std::string> email = NormalizeEmail(email_text, "email");
  if (!email.ok()) return ReportCommandFailure(email.status());
  Result<Stores> stores = OpenCurrentStores(config);
  if (!stores.ok()) return ReportCommandFailure(stores.status());
  AccountService service(*stores->accounts, SystemClock::Instance(), AccountOptionsFrom(config));
  Result<std::string> password = service.ResetPassword(*email);
  if (!password.ok()) {
    if (password.status().code() == ErrorCode::kNotFound) {
      return ReportCommandFailure(Status::NotFound(
          fmt::format("user {} not found (list users with `cdp user list`)", *email)));
    }
    return ReportCommandFailure(password.status());
  }
  fmt::print("password of {} reset; all their sessions have ended\n", *email);
  PrintOneTimePassword(*email, *password);
  return 0;
}

int RunUserListCommand(const Config& config) {
  Result<Stores> stores = OpenCurrentStores(config);
  if (!stores.ok()) return ReportCommandFailure(stores.status());
  Result<std::vector<User>> users = stores->accounts->ListUsers();
  if (!users.ok()) return ReportCommandFailure(users.status());
  if (users->empty()) {
    fmt::print("no users yet: create one with `cdp user create EMAIL`\n");
    return 0;
  }

  const TimePoint now = SystemClock::Instance().Now();
  struct Row {
    const User* user;
    std::string state;
    std::string workspaces;
  };
  std::vector<Row> rows;
  size_t email_width = 5;
  size_t state_width = 5;
  for (const User& user : *users) {
    Result<std::vector<UserWorkspace>> memberships = stores->accounts->ListUserWorkspaces(user.id);
    if (!memberships.ok()) return ReportCommandFailure(memberships.status());
    std::string workspaces;
    for (const UserWorkspace& w : *memberships) {
      if (!workspaces.empty()) workspaces += ", ";
      workspaces += fmt::format("{} ({})", w.workspace_name, RoleName(w.role));
    }
    std::string state = "active";
    if (user.locked_until && *user.locked_until > now) {
      state = "locked until " + FormatIso8601(*user.locked_until);
    } else if (user.password_change_required) {
      state = "one-time password";
    }
    email_width = std::max(email_width, user.email.size());
    state_width = std::max(state_width, state.size());
    rows.push_back({&user, std::move(state), workspaces.empty() ? "-" : std::move(workspaces)});
  }

  fmt::print("{:<36}  {:<{}}  {:<24}  {:<{}}  {}\n", "id", "email", email_width, "created_at",
             "state", state_width, "workspaces");
  for (const Row& row : rows) {
    fmt::print("{:<36}  {:<{}}  {:<24}  {:<{}}  {}\n", row.user->id, row.user->email, email_width,
               FormatIso8601(row.user->created_at), row.state, state_width, row.workspaces);
  }
  return 0;
}

}  // namespace cdp
