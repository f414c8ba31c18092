#pragma once

#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include "auth/account_service.h"
#include "auth/principal.h"
#include "core/clock.h"
#include "core/result.h"
#include "meta/account_store.h"

namespace cdp {

// A member just added; one_time_password is set only when the person had no
// account and one was made for them (shown once, to the admin who adds).
struct AddedMember {
  Member member;
  std::optional<std::string> one_time_password;
};

// Workspace membership management, with the rules of roles:
//  - the caller must administer the workspace (an owner or admin, or an
//    admin-scope secret key): the API's guard checks Permission::kAdmin
//    before calling, and `by` says who the caller is;
//  - only an owner makes someone an owner, changes an owner's role or
//    removes an owner (Forbidden otherwise; a secret key is never an owner);
//  - a workspace always keeps an owner (Conflict from the store);
//  - nobody changes their own role (Forbidden: ask another admin), but a
//    member may remove themself (leave), unless they are the last owner.
// Thread safety: as the store.
class MemberService {
 public:
  // REQUIRES: the arguments outlive this.
  MemberService(AccountStore& accounts, AccountService& account_service, const Clock& clock)
      : accounts_(accounts), account_service_(account_service), clock_(clock) {}

  Result<std::vector<Member>> List(std::string_view workspace_id);

  // Adds the person with this email (normalized; BadRequest, field "email")
  // as `role`. Without an account, one is made with a one-time password.
  // Conflict (field "email") when already a member.
  Result<AddedMember> Add(const WorkspaceAccess& by, std::string_view email, Role role);

  // Returns the member as changed, with the previous role for the audit log.
  struct RoleChange {
    Member member;
    Role previous = Role::kViewer;
  };
  // NotFound (field "user_id") when not a member.
  Result<RoleChange> SetRole(const WorkspaceAccess& by, std::string_view user_id, Role role);

  // Returns the member as they were. NotFound (field "user_id") when not a
  // member.
  Result<Member> Remove(const WorkspaceAccess& by, std::string_view user_id);

 private:
  AccountStore& accounts_;
  AccountService& account_service_;
  const Clock& clock_;
};

}  // namespace cdp
