#include "api/audit_routes.h"

#include <gtest/gtest.h>

#include <string>

#include "api/testing/access_routes_test.h"
#include "support/json_pointer.h"

namespace cdp::api {
namespace {

using cdp::testing::JsonAt;
using cdp::testing::StringAt;

class AuditRoutesTest : public testing::AccessRoutesTest {
 protected:
  void SetUp() override {
    AccessRoutesTest::SetUp();
    admin_ = AddUser("admin@example.com", acme_.workspace.id, Role::kAdmin);
    AddAuditRoutes(*routes_, *audit_log_);
  }

  // Appends an entry to `workspace_id`'s log, `minutes` after kT0.
  AuditEntry Append(const std::string& workspace_id, int minutes, std::string action,
                    std::string actor_id, std::string target_id, std::string details = "{}") {
    AuditEntry entry;
    clock_.Set(kT0 + std::chrono::minutes(minutes));
    entry.id = Uuid::NewV7(clock_).ToString();
    entry.workspace_id = workspace_id;
    entry.at = clock_.Now();
    entry.actor = {.kind = AuditActorKind::kUser, .id = std::move(actor_id), .label = "a@b.c"};
    entry.action = std::move(action);
    entry.target_kind = "member";
    entry.target_id = std::move(target_id);
    entry.details = std::move(details);
    entry.ip = "198.51.100.7";
    entry.request_id = "req_" + std::to_string(minutes);
    const Status appended = audit_log_->AppendAudit(entry);
    EXPECT_TRUE(appended.ok()) << appended.ToString();
    return entry;
  }

  // The action of every result of GET `target` as acme's admin, in order.
  std::vector<std::string> Actions(const std::string& target) {
    const http::Response response = CallIn(acme_.workspace.id, "GET", target, admin_.token);
    EXPECT_EQ(response.status, 200) << response.body;
    std::vector<std::string> actions;
    for (int i = 0;; ++i) {
      std::string action = StringAt(response.body, "/results/" + std::to_string(i) + "/action");
      if (action.empty()) break;
      actions.push_back(std::move(action));
    }
    return actions;
  }

