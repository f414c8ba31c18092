#pragma once

#include <optional>
#include <string>
#include <string_view>

#include "core/config.h"

namespace cdp {

// The options of `cdp user create`, as typed.
struct UserCreateOptions {
  std::string email;
  std::optional<std::string> workspace;  // --workspace NAME
  std::optional<std::string> role;       // --role: owner, admin, member or viewer
  bool if_absent = false;                // --if-absent
};

// `cdp user create EMAIL [--workspace NAME [--role ROLE]] [--if-absent]`:
// creates a user with a one-time password, which it prints (the only time it
// exists in clear; the user must change it at the first sign-in), on the
// metadata database at config.MetaDbPath(). With --workspace, also makes the
// user a member of that workspace as ROLE (default member; owner allowed),
// recorded in the workspace's audit log (member.add, actor the command line).
//
// `if_absent`: an existing user is reported, not an error; no password is
// made or printed, but the membership is still added when missing (an
// existing membership keeps its role).
// An invalid email or role, or --role without --workspace, is refused before
// the database is touched; an unknown workspace before the user is made.
// Returns the process exit code: 0 on success, 1 on failure.
int RunUserCreateCommand(const Config& config, const UserCreateOptions& options);

// `cdp user reset-password EMAIL`: gives the user a new one-time password,
// prints it and revokes all their sessions (the way back in for someone
// locked out or who forgot their password; it also lifts a lockout).
// Returns the process exit code: 0 on success, 1 on failure (an unknown
// user, a database not at this cdp's schema version).
int RunUserResetPasswordCommand(const Config& config, std::string_view email);

// `cdp user list`: every user, oldest first: email, creation time, whether
// the password is a one-time one or the account locked, and the workspaces
// with the user's role in each. Never prints a password or hash.
// Returns the process exit code.
int RunUserListCommand(const Config& config);

}  // namespace cdp
