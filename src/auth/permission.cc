#include "auth/permission.h"

namespace cdp {

std::string_view PermissionName(Permission permission) {
  switch (permission) {
    case Permission::kRead:
      return "read";
    case Permission::kBuild:
      return "build";
    case Permission::kAdmin:
      return "admin";
  }
  return "admin";
}

bool RoleGrants(Role role, Permission permission) {
  switch (role) {
    case Role::kOwner:
    case Role::kAdmin:
      return true;
    case Role::kMember:
      return permission == Permission::kRead || permission == Permission::kBuild;
    case Role::kViewer:
      return permission == Permission::kRead;
  }
  return false;
}

bool ScopeGrants(ApiKeyScope scope, Permission permission) {
  switch (scope) {
    case ApiKeyScope::kAdmin:
      return true;
    case ApiKeyScope::kRead:
      return permission == Permission::kRead;
    case ApiKeyScope::kIngest:
      return false;
  }
  return false;
}

}  // namespace cdp
