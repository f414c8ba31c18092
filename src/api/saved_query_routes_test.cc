#include "api/saved_query_routes.h"

#include <fmt/format.h>
#include <gtest/gtest.h>

#include <chrono>
#include <memory>
#include <string>

#include "api/testing/query_library_routes_test.h"
#include "auth/workspace_provisioner.h"
#include "core/json_writer.h"
#include "core/uuid.h"
#include "http/response.h"
#include "meta/sqlite/sqlite_query_library.h"
#include "support/captured_reply.h"
#include "support/json_pointer.h"
#include "support/temp_dir.h"

namespace cdp::api {
namespace {

using namespace std::chrono_literals;

using cdp::testing::JsonAt;
using cdp::testing::StringAt;

class SavedQueryRoutesTest : public testing::QueryLibraryRoutesTest {
 protected:
  void SetUp() override {
    QueryLibraryRoutesTest::SetUp();
    if (HasFatalFailure()) return;
    AddSavedQueryRoutes(access_.routes(), access_.audit(), *library_, clock_);
  }

  // POST /queries as acme; returns the new id.
  std::string Create(std::string_view name = "Signups", std::string_view kind = "trends",
                     std::string_view request = R"({"from":"2026-03-01","to":"2026-03-08"})") {
    JsonWriter body;
    body.BeginObject().Key("name").String(name).Key("kind").String(kind).Key("request").Raw(
        request);
    const http::Response response =
        Call("POST", "/queries", acme_.secret_key, std::move(body.EndObject()).Take());
    EXPECT_EQ(response.status, 201) << response.body;
    return StringAt(response.body, "/id");
  }
};

TEST_F(SavedQueryRoutesTest, EveryRouteNeedsCredentialsOfTheWorkspace) {
  const std::string id = Create();
  const std::string path = "/queries/" + id;
  const std::pair<const char*, std::string> routes[] = {
      {"POST", "/queries"}, {"GET", "/queries"}, {"GET", path}, {"PUT", path}, {"DELETE", path}};
  for (const auto& [method, target] : routes) {
    EXPECT_EQ(Call(method, target, "").status, 401) << method << " " << target;
    // A write key reads nothing.
    EXPECT_EQ(Call(method, target, acme_.write_key).status, 401) << method << " " << target;
    // A key of acme naming another workspace.
    EXPECT_EQ(
        Call(method, target, acme_.secret_key, "{}", {{"X-Workspace-Id", other_.workspace.id}})
            .status,
        403)
        << method << " " << target;
  }
  EXPECT_EQ(Call("GET", path, acme_.secret_key).status, 200);  // still there
}

TEST_F(SavedQueryRoutesTest, ReadingNeedsReadChangingNeedsBuild) {
  const std::string id = Create();
  const std::string path = "/queries/" + id;
  const std::string viewer = access_.MemberToken(acme_.workspace.id, Role::kViewer);
  const std::string member = access_.MemberToken(acme_.workspace.id, Role::kMember);
  const std::string read_key = access_.AddSecretKey(acme_.workspace.id, ApiKeyScope::kRead);
  for (const std::string& reader : {viewer, read_key}) {
    EXPECT_EQ(Call("GET", "/queries", reader).status, 200);
    EXPECT_EQ(Call("GET", path, reader).status, 200);
    EXPECT_EQ(Call("POST", "/queries", reader, R"({"name":"q","kind":"sql","request":{}})").status,
              403);
    EXPECT_EQ(Call("PUT", path, reader, R"({"name": "x"})").status, 403);
    EXPECT_EQ(Call("DELETE", path, reader).status, 403);
  }
  EXPECT_EQ(Call("PUT", path, member, R"({"name": "Renamed"})").status, 200);
  const http::Response created =
      Call("POST", "/queries", member, R"({"name":"q","kind":"sql","request":{}})");
  EXPECT_EQ(created.status, 201) << created.body;
  EXPECT_EQ(Call("DELETE", "/queries/" + StringAt(created.body, "/id"), member).status, 204);
  // Nobody of another workspace, whatever their role there.
  const std::string outsider = access_.MemberToken(other_.workspace.id, Role::kOwner);
  EXPECT_EQ(Call("GET", path, outsider, "", {{"X-Workspace-Id", acme_.workspace.id}}).status, 403);
  EXPECT_EQ(Call("GET", path, outsider).status, 404);
}

TEST_F(SavedQueryRoutesTest, DeletionIsAudited) {
  const std::string id = Create("Weekly signups");
  const std::string member_id = access_.AddUser("builder@example.com");
  access_.AddMember(acme_.workspace.id, member_id, Role::kMember);
  ASSERT_EQ(Call("DELETE", "/queries/" + id, access_.StartSession(member_id)).status, 204);
  // Creating and changing are not administrative actions.
  const std::vector<AuditEntry> entries = AcmeAudit();
  ASSERT_EQ(entries.size(), 1u);
  const AuditEntry& entry = entries.front();
  EXPECT_EQ(entry.action, "saved_query.delete");
  EXPECT_EQ(entry.target_kind, "saved_query");
  EXPECT_EQ(entry.target_id, id);
  EXPECT_EQ(JsonAt(entry.details, "/name"), R"("Weekly signups")");
  EXPECT_EQ(JsonAt(entry.details, "/kind"), R"("trends")");
  EXPECT_EQ(entry.actor, (AuditActor{AuditActorKind::kUser, member_id, "builder@example.com"}));
  EXPECT_EQ(entry.ip, "192.0.2.10");
  EXPECT_EQ(entry.request_id, "req_test");
  EXPECT_EQ(entry.at, kT0);
  // A refused deletion leaves no entry.
  EXPECT_EQ(Call("DELETE", "/queries/" + id, acme_.secret_key).status, 404);
  EXPECT_EQ(AcmeAudit().size(), 1u);
  EXPECT_TRUE(access_.AuditEntries(other_.workspace.id).empty());
}

TEST_F(SavedQueryRoutesTest, CreatesReadsUpdatesAndDeletes) {
  const http::Response created = Call("POST", "/queries", acme_.secret_key, R"({
      "name": "Weekly signups", "kind": "trends",
      "request": {"from": "2026-03-01", "to": "2026-03-08",
                  "series": [ {"event": "Signed Up"} ], "time_zone": "Europe/Paris"}})");
  ASSERT_EQ(created.status, 201) << created.body;
  const std::string id = StringAt(created.body, "/id");
  EXPECT_EQ(Uuid::Parse(id)->version(), 7);
  // The request is kept minified, as JSON, not as a string.
  const std::string request =
      R"({"from":"2026-03-01","to":"2026-03-08","series":[{"event":"Signed Up"}],)"
      R"("time_zone":"Europe/Paris"})";
  const std::string at = FormatIso8601(kT0);
  EXPECT_EQ(created.body, fmt::format(R"({{"id":"{}","name":"Weekly signups","kind":"trends",)"
                                      R"("request":{},"created_at":"{}","updated_at":"{}"}})",
                                      id, request, at, at));
  const http::Response read = Call("GET", "/queries/" + id, acme_.secret_key);
  EXPECT_EQ(read.status, 200);
  EXPECT_EQ(read.body, created.body);

