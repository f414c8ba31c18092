#pragma once

#include <gtest/gtest.h>

#include <chrono>
#include <memory>
#include <string>
#include <vector>

#include "api/api_routes.h"
#include "api/audit_recorder.h"
#include "api/testing/api_test_access.h"
#include "auth/access_control.h"
#include "auth/account_service.h"
#include "auth/api_key_format.h"
#include "auth/api_key_service.h"
#include "auth/member_service.h"
#include "auth/workspace_provisioner.h"
#include "core/clock.h"
#include "core/uuid.h"
#include "http/router.h"
#include "support/json_pointer.h"
#include "support/route_dispatch.h"
#include "support/temp_dir.h"

namespace cdp::api::testing {

// What the tests of the account, workspace, API key and audit routes share:
// the access machinery of ApiTestAccess (a migrated metadata database with
// the real SQLite stores, AccessControl, the AuditRecorder and the guarded
// ApiRoutes on router_), two workspaces (acme, other) with their keys, the
// services of src/auth, and a manual clock at kT0. Each test adds the routes
// it tests; requests go through the router to the guard and the handler.
//
// Users made with AddUser get a password hash that verifies nothing and
// sessions made straight in the store (no argon2: cheap); tests of the login
// itself make real passwords through the AccountService.
class AccessRoutesTest : public ::testing::Test {
 protected:
  static inline const TimePoint kT0 = std::chrono::sys_days{std::chrono::year{2026} / 3 / 4} +
                                      std::chrono::hours(5) + std::chrono::minutes(6) +
                                      std::chrono::milliseconds(789);
  static constexpr char kClientIp[] = "203.0.113.9";

  void SetUp() override {
    access_.Open(path_, router_);
    if (HasFatalFailure()) return;
    meta_ = &access_.meta();
    accounts_ = &access_.accounts();
    audit_log_ = &access_.audit_log();
    access_control_ = &access_.access_control();
    audit_ = &access_.audit();
    routes_ = &access_.routes();
    acme_ = access_.CreateWorkspace("acme");
    other_ = access_.CreateWorkspace("other");
    ASSERT_FALSE(acme_.workspace.id.empty());
    ASSERT_FALSE(other_.workspace.id.empty());
    provisioner_ = std::make_unique<WorkspaceProvisioner>(*meta_, clock_);
    api_keys_ = std::make_unique<ApiKeyService>(*meta_, clock_);
    UseAccountOptions({});
  }

  // Rebuilds the account and member services with `options` (call before
  // adding the routes that use them).
  void UseAccountOptions(AccountOptions options) {
    members_.reset();
    account_service_ = std::make_unique<AccountService>(*accounts_, clock_, std::move(options));
    members_ = std::make_unique<MemberService>(*accounts_, *account_service_, clock_);
  }

  struct TestUser {
    std::string id;
    std::string email;
    std::string token;  // a bearer session token ("st_...")
  };

  // A user (whose password verifies nothing) with a token session, member of
  // `workspace_id` as `role` (of none when `workspace_id` is empty).
  TestUser AddUser(const std::string& email, const std::string& workspace_id = {},
                   Role role = Role::kViewer, bool password_change_required = false) {
    TestUser user{access_.AddUser(email, password_change_required), email, {}};
    if (!workspace_id.empty()) AddMembership(workspace_id, user.id, role);
    user.token = AddSession(user.id);
    return user;
  }

  void AddMembership(const std::string& workspace_id, const std::string& user_id, Role role) {
    access_.AddMember(workspace_id, user_id, role);
  }

  // A new token (or cookie) session of the user from kClientIp, valid for a
  // day from now; returns its token.
  std::string AddSession(const std::string& user_id, SessionKind kind = SessionKind::kToken) {
    const std::string token = NewSessionToken();
    Session session;
    session.id = Uuid::NewV7(clock_).ToString();
    session.user_id = user_id;
    session.token_hash = HashToken(token);
    session.kind = kind;
    session.created_at = clock_.Now();
    session.expires_at = clock_.Now() + std::chrono::hours(24);
    session.ip = kClientIp;
    const Status created = accounts_->CreateSession(session);
    EXPECT_TRUE(created.ok()) << created.ToString();
    return token;
  }

  // Routes `method target` with "Authorization: Bearer <credential>" (none
  // when empty) and `headers`, calls the handler, and returns its answer.
  http::Response Call(std::string_view method, std::string_view target,
                      const std::string& credential, std::string body = "",
                      http::HeaderList headers = {}) {
    return CallOn(router_, method, target, credential, std::move(body), std::move(headers));
  }

  // The same through another router (routes added with other options).
  http::Response CallOn(const http::Router& router, std::string_view method,
                        std::string_view target, const std::string& credential,
                        std::string body = "", http::HeaderList headers = {}) {
    const std::string authorization = "Bearer " + credential;
    if (!credential.empty()) headers.emplace_back("Authorization", authorization);
    http::Request request;
    request.SetStartLine(method, target);
    request.SetHeaders(std::move(headers));
    request.SetBody(std::move(body));
    request.SetRequestId("req_test");
    request.SetRemoteAddress(kClientIp);
    return cdp::testing::CallRoute(router, request);
  }

  // The same, naming the workspace with X-Workspace-Id.
  http::Response CallIn(const std::string& workspace_id, std::string_view method,
                        std::string_view target, const std::string& credential,
                        std::string body = "") {
    return Call(method, target, credential, std::move(body), {{"X-Workspace-Id", workspace_id}});
  }

  // Expects `status` with a JSON error naming `field` (when not empty).
  static void ExpectError(const http::Response& response, int status, std::string_view field = {}) {
    EXPECT_EQ(response.status, status) << response.body;
    EXPECT_NE(cdp::testing::StringAt(response.body, "/error"), "") << response.body;
    if (!field.empty()) {
      EXPECT_EQ(cdp::testing::StringAt(response.body, "/field"), field) << response.body;
    }
  }

  // The workspace's audit entries, newest first.
  std::vector<AuditEntry> AuditEntries(const std::string& workspace_id) {
    return access_.AuditEntries(workspace_id);
  }

  cdp::testing::TempDir dir_;
  std::string path_ = dir_.File("meta.sqlite");
  ManualClock clock_{kT0};
  http::Router router_;
  ApiTestAccess access_{clock_};
  // What access_ holds.
  SqliteMetaStore* meta_ = nullptr;
  SqliteAccountStore* accounts_ = nullptr;
  SqliteAuditLog* audit_log_ = nullptr;
  const AccessControl* access_control_ = nullptr;
  const AuditRecorder* audit_ = nullptr;
  ApiRoutes* routes_ = nullptr;
  std::unique_ptr<WorkspaceProvisioner> provisioner_;
  std::unique_ptr<ApiKeyService> api_keys_;
  std::unique_ptr<AccountService> account_service_;
  std::unique_ptr<MemberService> members_;
  ProvisionedWorkspace acme_;
  ProvisionedWorkspace other_;
};

}  // namespace cdp::api::testing
