#include "auth/member_service.h"

#include <utility>

#include "auth/password.h"
#include "core/uuid.h"

namespace cdp {

namespace {

// Only a user who is an owner: a secret key never is one, whatever its scope.
bool IsOwner(const WorkspaceAccess& by) {
  return by.principal.is_user() && by.role == Role::kOwner;
}

bool IsSelf(const WorkspaceAccess& by, std::string_view user_id) {
  return by.principal.is_user() && by.principal.user_id == user_id;
}

// The guard checked Permission::kAdmin already; checked again here so that
// the rules hold for any caller of the service.
Status CheckAdministers(const WorkspaceAccess& by) {
  const bool administers = by.principal.is_user()
                               ? (by.role == Role::kOwner || by.role == Role::kAdmin)
                               : by.principal.key_scope == ApiKeyScope::kAdmin;
  if (!administers) return Status::Forbidden("only the workspace's admins manage its members");
  return Status::Ok();
}

Status OwnersOnly() {
  return Status::Forbidden("only an owner makes, changes or removes an owner");
}

Status NotAMember(std::string_view user_id) {
  return Status::NotFound("user " + std::string(user_id) + " is not a member of this workspace")
      .WithField("user_id");
}

// The membership of `user_id` in `workspace_id`, with NotFound naming the
// request's field.
Result<Membership> FindMembership(AccountStore& accounts, std::string_view workspace_id,
                                  std::string_view user_id) {
  Result<Membership> membership = accounts.GetMembership(workspace_id, user_id);
  if (!membership.ok() && membership.status().code() == ErrorCode::kNotFound) {
    return NotAMember(user_id);
  }
  return membership;
}

}  // namespace

Result<std::vector<Member>> MemberService::List(std::string_view workspace_id) {
  return accounts_.ListMembers(workspace_id);
}

Result<AddedMember> MemberService::Add(const WorkspaceAccess& by, std::string_view email,
                                       Role role) {
  CDP_RETURN_IF_ERROR(CheckAdministers(by));
  CDP_ASSIGN_OR_RETURN(std::string normalized, NormalizeEmail(email, "email"));
  if (role == Role::kOwner && !IsOwner(by)) return OwnersOnly();

  AddedMember added;
  added.member.email = normalized;
  Membership& membership = added.member.membership;
  membership.workspace_id = by.workspace_id;
  membership.role = role;
  // Twice at most: a person who gets an account between the lookup and the
  // creation is then added as an existing user.
  for (int attempt = 0;; ++attempt) {
    membership.created_at = std::chrono::floor<std::chrono::milliseconds>(clock_.Now());
    Result<User> existing = accounts_.FindUserByEmail(normalized);
    if (existing.ok()) {
      membership.user_id = existing->id;
      const Status status = accounts_.AddMember(membership);
      if (status.code() == ErrorCode::kConflict) {
        return Status::Conflict("this person is already a member of the workspace", "email");
      }
      CDP_RETURN_IF_ERROR(status);
      return added;
    }
    if (existing.status().code() != ErrorCode::kNotFound) return existing.status();

    std::string password = NewOneTimePassword();
    CDP_ASSIGN_OR_RETURN(std::string hash, account_service_.Hash(password));
    User user;
    user.id = Uuid::NewV7(clock_).ToString();
    user.email = normalized;
    user.password_hash = std::move(hash);
    user.password_change_required = true;
    user.created_at = membership.created_at;
    user.password_changed_at = membership.created_at;
    membership.user_id = user.id;
    const Status status = accounts_.CreateUserAsMember(user, membership);
    if (status.code() == ErrorCode::kConflict && status.field() == "email" && attempt == 0) {
      continue;
    }
    CDP_RETURN_IF_ERROR(status);
    added.one_time_password = std::move(password);
    return added;
  }
}

Result<MemberService::RoleChange> MemberService::SetRole(const WorkspaceAccess& by,
                                                         std::string_view user_id, Role role) {
  CDP_RETURN_IF_ERROR(CheckAdministers(by));
  if (IsSelf(by, user_id)) {
    return Status::Forbidden("you cannot change your own role: ask another admin");
  }
  CDP_ASSIGN_OR_RETURN(Membership membership, FindMembership(accounts_, by.workspace_id, user_id));
  if ((membership.role == Role::kOwner || role == Role::kOwner) && !IsOwner(by)) {
    return OwnersOnly();
  }
  CDP_ASSIGN_OR_RETURN(const User user, accounts_.GetUser(user_id));
  // The role the rules above were checked against: changed meanwhile
  // (made owner, say), the change is refused rather than applied unchecked.
  const Status status = accounts_.SetMemberRole(by.workspace_id, user_id, role, membership.role);
  if (status.code() == ErrorCode::kNotFound) return NotAMember(user_id);  // removed meanwhile
  CDP_RETURN_IF_ERROR(status);
  RoleChange change;
  change.previous = membership.role;
  membership.role = role;
  change.member = Member{std::move(membership), user.email};
  return change;
}

Result<Member> MemberService::Remove(const WorkspaceAccess& by, std::string_view user_id) {
  const bool self = IsSelf(by, user_id);
  // Anyone may leave; removing someone else takes an admin, and an owner
  // takes an owner.
  if (!self) CDP_RETURN_IF_ERROR(CheckAdministers(by));
  CDP_ASSIGN_OR_RETURN(Membership membership, FindMembership(accounts_, by.workspace_id, user_id));
  if (!self && membership.role == Role::kOwner && !IsOwner(by)) return OwnersOnly();
  CDP_ASSIGN_OR_RETURN(const User user, accounts_.GetUser(user_id));
  const Status status = accounts_.RemoveMember(by.workspace_id, user_id, membership.role);
  if (status.code() == ErrorCode::kNotFound) return NotAMember(user_id);  // removed meanwhile
  CDP_RETURN_IF_ERROR(status);
  return Member{std::move(membership), user.email};
}

}  // namespace cdp
