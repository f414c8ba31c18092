#pragma once

#include <gtest/gtest.h>

#include <chrono>
#include <memory>
#include <string>
#include <vector>

#include "api/testing/api_test_access.h"
#include "auth/workspace_provisioner.h"
#include "core/clock.h"
#include "http/router.h"
#include "meta/sqlite/sqlite_query_library.h"
#include "support/captured_reply.h"
#include "support/json_pointer.h"
#include "support/route_dispatch.h"
#include "support/temp_dir.h"

namespace cdp::api::testing {

// What the saved-query, dashboard and profile route tests share: a migrated
// metadata database with two workspaces (acme, other) and their admin secret
// keys, the query library on it, a manual clock at kT0, and a router behind
// the access guard (access_.routes()) to which each test adds the routes it
// tests; requests go through the router to the guard and the handler.
class QueryLibraryRoutesTest : public ::testing::Test {
 protected:
  static inline const TimePoint kT0 = std::chrono::sys_days{std::chrono::year{2026} / 3 / 4} +
                                      std::chrono::hours(5) + std::chrono::minutes(6) +
                                      std::chrono::milliseconds(789);

  void SetUp() override {
    ASSERT_NO_FATAL_FAILURE(access_.Open(path_, router_));
    auto library = OpenSqliteQueryLibrary(path_);
    ASSERT_TRUE(library.ok()) << library.status().ToString();
    library_ = std::move(library).value();
    acme_ = access_.CreateWorkspace("acme");
    other_ = access_.CreateWorkspace("other");
    ASSERT_FALSE(acme_.secret_key.empty() || other_.secret_key.empty());
  }

  // Routes `method target` with `secret_key` (a secret key or a session
  // token) as its bearer token (none when empty) and calls the handler;
  // returns where it answers.
  std::shared_ptr<cdp::testing::CapturedReply> Start(std::string_view method,
                                                     std::string_view target,
                                                     const std::string& secret_key,
                                                     std::string body = "",
                                                     http::HeaderList headers = {}) {
    const std::string authorization = "Bearer " + secret_key;
    if (!secret_key.empty()) headers.emplace_back("Authorization", authorization);
    http::Request request;
    request.SetStartLine(method, target);
    request.SetHeaders(std::move(headers));
    request.SetBody(std::move(body));
    request.SetRequestId("req_test");
    request.SetRemoteAddress("192.0.2.10");
    auto reply = std::make_shared<cdp::testing::CapturedReply>("req_test");
    cdp::testing::DispatchToRoute(router_, request, cdp::testing::ReplyTo(reply));
    return reply;
  }

  // The same, for a handler that answers before returning.
  http::Response Call(std::string_view method, std::string_view target,
                      const std::string& secret_key, std::string body = "",
                      http::HeaderList headers = {}) {
    const auto reply = Start(method, target, secret_key, std::move(body), std::move(headers));
    EXPECT_TRUE(reply->response().has_value()) << "the handler must answer";
    return reply->response().value_or(http::Response{});
  }

  // Expects a 400 naming `field`.
  static void ExpectBadRequest(const http::Response& response, std::string_view field) {
    EXPECT_EQ(response.status, 400) << response.body;
    EXPECT_EQ(cdp::testing::StringAt(response.body, "/field"), field) << response.body;
  }

  // The audit entries of acme's log, newest first.
  std::vector<AuditEntry> AcmeAudit() { return access_.AuditEntries(acme_.workspace.id); }

  cdp::testing::TempDir dir_;
  std::string path_ = dir_.File("meta.sqlite");
  ManualClock clock_{kT0};
  http::Router router_;
  ApiTestAccess access_{clock_};
  std::unique_ptr<SqliteQueryLibrary> library_;
  ProvisionedWorkspace acme_;
  ProvisionedWorkspace other_;
};

}  // namespace cdp::api::testing