  // PUT replaces only what it gives.
  clock_.Advance(1h);
  const http::Response renamed =
      Call("PUT", "/queries/" + id, acme_.secret_key, R"({"name": "Signups"})");
  ASSERT_EQ(renamed.status, 200) << renamed.body;
  EXPECT_EQ(StringAt(renamed.body, "/name"), "Signups");
  EXPECT_EQ(StringAt(renamed.body, "/kind"), "trends");
  EXPECT_EQ(JsonAt(renamed.body, "/request"), request);
  EXPECT_EQ(StringAt(renamed.body, "/created_at"), at);
  EXPECT_EQ(StringAt(renamed.body, "/updated_at"), FormatIso8601(kT0 + 1h));

  const http::Response changed = Call("PUT", "/queries/" + id, acme_.secret_key,
                                      R"({"kind": "funnel", "request": {"steps": [1, 2]}})");
  ASSERT_EQ(changed.status, 200) << changed.body;
  EXPECT_EQ(StringAt(changed.body, "/name"), "Signups");
  EXPECT_EQ(StringAt(changed.body, "/kind"), "funnel");
  EXPECT_EQ(JsonAt(changed.body, "/request"), R"({"steps":[1,2]})");
  EXPECT_EQ(Call("GET", "/queries/" + id, acme_.secret_key).body, changed.body);
  // An empty PUT changes nothing but the time.
  EXPECT_EQ(Call("PUT", "/queries/" + id, acme_.secret_key, "{}").status, 200);

