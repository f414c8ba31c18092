#include "api/workspace_routes.h"

#include <simdjson.h>

#include <string>
#include <utility>
#include <vector>

#include "api/page.h"
#include "core/json_writer.h"
#include "core/log.h"
#include "query/request_json.h"

namespace cdp::api {

namespace {

// Attempts at making the creator a member of their new workspace, while the
// store answers Unavailable (busy: it already waited its busy timeout).
constexpr int kOwnerAttempts = 3;

constexpr std::string_view kRoleNames = "one of owner, admin, member, viewer";

Result<Role> RoleField(const query::RequestObject& root) {
  CDP_ASSIGN_OR_RETURN(const std::string_view name, root.String("role"));
  const std::optional<Role> role = ParseRole(name);
  if (!role) return query::FieldError(root.PathOf("role"), kRoleNames);
  return *role;
}

void WriteMember(JsonWriter& json, const Member& member) {
  json.BeginObject()
      .Key("user_id")
      .String(member.membership.user_id)
      .Key("email")
      .String(member.email)
      .Key("role")
      .String(RoleName(member.membership.role))
      .Key("created_at")
      .String(FormatIso8601(member.membership.created_at))
      .EndObject();
}

void WriteWorkspaceFields(JsonWriter& json, const Workspace& workspace) {
  json.Key("id")
      .String(workspace.id)
      .Key("name")
      .String(workspace.name)
      .Key("created_at")
      .String(FormatIso8601(workspace.created_at))
      .Key("retention_days")
      .Int(workspace.retention_days);
}

// {"email": ..., "role": ...}: what the audit log keeps of a membership.
std::string MemberDetails(const Member& member) {
  JsonWriter json;
  json.BeginObject()
      .Key("email")
      .String(member.email)
      .Key("role")
      .String(RoleName(member.membership.role))
      .EndObject();
  return std::move(json).Take();
}

Result<http::Response> ListWorkspaces(MetaStore& meta, AccountStore& accounts,
                                      const Principal& principal) {
  CDP_ASSIGN_OR_RETURN(const std::vector<UserWorkspace> memberships,
                       accounts.ListUserWorkspaces(principal.user_id));
  // A user belongs to a handful of workspaces: one lookup each.
  std::vector<std::pair<UserWorkspace, Workspace>> rows;
  rows.reserve(memberships.size());
  for (const UserWorkspace& membership : memberships) {
    CDP_ASSIGN_OR_RETURN(Workspace workspace, meta.GetWorkspace(membership.workspace_id));
    rows.emplace_back(membership, std::move(workspace));
  }
  return PageResponse<std::pair<UserWorkspace, Workspace>>(
      rows, "", [](JsonWriter& json, const std::pair<UserWorkspace, Workspace>& row) {
        json.BeginObject()
            .Key("id")
            .String(row.second.id)
            .Key("name")
            .String(row.second.name)
            .Key("role")
            .String(RoleName(row.first.role))
            .Key("created_at")
            .String(FormatIso8601(row.second.created_at))
            .EndObject();
      });
}

// Makes the creator the new workspace's owner; see the header for what a
// failure leaves behind.
Status AddOwner(MetaStore& meta, AccountStore& accounts, const Clock& clock,
                const ProvisionedWorkspace& created, const Principal& principal) {
  const Membership owner{.workspace_id = created.workspace.id,
                         .user_id = principal.user_id,
                         .role = Role::kOwner,
                         .created_at = clock.Now()};
  Status added = accounts.AddMember(owner);
  for (int attempt = 1; attempt < kOwnerAttempts && added.code() == ErrorCode::kUnavailable;
       ++attempt) {
    added = accounts.AddMember(owner);
  }
  if (added.ok()) return added;

  // Nobody holds the keys (they were never answered); revoking them leaves no
  // credential of an ownerless workspace anywhere.
  bool revoked = true;
  for (const ApiKey* key : {&created.write_api_key, &created.secret_api_key}) {
    revoked = meta.RevokeApiKey(created.workspace.id, key->id, clock.Now()).ok() && revoked;
  }
  log::Error(
      "a new workspace got no owner; give it one with `cdp user create EMAIL --workspace "
      "NAME --role owner --if-absent`")
      .Str("workspace_id", created.workspace.id)
      .Str("workspace_name", created.workspace.name)
      .Str("user_id", principal.user_id)
      .Bool("keys_revoked", revoked)
      .Err(added);
  if (added.code() == ErrorCode::kUnavailable) {
    return Status::Unavailable(
        "the workspace was created but could not be given its owner; an operator must add one",
        std::chrono::seconds(1));
  }
  return Status::Internal("adding the owner of a new workspace failed: " + added.ToString());
}

Result<http::Response> CreateWorkspace(http::Request& request, const AuditRecorder& audit,
                                       MetaStore& meta, AccountStore& accounts,
                                       WorkspaceProvisioner& provisioner, const Clock& clock,
                                       const Principal& principal) {
  simdjson::dom::parser parser;
  CDP_ASSIGN_OR_RETURN(const query::RequestObject root,
                       query::RequestObject::Parse(parser, request.body()));
  CDP_RETURN_IF_ERROR(root.RejectUnknownKeys({"name"}));
  CDP_ASSIGN_OR_RETURN(const std::string_view name, root.String("name"));
  CDP_ASSIGN_OR_RETURN(const ProvisionedWorkspace created, provisioner.Create(name));
  CDP_RETURN_IF_ERROR(AddOwner(meta, accounts, clock, created, principal));

  JsonWriter details;
  details.BeginObject().Key("name").String(created.workspace.name).EndObject();
  audit.Record(request, principal, created.workspace.id, "workspace.create", "workspace",
               created.workspace.id, std::move(details).Take());

  JsonWriter json;
  json.BeginObject().Key("workspace").BeginObject();
  WriteWorkspaceFields(json, created.workspace);
  json.EndObject()
      .Key("write_key")
      .String(created.write_key)
      .Key("secret_key")
      .String(created.secret_key)
      .EndObject();
  http::Response response = http::Response::Json(201, std::move(json).Take());
  response.headers.emplace_back("Cache-Control", "no-store");
  return response;
}

Result<http::Response> CurrentWorkspace(MetaStore& meta, const Caller& caller) {
  CDP_ASSIGN_OR_RETURN(const Workspace workspace, meta.GetWorkspace(caller.workspace_id()));
  JsonWriter json;
  json.BeginObject();
  WriteWorkspaceFields(json, workspace);
  json.Key("role");
  if (caller.access.role) {
    json.String(RoleName(*caller.access.role));
  } else {
    json.Null();
  }
  return http::Response::Json(200, std::move(json.EndObject()).Take());
}

Result<http::Response> AddMember(http::Request& request, const AuditRecorder& audit,
                                 MemberService& members, const Caller& caller) {
  simdjson::dom::parser parser;
  CDP_ASSIGN_OR_RETURN(const query::RequestObject root,
                       query::RequestObject::Parse(parser, request.body()));
  CDP_RETURN_IF_ERROR(root.RejectUnknownKeys({"email", "role"}));
  CDP_ASSIGN_OR_RETURN(const std::string_view email, root.String("email"));
  CDP_ASSIGN_OR_RETURN(const Role role, RoleField(root));
  CDP_ASSIGN_OR_RETURN(const AddedMember added, members.Add(caller.access, email, role));
  audit.Record(request, caller, "member.add", "member", added.member.membership.user_id,
               MemberDetails(added.member));

  JsonWriter json;
  json.BeginObject().Key("member");
  WriteMember(json, added.member);
  if (added.one_time_password) json.Key("one_time_password").String(*added.one_time_password);
  http::Response response = http::Response::Json(201, std::move(json.EndObject()).Take());
  response.headers.emplace_back("Cache-Control", "no-store");
  return response;
}

Result<http::Response> ChangeRole(http::Request& request, const AuditRecorder& audit,
                                  MemberService& members, const Caller& caller) {
  simdjson::dom::parser parser;
  CDP_ASSIGN_OR_RETURN(const query::RequestObject root,
                       query::RequestObject::Parse(parser, request.body()));
  CDP_RETURN_IF_ERROR(root.RejectUnknownKeys({"role"}));
  CDP_ASSIGN_OR_RETURN(const Role role, RoleField(root));
  const std::string user_id(request.PathParam("user_id"));
  CDP_ASSIGN_OR_RETURN(const MemberService::RoleChange change,
                       members.SetRole(caller.access, user_id, role));
  // Setting the role a member already has changes nothing worth a record.
  if (change.previous != change.member.membership.role) {
    JsonWriter details;
    details.BeginObject()
        .Key("role")
        .BeginObject()
        .Key("from")
        .String(RoleName(change.previous))
        .Key("to")
        .String(RoleName(change.member.membership.role))
        .EndObject()
        .Key("email")
        .String(change.member.email)
        .EndObject();
    audit.Record(request, caller, "member.role_change", "member", user_id,
                 std::move(details).Take());
  }
  JsonWriter json;
  WriteMember(json, change.member);
  return http::Response::Json(200, std::move(json).Take());
}

Result<http::Response> RemoveMember(http::Request& request, const AuditRecorder& audit,
                                    MemberService& members, const Caller& caller) {
  const std::string user_id(request.PathParam("user_id"));
  CDP_ASSIGN_OR_RETURN(const Member removed, members.Remove(caller.access, user_id));
  audit.Record(request, caller, "member.remove", "member", user_id, MemberDetails(removed));
  return http::Response::NoContent();
}

}  // namespace

void AddWorkspaceRoutes(ApiRoutes& routes, const AuditRecorder& audit, MetaStore& meta,
                        AccountStore& accounts, WorkspaceProvisioner& provisioner,
                        MemberService& members, const Clock& clock) {
  routes.AddUser("GET", "/workspaces",
                 [&meta, &accounts](http::Request&, const Principal& principal) {
                   return ListWorkspaces(meta, accounts, principal);
                 });
  routes.AddUser("POST", "/workspaces",
                 [&audit, &meta, &accounts, &provisioner, &clock](http::Request& request,
                                                                  const Principal& principal) {
                   return CreateWorkspace(request, audit, meta, accounts, provisioner, clock,
                                          principal);
                 });

  routes.Add("GET", "/workspace", Permission::kRead,
             ApiImmediate([&meta](http::Request&, const Caller& caller) {
               return CurrentWorkspace(meta, caller);
             }));

  routes.Add(
      "GET", "/members", Permission::kRead,
      ApiImmediate([&members](http::Request&, const Caller& caller) -> Result<http::Response> {
        CDP_ASSIGN_OR_RETURN(const std::vector<Member> list, members.List(caller.workspace_id()));
        return PageResponse<Member>(list, "", WriteMember);
      }));
  routes.Add("POST", "/members", Permission::kAdmin,
             ApiImmediate([&audit, &members](http::Request& request, const Caller& caller) {
               return AddMember(request, audit, members, caller);
             }));
  routes.Add("PUT", "/members/{user_id}", Permission::kAdmin,
             ApiImmediate([&audit, &members](http::Request& request, const Caller& caller) {
               return ChangeRole(request, audit, members, caller);
             }));
  routes.Add("DELETE", "/members/{user_id}", Permission::kAdmin,
             ApiImmediate([&audit, &members](http::Request& request, const Caller& caller) {
               return RemoveMember(request, audit, members, caller);
             }));
}

}  // namespace cdp::api
