#pragma once

#include "api/api_routes.h"
#include "api/audit_recorder.h"
#include "auth/member_service.h"
#include "auth/workspace_provisioner.h"
#include "core/clock.h"
#include "meta/account_store.h"
#include "meta/meta_store.h"

namespace cdp::api {

// Workspaces and their members.
//
//   GET    /workspaces          (user) the caller's workspaces: {"results":
//                               [{"id", "name", "role", "created_at"}],
//                               "next_cursor": null}, by name.
//   POST   /workspaces          (user) {"name"}: 201 {"workspace": {"id",
//                               "name", "created_at", "retention_days"},
//                               "write_key", "secret_key"} (the keys shown
//                               this once); the caller becomes its owner.
//                               Audited workspace.create.
//   GET    /workspace           (read) the X-Workspace-Id workspace: {"id",
//                               "name", "created_at", "retention_days",
//                               "role": the caller's role, null for a key}.
//   GET    /members             (read) {"results": [{"user_id", "email",
//                               "role", "created_at"}], "next_cursor": null},
//                               oldest first.
//   POST   /members             (admin) {"email", "role"}: 201 {"member":
//                               {...}, "one_time_password": "..." only when
//                               an account was made for the person}.
//   PUT    /members/{user_id}   (admin) {"role"}: 200 the member as changed.
//   DELETE /members/{user_id}   (admin) 204.
// Member changes follow MemberService's rules (only owners make, change or
// remove owners; a workspace keeps an owner; nobody changes their own role)
// and are audited member.add, member.role_change ({"role": {"from", "to"}})
// and member.remove.
//
// POST /workspaces makes the workspace (with its keys) and then the owner's
// membership, in two stores that share no transaction. Should the second
// step fail, it is retried while the store is busy; if it still fails, the
// new workspace's keys, never shown to anyone, are revoked, the failure is
// logged with the workspace's id and name, and the request fails (503 when
// the store was busy, else 500): the workspace is left inert, nobody can use
// it, and an operator gives it an owner with `cdp user create EMAIL
// --workspace NAME --role owner --if-absent`, who then makes new keys (its
// name stays taken meanwhile). Nothing is ever answered 201 without an owner.
// Every argument must outlive the router.
void AddWorkspaceRoutes(ApiRoutes& routes, const AuditRecorder& audit, MetaStore& meta,
                        AccountStore& accounts, WorkspaceProvisioner& provisioner,
                        MemberService& members, const Clock& clock);

}  // namespace cdp::api
