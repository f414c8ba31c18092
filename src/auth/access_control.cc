#include "auth/access_control.h"

#include <fmt/format.h>

#include "auth/api_key_format.h"
#include "core/secure_compare.h"

namespace cdp {

namespace {

// The messages never repeat the credential, and one message covers every
// way a credential of a kind can be wrong: a caller learns nothing about
// which keys or sessions exist.
Status InvalidSecretKey() { return Status::Unauthorized("invalid secret key"); }
Status InvalidSession() {
  return Status::Unauthorized("invalid or expired session: sign in again");
}

}  // namespace

Result<Principal> AccessControl::Authenticate(std::string_view credential) const {
  if (LooksLikeSecretKey(credential)) return AuthenticateSecretKey(credential);
  if (LooksLikeSessionToken(credential)) return AuthenticateSession(credential);
  if (LooksLikeWriteKey(credential)) {
    return Status::Unauthorized(
        "a write key only sends events: the server API needs a secret key or a session");
  }
  return Status::Unauthorized(
      "invalid credentials: send a secret key or a session token as 'Authorization: Bearer "
      "...', or sign in");
}

Result<Principal> AccessControl::AuthenticateSecretKey(std::string_view key) const {
  const std::string hash = HashToken(key);
  Result<ApiKey> found = keys_.FindApiKeyByHash(hash);
  if (!found.ok()) {
    if (found.status().code() == ErrorCode::kNotFound) return InvalidSecretKey();
    return found.status();
  }
  // The lookup went by index; the stored hash is compared again in constant
  // time so that no store's collation or prefix match can let another through.
  if (!ConstantTimeEquals(found->key_hash, hash)) return InvalidSecretKey();
  // A write key's hash cannot match an "sk_" key, but the kind decides.
  if (found->kind != ApiKeyKind::kSecret) return InvalidSecretKey();
  // A revocation dated in the future is a grace period.
  if (found->revoked_at && *found->revoked_at <= clock_.Now()) return InvalidSecretKey();
  Principal principal;
  principal.kind = Principal::Kind::kSecretKey;
  principal.key_id = std::move(found->id);
  principal.key_workspace_id = std::move(found->workspace_id);
  principal.key_display_prefix = std::move(found->display_prefix);
  principal.key_scope = found->scope;
  return principal;
}

Result<Principal> AccessControl::AuthenticateSession(std::string_view token) const {
  const std::string hash = HashToken(token);
  Result<Session> session = accounts_.FindSessionByTokenHash(hash);
  if (!session.ok()) {
    if (session.status().code() == ErrorCode::kNotFound) return InvalidSession();
    return session.status();
  }
  if (!ConstantTimeEquals(session->token_hash, hash)) return InvalidSession();
  if (!session->ActiveAt(clock_.Now())) return InvalidSession();
  Result<User> user = accounts_.GetUser(session->user_id);
  if (!user.ok()) {
    if (user.status().code() == ErrorCode::kNotFound) return InvalidSession();
    return user.status();
  }
  Principal principal;
  principal.kind = Principal::Kind::kUser;
  principal.user_id = std::move(user->id);
  principal.email = std::move(user->email);
  principal.session_id = std::move(session->id);
  principal.session_kind = session->kind;
  principal.password_change_required = user->password_change_required;
  return principal;
}

Result<WorkspaceAccess> AccessControl::Authorize(const Principal& principal, std::string_view named,
                                                 Permission permission) const {
  if (!principal.is_user()) {
    if (!named.empty() && named != principal.key_workspace_id) {
      return Status::Forbidden("X-Workspace-Id names another workspace than the key's");
    }
    if (!ScopeGrants(principal.key_scope, permission)) {
      return Status::Forbidden(
          fmt::format("a secret key of scope {} may not {}: this needs {}",
                      ApiKeyScopeName(principal.key_scope), PermissionName(permission),
                      permission == Permission::kRead ? "a read or admin key" : "an admin key"));
    }
    return WorkspaceAccess{principal, principal.key_workspace_id, std::nullopt};
  }

  std::string workspace_id(named);
  if (workspace_id.empty()) {
    CDP_ASSIGN_OR_RETURN(const std::vector<UserWorkspace> workspaces,
                         accounts_.ListUserWorkspaces(principal.user_id));
    if (workspaces.empty()) {
      return Status::Forbidden("you are not a member of any workspace");
    }
    if (workspaces.size() > 1) {
      return Status::BadRequest(
          "you belong to several workspaces: name one in the X-Workspace-Id header",
          "X-Workspace-Id");
    }
    workspace_id = workspaces.front().workspace_id;
  }
  Result<Membership> membership = accounts_.GetMembership(workspace_id, principal.user_id);
  if (!membership.ok()) {
    // The same answer for a workspace that does not exist: no existence oracle.
    if (membership.status().code() == ErrorCode::kNotFound) {
      return Status::Forbidden("you are not a member of this workspace");
    }
    return membership.status();
  }
  if (principal.password_change_required) {
    return Status::Forbidden(
        "password change required: set a new password (PUT /me/password) first");
  }
  if (!RoleGrants(membership->role, permission)) {
    return Status::Forbidden(fmt::format("the {} role may not {} in this workspace",
                                         RoleName(membership->role), PermissionName(permission)));
  }
  return WorkspaceAccess{principal, std::move(workspace_id), membership->role};
}

}  // namespace cdp
