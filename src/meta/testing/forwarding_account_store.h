#pragma once

#include <optional>
#include <string_view>
#include <vector>

#include "meta/account_store.h"

namespace cdp::testing {

// An AccountStore for tests that forwards every call to a real one: a test
// double overrides only the calls it changes (counting them, failing them).
class ForwardingAccountStore : public AccountStore {
 public:
  explicit ForwardingAccountStore(AccountStore& real) : real_(real) {}

  Result<Session> FindSessionByTokenHash(std::string_view token_hash) override {
    return real_.FindSessionByTokenHash(token_hash);
  }
  Result<User> GetUser(std::string_view user_id) override { return real_.GetUser(user_id); }
  Status CreateUser(const User& user) override { return real_.CreateUser(user); }
  Result<User> FindUserByEmail(std::string_view email) override {
    return real_.FindUserByEmail(email);
  }
  Result<std::vector<User>> ListUsers() override { return real_.ListUsers(); }
  Status SetPassword(std::string_view user_id, std::string_view password_hash, bool change_required,
                     TimePoint at) override {
    return real_.SetPassword(user_id, password_hash, change_required, at);
  }
  Result<User> RecordFailedLogin(std::string_view user_id, int lock_after,
                                 TimePoint lock_until) override {
    return real_.RecordFailedLogin(user_id, lock_after, lock_until);
  }
  Status RecordSuccessfulLogin(std::string_view user_id) override {
    return real_.RecordSuccessfulLogin(user_id);
  }
  Status AddMember(const Membership& membership) override { return real_.AddMember(membership); }
  Status CreateUserAsMember(const User& user, const Membership& membership) override {
    return real_.CreateUserAsMember(user, membership);
  }
  Result<Membership> GetMembership(std::string_view workspace_id,
                                   std::string_view user_id) override {
    return real_.GetMembership(workspace_id, user_id);
  }
  Result<std::vector<Member>> ListMembers(std::string_view workspace_id) override {
    return real_.ListMembers(workspace_id);
  }
  Result<std::vector<UserWorkspace>> ListUserWorkspaces(std::string_view user_id) override {
    return real_.ListUserWorkspaces(user_id);
  }
  Status SetMemberRole(std::string_view workspace_id, std::string_view user_id, Role role,
                       std::optional<Role> expected) override {
    return real_.SetMemberRole(workspace_id, user_id, role, expected);
  }
  Status RemoveMember(std::string_view workspace_id, std::string_view user_id,
                      std::optional<Role> expected) override {
    return real_.RemoveMember(workspace_id, user_id, expected);
  }
  Status CreateSession(const Session& session) override { return real_.CreateSession(session); }
  Result<std::vector<Session>> ListActiveSessions(std::string_view user_id,
                                                  TimePoint now) override {
    return real_.ListActiveSessions(user_id, now);
  }
  Status RevokeSession(std::string_view user_id, std::string_view session_id,
                       TimePoint at) override {
    return real_.RevokeSession(user_id, session_id, at);
  }
  Result<int> RevokeUserSessions(std::string_view user_id, std::string_view keep_session_id,
                                 TimePoint at) override {
    return real_.RevokeUserSessions(user_id, keep_session_id, at);
  }
  Result<int> DeleteSessionsEndedBefore(TimePoint before) override {
    return real_.DeleteSessionsEndedBefore(before);
  }

 protected:
  AccountStore& real_;
};

}  // namespace cdp::testing
