#include "meta/account_store.h"

namespace cdp {

std::string_view RoleName(Role role) {
  switch (role) {
    case Role::kOwner:
      return "owner";
    case Role::kAdmin:
      return "admin";
    case Role::kMember:
      return "member";
    case Role::kViewer:
      return "viewer";
  }
  return "viewer";
}

std::optional<Role> ParseRole(std::string_view name) {
  for (Role role : {Role::kOwner, Role::kAdmin, Role::kMember, Role::kViewer}) {
    if (RoleName(role) == name) return role;
  }
  return std::nullopt;
}

std::string_view SessionKindName(SessionKind kind) {
  return kind == SessionKind::kCookie ? "cookie" : "token";
}

}  // namespace cdp
