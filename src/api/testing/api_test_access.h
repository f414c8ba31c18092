#pragma once

#include <gtest/gtest.h>

#include <chrono>
#include <memory>
#include <string>
#include <utility>
#include <vector>

#include "api/api_routes.h"
#include "api/audit_recorder.h"
#include "auth/access_control.h"
#include "auth/api_key_format.h"
#include "auth/testing/account_fixtures.h"
#include "auth/workspace_provisioner.h"
#include "core/clock.h"
#include "core/uuid.h"
#include "http/router.h"
#include "meta/sqlite/sqlite_account_store.h"
#include "meta/sqlite/sqlite_audit_log.h"
#include "meta/sqlite/sqlite_meta_store.h"
#include "meta/sqlite/sqlite_test_store.h"

namespace cdp::api::testing {

// The server API's access machinery as `cdp serve` builds it, for route
// tests: a migrated SQLite metadata database with the meta store, the
// account store and the audit log on it, an AccessControl, an
// AuditRecorder, and the guarded ApiRoutes on the test's router. Workspaces
// come from the provisioner, so each has an admin secret key that tests send
// as "Authorization: Bearer sk_..."; users, memberships, sessions and keys
// of other scopes are made on demand.
//
// Use: Open() from SetUp (it adds test failures when something fails), then
// register the routes under test on routes().
class ApiTestAccess {
 public:
  // REQUIRES: `clock` outlives this.
  explicit ApiTestAccess(const Clock& clock = SystemClock::Instance()) : clock_(clock) {}

  // Migrates the database at `path`, opens the stores on it, and puts the
  // guard in front of `router`. REQUIRES: `router` outlives this.
  void Open(const std::string& path, http::Router& router, ApiRoutes::Options options = {}) {
    meta_ = cdp::testing::OpenMigratedSqliteMetaStore(path);
    ASSERT_NE(meta_, nullptr);
    auto accounts = OpenSqliteAccountStore(path);
    ASSERT_TRUE(accounts.ok()) << accounts.status().ToString();
    accounts_ = std::move(accounts).value();
    auto audit_log = OpenSqliteAuditLog(path);
    ASSERT_TRUE(audit_log.ok()) << audit_log.status().ToString();
    audit_log_ = std::move(audit_log).value();
    access_control_ = std::make_unique<AccessControl>(*meta_, *accounts_, clock_);
    audit_ = std::make_unique<AuditRecorder>(*audit_log_, clock_, /*trusted_proxies=*/0);
    routes_ = std::make_unique<ApiRoutes>(router, *access_control_, std::move(options));
  }

  SqliteMetaStore& meta() { return *meta_; }
  SqliteAccountStore& accounts() { return *accounts_; }
  SqliteAuditLog& audit_log() { return *audit_log_; }
  const AccessControl& access_control() const { return *access_control_; }
  const AuditRecorder& audit() const { return *audit_; }
  ApiRoutes& routes() { return *routes_; }

  // A new workspace with a write key and an admin secret key.
  ProvisionedWorkspace CreateWorkspace(std::string_view name) {
    WorkspaceProvisioner provisioner(*meta_, clock_);
    Result<ProvisionedWorkspace> created = provisioner.Create(name);
    EXPECT_TRUE(created.ok()) << created.status().ToString();
    return created.ok() ? std::move(created).value() : ProvisionedWorkspace{};
  }

  // A new secret key of the workspace, in clear.
  std::string AddSecretKey(const std::string& workspace_id, ApiKeyScope scope) {
    return cdp::testing::StoreSecretKey(*meta_, clock_, workspace_id, scope).secret;
  }

  // A new user (whose password is never checked here); returns the id.
  std::string AddUser(const std::string& email, bool password_change_required = false) {
    return cdp::testing::StoreUser(*accounts_, clock_, email, password_change_required);
  }

  void AddMember(const std::string& workspace_id, const std::string& user_id, Role role) {
    const Status added = accounts_->AddMember({workspace_id, user_id, role, clock_.Now()});
    EXPECT_TRUE(added.ok()) << added.ToString();
  }

  // A session of the user, valid for a day; returns its token.
  std::string StartSession(const std::string& user_id, SessionKind kind = SessionKind::kToken) {
    return cdp::testing::StoreSession(*accounts_, clock_, user_id, kind, std::chrono::hours(24))
        .secret;
  }

  // A member of the workspace with `role` and a bearer session; returns its
  // token.
  std::string MemberToken(const std::string& workspace_id, Role role) {
    const std::string user_id =
        AddUser(std::string(RoleName(role)) + "." + Uuid::NewV4().ToString() + "@example.com");
    AddMember(workspace_id, user_id, role);
    return StartSession(user_id);
  }

  // The workspace's audit log, newest first.
  std::vector<AuditEntry> AuditEntries(const std::string& workspace_id) {
    Result<AuditPage> page = audit_log_->ListAudit(workspace_id, {}, "", kMaxAuditPageSize);
    EXPECT_TRUE(page.ok()) << page.status().ToString();
    return page.ok() ? std::move(page->entries) : std::vector<AuditEntry>{};
  }

 private:
  const Clock& clock_;
  std::unique_ptr<SqliteMetaStore> meta_;
  std::unique_ptr<SqliteAccountStore> accounts_;
  std::unique_ptr<SqliteAuditLog> audit_log_;
  std::unique_ptr<AccessControl> access_control_;
  std::unique_ptr<AuditRecorder> audit_;
  std::unique_ptr<ApiRoutes> routes_;
};

}  // namespace cdp::api::testing
