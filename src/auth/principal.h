#pragma once

#include <optional>
#include <string>

#include "meta/account_store.h"
#include "meta/audit_log.h"
#include "meta/meta_store.h"

namespace cdp {

// Who a request's credentials speak for: a signed-in user (a session, by
// cookie or bearer token) or a workspace secret key.
struct Principal {
  enum class Kind { kUser, kSecretKey };
  Kind kind = Kind::kUser;

  // kUser
  std::string user_id;
  std::string email;
  std::string session_id;
  SessionKind session_kind = SessionKind::kCookie;
  // The user signed in with a one-time password and must change it first.
  bool password_change_required = false;

  // kSecretKey
  std::string key_id;
  std::string key_workspace_id;
  std::string key_display_prefix;
  ApiKeyScope key_scope = ApiKeyScope::kRead;

  bool is_user() const { return kind == Kind::kUser; }
  // As the audit log names it: the user (id, email) or the key (id, "sk_4f9Qa…").
  AuditActor actor() const;
  // For the access log: "user:<id>" or "key:<id>"; never a secret.
  std::string LogLabel() const;
};

// A principal allowed into one workspace.
struct WorkspaceAccess {
  Principal principal;
  std::string workspace_id;
  // The user's role there; nullopt for a secret key (its scope decides).
  std::optional<Role> role;
};

}  // namespace cdp