  const http::Response deleted = Call("DELETE", "/queries/" + id, acme_.secret_key);
  EXPECT_EQ(deleted.status, 204);
  EXPECT_EQ(Call("GET", "/queries/" + id, acme_.secret_key).status, 404);
  EXPECT_EQ(Call("DELETE", "/queries/" + id, acme_.secret_key).status, 404);
}

TEST_F(SavedQueryRoutesTest, EveryKindCanBeSaved) {
  for (const char* kind : {"events", "trends", "funnel", "retention", "session", "paths", "sql"}) {
    const std::string id = Create("q", kind, "{}");
    EXPECT_EQ(StringAt(Call("GET", "/queries/" + id, acme_.secret_key).body, "/kind"), kind);
  }
}

TEST_F(SavedQueryRoutesTest, AnotherWorkspacesQueryIsNotFound) {
  const std::string id = Create();
  const std::string before = Call("GET", "/queries/" + id, acme_.secret_key).body;
  const http::Response read = Call("GET", "/queries/" + id, other_.secret_key);
  EXPECT_EQ(read.status, 404);
  EXPECT_EQ(read.body.find("Signups"), std::string::npos) << read.body;
  EXPECT_EQ(Call("PUT", "/queries/" + id, other_.secret_key, R"({"name": "Mine"})").status, 404);
  EXPECT_EQ(Call("DELETE", "/queries/" + id, other_.secret_key).status, 404);
  EXPECT_EQ(Call("GET", "/queries", other_.secret_key).body,
            R"({"results":[],"next_cursor":null})");
  EXPECT_EQ(Call("GET", "/queries/" + id, acme_.secret_key).body, before);
}

TEST_F(SavedQueryRoutesTest, ListsNewestFirstPageByPage) {
  std::vector<std::string> ids;
  for (int i = 0; i < 3; ++i) {
    clock_.Advance(1ms);
    ids.insert(ids.begin(), Create(fmt::format("q{}", i)));
  }
  const http::Response first = Call("GET", "/queries?limit=2", acme_.secret_key);
  ASSERT_EQ(first.status, 200) << first.body;
  EXPECT_EQ(StringAt(first.body, "/results/0/id"), ids[0]);
  EXPECT_EQ(StringAt(first.body, "/results/0/name"), "q2");
  EXPECT_EQ(StringAt(first.body, "/results/1/id"), ids[1]);
  EXPECT_EQ(JsonAt(first.body, "/results/0/request"), R"({"from":"2026-03-01","to":"2026-03-08"})");
  EXPECT_EQ(JsonAt(first.body, "/results/2"), "");
  EXPECT_EQ(StringAt(first.body, "/next_cursor"), ids[1]);
  const http::Response last = Call(
      "GET", "/queries?limit=2&cursor=" + StringAt(first.body, "/next_cursor"), acme_.secret_key);
  EXPECT_EQ(StringAt(last.body, "/results/0/id"), ids[2]);
  EXPECT_EQ(JsonAt(last.body, "/results/1"), "");
  EXPECT_EQ(JsonAt(last.body, "/next_cursor"), "null");
  // The default page holds them all.
  EXPECT_EQ(StringAt(Call("GET", "/queries", acme_.secret_key).body, "/results/2/id"), ids[2]);

  for (const char* limit : {"0", "1001", "abc", "-1", ""}) {
    ExpectBadRequest(Call("GET", fmt::format("/queries?limit={}", limit), acme_.secret_key),
                     "limit");
  }
}

TEST_F(SavedQueryRoutesTest, EachBadFieldIsA400NamingIt) {
  const auto post = [&](std::string body) {
    return Call("POST", "/queries", acme_.secret_key, std::move(body));
  };
  const std::string ok_request = R"("request": {"from": "2026-03-01"})";
  EXPECT_EQ(post("not json").status, 400);
  EXPECT_EQ(post("[1]").status, 400);
  ExpectBadRequest(post(R"({"kind": "trends", )" + ok_request + "}"), "name");
  ExpectBadRequest(post(R"({"name": null, "kind": "trends", )" + ok_request + "}"), "name");
  ExpectBadRequest(post(R"({"name": "", "kind": "trends", )" + ok_request + "}"), "name");
  ExpectBadRequest(post(R"({"name": 7, "kind": "trends", )" + ok_request + "}"), "name");
  ExpectBadRequest(post(fmt::format(R"({{"name": "{}", "kind": "trends", {}}})",
                                    std::string(201, 'n'), ok_request)),
                   "name");
  ExpectBadRequest(post(R"({"name": "q", )" + ok_request + "}"), "kind");
  const http::Response unknown_kind =
      post(R"({"name": "q", "kind": "histogram", )" + ok_request + "}");
  ExpectBadRequest(unknown_kind, "kind");
  EXPECT_NE(unknown_kind.body.find("events, trends, funnel, retention, session, paths, sql"),
            std::string::npos)
      << unknown_kind.body;
  ExpectBadRequest(post(R"({"name": "q", "kind": ["trends"], )" + ok_request + "}"), "kind");
  ExpectBadRequest(post(R"({"name": "q", "kind": "trends"})"), "request");
  ExpectBadRequest(post(R"({"name": "q", "kind": "trends", "request": [1]})"), "request");
  ExpectBadRequest(post(R"({"name": "q", "kind": "trends", "request": "{}"})"), "request");
  ExpectBadRequest(
      post(fmt::format(R"({{"name": "q", "kind": "trends", "request": {{"pad": "{}"}}}})",
                       std::string(kMaxSavedQueryRequestBytes, 'x'))),
      "request");
  ExpectBadRequest(post(R"({"name": "q", "kind": "trends", "owner": "me", )" + ok_request + "}"),
                   "owner");
  EXPECT_EQ(Call("GET", "/queries", acme_.secret_key).body, R"({"results":[],"next_cursor":null})");

  const std::string id = Create();
  const std::string before = Call("GET", "/queries/" + id, acme_.secret_key).body;
  const auto put = [&](std::string body) {
    return Call("PUT", "/queries/" + id, acme_.secret_key, std::move(body));
  };
  ExpectBadRequest(put(R"({"name": ""})"), "name");
  ExpectBadRequest(put(R"({"kind": "nope"})"), "kind");
  ExpectBadRequest(put(R"({"request": 1})"), "request");
  ExpectBadRequest(put(R"({"name": "ok", "extra": 1})"), "extra");
  EXPECT_EQ(put("nope").status, 400);
  EXPECT_EQ(Call("GET", "/queries/" + id, acme_.secret_key).body, before);
}

TEST_F(SavedQueryRoutesTest, AQueryShownOnADashboardIsNotDeleted) {
  const std::string id = Create();
  Dashboard dashboard;
  dashboard.id = Uuid::NewV7(clock_).ToString();
  dashboard.workspace_id = acme_.workspace.id;
  dashboard.name = "Growth";
  dashboard.widgets = {{"w1", id, "", {0, 0, 1, 1}}};
  ASSERT_TRUE(library_->CreateDashboard(dashboard).ok());
  const http::Response refused = Call("DELETE", "/queries/" + id, acme_.secret_key);
  EXPECT_EQ(refused.status, 409);
  EXPECT_EQ(StringAt(refused.body, "/field"), "id");
  EXPECT_NE(refused.body.find("'Growth' (" + dashboard.id + ")"), std::string::npos)
      << refused.body;
  EXPECT_EQ(Call("GET", "/queries/" + id, acme_.secret_key).status, 200);
  EXPECT_TRUE(AcmeAudit().empty());
}

}  // namespace
}  // namespace cdp::api
