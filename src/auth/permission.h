#pragma once

#include <string_view>

#include "meta/account_store.h"
#include "meta/meta_store.h"

// What a caller may do in a workspace, and which roles and key scopes grant it.
namespace cdp {

enum class Permission {
  kRead,   // read data and run analyses (viewer and up; read keys)
  kBuild,  // create and change saved queries, dashboards (member and up)
  kAdmin,  // keys, members, schema changes, replays, unmerges (admin, owner;
           // admin keys)
};

// "read" / "build" / "admin".
std::string_view PermissionName(Permission permission);

//   owner, admin: read, build, admin
//   member:       read, build
//   viewer:       read
bool RoleGrants(Role role, Permission permission);

//   admin:  read, build, admin
//   read:   read
//   ingest: nothing of the server API
bool ScopeGrants(ApiKeyScope scope, Permission permission);

}  // namespace cdp
