#include "auth/permission.h"

#include <gtest/gtest.h>

#include <map>
#include <set>
#include <utility>

namespace cdp {
namespace {

constexpr Permission kPermissions[] = {Permission::kRead, Permission::kBuild, Permission::kAdmin};

TEST(PermissionTest, Names) {
  EXPECT_EQ(PermissionName(Permission::kRead), "read");
  EXPECT_EQ(PermissionName(Permission::kBuild), "build");
  EXPECT_EQ(PermissionName(Permission::kAdmin), "admin");
}

// The whole table, spelled out: a change to who may do what shows up here.
TEST(PermissionTest, RoleTable) {
  const std::map<Role, std::set<Permission>> granted = {
      {Role::kOwner, {Permission::kRead, Permission::kBuild, Permission::kAdmin}},
      {Role::kAdmin, {Permission::kRead, Permission::kBuild, Permission::kAdmin}},
      {Role::kMember, {Permission::kRead, Permission::kBuild}},
      {Role::kViewer, {Permission::kRead}},
  };
  for (const auto& [role, permissions] : granted) {
    for (const Permission permission : kPermissions) {
      EXPECT_EQ(RoleGrants(role, permission), permissions.contains(permission))
          << RoleName(role) << " x " << PermissionName(permission);
    }
  }
}

TEST(PermissionTest, ScopeTable) {
  const std::map<ApiKeyScope, std::set<Permission>> granted = {
      {ApiKeyScope::kAdmin, {Permission::kRead, Permission::kBuild, Permission::kAdmin}},
      {ApiKeyScope::kRead, {Permission::kRead}},
      {ApiKeyScope::kIngest, {}},  // write keys send events, nothing else
  };
  for (const auto& [scope, permissions] : granted) {
    for (const Permission permission : kPermissions) {
      EXPECT_EQ(ScopeGrants(scope, permission), permissions.contains(permission))
          << ApiKeyScopeName(scope) << " x " << PermissionName(permission);
    }
  }
}

// Permissions nest: whoever may administer may build, whoever may build may read.
TEST(PermissionTest, GrantsNest) {
  for (const Role role : {Role::kOwner, Role::kAdmin, Role::kMember, Role::kViewer}) {
    EXPECT_LE(RoleGrants(role, Permission::kAdmin), RoleGrants(role, Permission::kBuild));
    EXPECT_LE(RoleGrants(role, Permission::kBuild), RoleGrants(role, Permission::kRead));
  }
  for (const ApiKeyScope scope : {ApiKeyScope::kAdmin, ApiKeyScope::kRead, ApiKeyScope::kIngest}) {
    EXPECT_LE(ScopeGrants(scope, Permission::kAdmin), ScopeGrants(scope, Permission::kBuild));
    EXPECT_LE(ScopeGrants(scope, Permission::kBuild), ScopeGrants(scope, Permission::kRead));
  }
}

}  // namespace
}  // namespace cdp