  TestUser admin_;
};

TEST_F(AuditRoutesTest, EntriesNewestFirstWithEveryField) {
  Append(acme_.workspace.id, 1, "member.add", "u1", "t1", R"({"role":"viewer"})");
  const AuditEntry last = Append(acme_.workspace.id, 2, "member.role_change", "u2", "t2",
                                 R"({"role":{"from":"viewer","to":"admin"}})");
  Append(other_.workspace.id, 3, "member.add", "u3", "t3");

  const http::Response listed = CallIn(acme_.workspace.id, "GET", "/audit", admin_.token);
  ASSERT_EQ(listed.status, 200) << listed.body;
  EXPECT_EQ(StringAt(listed.body, "/results/0/id"), last.id);
  EXPECT_EQ(StringAt(listed.body, "/results/0/at"), FormatIso8601(kT0 + std::chrono::minutes(2)));
  EXPECT_EQ(JsonAt(listed.body, "/results/0/actor"),
            R"({"kind":"user","id":"u2","label":"a@b.c"})");
  EXPECT_EQ(StringAt(listed.body, "/results/0/action"), "member.role_change");
  EXPECT_EQ(JsonAt(listed.body, "/results/0/target"), R"({"kind":"member","id":"t2"})");
  // Details are JSON, not a string holding JSON.
  EXPECT_EQ(JsonAt(listed.body, "/results/0/details"),
            R"({"role":{"from":"viewer","to":"admin"}})");
  EXPECT_EQ(StringAt(listed.body, "/results/0/ip"), "198.51.100.7");
  EXPECT_EQ(StringAt(listed.body, "/results/0/request_id"), "req_2");
  EXPECT_EQ(StringAt(listed.body, "/results/1/action"), "member.add");
  // Another workspace's entries never show.
  EXPECT_EQ(JsonAt(listed.body, "/results/2"), "");
  EXPECT_EQ(JsonAt(listed.body, "/next_cursor"), "null");
}

TEST_F(AuditRoutesTest, Filters) {
  Append(acme_.workspace.id, 1, "member.add", "u1", "t1");
  Append(acme_.workspace.id, 2, "api_key.create", "u2", "k1");
  Append(acme_.workspace.id, 3, "member.remove", "u1", "t1");
  Append(acme_.workspace.id, 4, "api_key.revoke", "u2", "k1");

  EXPECT_EQ(Actions("/audit?action=member.add"), std::vector<std::string>{"member.add"});
  EXPECT_EQ(Actions("/audit?action=member."),
            (std::vector<std::string>{"member.remove", "member.add"}));
  EXPECT_EQ(Actions("/audit?actor_id=u2"),
            (std::vector<std::string>{"api_key.revoke", "api_key.create"}));
  EXPECT_EQ(Actions("/audit?target_id=t1&action=member.remove"),
            std::vector<std::string>{"member.remove"});
  const std::string since = FormatIso8601(kT0 + std::chrono::minutes(2));
  const std::string until = FormatIso8601(kT0 + std::chrono::minutes(4));
  EXPECT_EQ(Actions("/audit?since=" + since + "&until=" + until),
            (std::vector<std::string>{"member.remove", "api_key.create"}));
  EXPECT_EQ(Actions("/audit?since=2026-03-05"), std::vector<std::string>{});
  EXPECT_EQ(Actions("/audit?until=2026-03-04"), std::vector<std::string>{});
  EXPECT_EQ(Actions("/audit?action=&actor_id="),
            (std::vector<std::string>{"api_key.revoke", "member.remove", "api_key.create",
                                      "member.add"}));
}

TEST_F(AuditRoutesTest, PagesWithACursor) {
  for (int i = 0; i < 5; ++i) Append(acme_.workspace.id, i, "member.add", "u", std::to_string(i));
  std::vector<std::string> targets;
  std::string cursor;
  int pages = 0;
  do {
    const std::string target = "/audit?limit=2" + (cursor.empty() ? "" : "&cursor=" + cursor);
    const http::Response page = CallIn(acme_.workspace.id, "GET", target, admin_.token);
    ASSERT_EQ(page.status, 200) << page.body;
    for (int i = 0; i < 2; ++i) {
      const std::string id = StringAt(page.body, "/results/" + std::to_string(i) + "/target/id");
      if (!id.empty()) targets.push_back(id);
    }
    cursor = StringAt(page.body, "/next_cursor");
    ++pages;
  } while (!cursor.empty() && pages < 10);
  EXPECT_EQ(targets, (std::vector<std::string>{"4", "3", "2", "1", "0"}));
  EXPECT_EQ(pages, 3);
}

TEST_F(AuditRoutesTest, InvalidParametersAreNamed) {
  const std::string& ws = acme_.workspace.id;
  ExpectError(CallIn(ws, "GET", "/audit?since=yesterday", admin_.token), 400, "since");
  ExpectError(CallIn(ws, "GET", "/audit?until=2026-13-01", admin_.token), 400, "until");
  ExpectError(CallIn(ws, "GET", "/audit?limit=0", admin_.token), 400, "limit");
  ExpectError(CallIn(ws, "GET", "/audit?limit=1001", admin_.token), 400, "limit");
  ExpectError(CallIn(ws, "GET", "/audit?cursor=not-a-cursor", admin_.token), 400, "cursor");
}

TEST_F(AuditRoutesTest, OnlyAdministratorsReadTheLog) {
  Append(acme_.workspace.id, 1, "member.add", "u1", "t1");
  const TestUser member = AddUser("member@example.com", acme_.workspace.id, Role::kMember);
  const TestUser viewer = AddUser("viewer@example.com", acme_.workspace.id, Role::kViewer);
  auto read_key = api_keys_->Create(
      acme_.workspace.id,
      {.kind = ApiKeyKind::kSecret, .scope = ApiKeyScope::kRead, .name = "reader"}, "");
  ASSERT_TRUE(read_key.ok());
  for (const std::string& credential : {member.token, viewer.token, read_key->key}) {
    ExpectError(CallIn(acme_.workspace.id, "GET", "/audit", credential), 403);
  }
  ExpectError(CallIn(acme_.workspace.id, "GET", "/audit", ""), 401);
  ExpectError(CallIn(acme_.workspace.id, "GET", "/audit", other_.secret_key), 403);
  // Another workspace's admin key sees its own, empty, log.
  const http::Response other = Call("GET", "/audit", other_.secret_key);
  ASSERT_EQ(other.status, 200) << other.body;
  EXPECT_EQ(JsonAt(other.body, "/results"), "[]");
  EXPECT_EQ(StringAt(Call("GET", "/audit", acme_.secret_key).body, "/results/0/action"),
            "member.add");
}

}  // namespace
}  // namespace cdp::api
