#pragma once

#include <string>
#include <string_view>

#include "auth/permission.h"
#include "auth/principal.h"
#include "core/clock.h"
#include "core/result.h"
#include "meta/account_store.h"
#include "meta/meta_store.h"

namespace cdp {

// Decides who a request is and whether it may act on a workspace. Nothing is
// cached: a revoked key or session, a removed member or a changed role
// takes effect on the next request. Each check is a few index probes.
// Thread safety: as the stores; Authenticate and Authorize may run on any
// thread.
class AccessControl {
 public:
  // REQUIRES: the arguments outlive this.
  AccessControl(MetaStore& keys, AccountStore& accounts, const Clock& clock)
      : keys_(keys), accounts_(accounts), clock_(clock) {}

  // The principal of a bearer credential or a session cookie's value:
  //   "sk_..."  a secret key: unknown, revoked (a revocation dated in the
  //             future is a grace period) or a write key → Unauthorized;
  //   "st_..."  a session token: unknown, revoked or expired, or its user
  //             gone → Unauthorized; `kind` is the session's kind;
  // anything else → Unauthorized without asking a store. Messages never
  // repeat the credential.
  Result<Principal> Authenticate(std::string_view credential) const;

  // Whether `principal` may do `permission` in the workspace `named` (the
  // X-Workspace-Id header; may be empty):
  //  - a secret key acts on its own workspace: `named` empty or equal to it,
  //    else Forbidden ("X-Workspace-Id names another workspace than the
  //    key's"); its scope must grant `permission`, else Forbidden naming the
  //    scope and the permission;
  //  - a user must name the workspace (BadRequest, field "X-Workspace-Id",
  //    when `named` is empty and the user belongs to more than one
  //    workspace; with exactly one, that one is used), must be a member
  //    (Forbidden otherwise, for an unknown workspace too: no existence
  //    oracle), must not owe a password change (Forbidden, "password change
  //    required"), and the role must grant `permission` (Forbidden naming
  //    the role and the permission).
  Result<WorkspaceAccess> Authorize(const Principal& principal, std::string_view named,
                                    Permission permission) const;

 private:
  Result<Principal> AuthenticateSecretKey(std::string_view key) const;
  Result<Principal> AuthenticateSession(std::string_view token) const;

  MetaStore& keys_;
  AccountStore& accounts_;
  const Clock& clock_;
};

}  // namespace cdp
