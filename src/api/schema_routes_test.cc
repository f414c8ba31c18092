#include "api/schema_routes.h"

#include <fmt/format.h>
#include <gtest/gtest.h>

#include <memory>
#include <string>
#include <vector>

#include "api/testing/api_test_access.h"
#include "auth/api_key_format.h"
#include "ingest/ingest_test_env.h"
#include "support/json_pointer.h"
#include "support/route_dispatch.h"

namespace cdp::api {
namespace {

using cdp::testing::JsonAt;
using cdp::testing::StringAt;

// The schema routes behind the guard, over real ingestion (the test
// environment's metadata store, schema gate and workspaces acme and other,
// each with an admin secret key); events sent through ingestion register
// their properties.
class SchemaRoutesTest : public ::testing::Test {
 protected:
  void SetUp() override {
    ASSERT_NO_FATAL_FAILURE(access_.Open(env_.dir_.File("meta.sqlite"), router_));
    AddSchemaRoutes(access_.routes(), access_.audit(), *env_.store_, *env_.schema_);
    ASSERT_EQ(env_.Segment(R"({"userId":"u1","event":"Signed Up","messageId":"m1",
                              "properties":{"plan":"pro"}})")
                  .accepted,
              1u);
  }

  const std::string& Acme() const { return env_.workspace_.workspace.id; }

  http::Response Call(std::string_view method, std::string_view target, const std::string& token,
                      std::string body = "") {
    http::Request request;
    request.SetStartLine(method, target);
    const std::string authorization = "Bearer " + token;
    request.SetHeaders({{"Authorization", authorization}});
    request.SetBody(std::move(body));
    request.SetRequestId("req-schema");
    request.SetRemoteAddress("192.0.2.44");
    return cdp::testing::CallRoute(router_, request);
  }

  ingest::testing::IngestTestEnv env_;
  http::Router router_;
  testing::ApiTestAccess access_{env_.clock_};
};

TEST_F(SchemaRoutesTest, RoutesAndTheirPermissions) {
  std::vector<std::string> routes;
  for (const http::Route* route : router_.routes()) {
    routes.push_back(route->method + " " + route->pattern + " " +
                     std::string(http::RouteAccessName(route->access)));
  }
  EXPECT_EQ(routes, (std::vector<std::string>{
                        "GET /schemas read", "PUT /schemas/properties/{section}/{name} admin",
                        "DELETE /schemas/properties/{section}/{name} admin"}));
}

TEST_F(SchemaRoutesTest, ReadersListAdminsChange) {
  const std::string viewer = access_.MemberToken(Acme(), Role::kViewer);
  const std::string member = access_.MemberToken(Acme(), Role::kMember);
  const std::string read_key = access_.AddSecretKey(Acme(), ApiKeyScope::kRead);
  for (const std::string& reader : {viewer, member, read_key}) {
    const http::Response schema = Call("GET", "/schemas", reader);
    ASSERT_EQ(schema.status, 200) << schema.body;
    EXPECT_EQ(StringAt(schema.body, "/properties/0/name"), "plan");
    EXPECT_EQ(
        Call("PUT", "/schemas/properties/properties/plan", reader, R"({"type":"number"})").status,
        403);
    EXPECT_EQ(Call("DELETE", "/schemas/properties/properties/plan", reader).status, 403);
  }
  EXPECT_EQ(StringAt(Call("GET", "/schemas", viewer).body, "/properties/0/type"), "string");
  EXPECT_TRUE(access_.AuditEntries(Acme()).empty());
  // Another workspace sees its own, empty, schema.
  EXPECT_EQ(JsonAt(Call("GET", "/schemas", env_.other_.secret_key).body, "/properties"), "[]");
}

TEST_F(SchemaRoutesTest, ATypeChangeIsAudited) {
  const std::string admin_id = access_.AddUser("admin@example.com");
  access_.AddMember(Acme(), admin_id, Role::kAdmin);
  const http::Response changed = Call("PUT", "/schemas/properties/properties/plan",
                                      access_.StartSession(admin_id), R"({"type":"number"})");
  ASSERT_EQ(changed.status, 200) << changed.body;
  EXPECT_EQ(StringAt(changed.body, "/previous_type"), "string");

  const std::vector<AuditEntry> entries = access_.AuditEntries(Acme());
  ASSERT_EQ(entries.size(), 1u);
  const AuditEntry& entry = entries.front();
  EXPECT_EQ(entry.action, "schema.property.change_type");
  EXPECT_EQ(entry.target_kind, "property");
  EXPECT_EQ(entry.target_id, "properties.plan");
  EXPECT_EQ(StringAt(entry.details, "/from"), "string");
  EXPECT_EQ(StringAt(entry.details, "/to"), "number");
  EXPECT_EQ(StringAt(entry.details, "/section"), "properties");
  EXPECT_EQ(StringAt(entry.details, "/name"), "plan");
  EXPECT_EQ(entry.actor, (AuditActor{AuditActorKind::kUser, admin_id, "admin@example.com"}));
  EXPECT_EQ(entry.ip, "192.0.2.44");
  EXPECT_EQ(entry.request_id, "req-schema");
  EXPECT_EQ(entry.at, env_.clock_.Now());
  // The gate saw the change at once: a number is admitted now.
  EXPECT_EQ(env_.Segment(R"({"userId":"u1","event":"Signed Up","messageId":"m2",
                            "properties":{"plan":7}})")
                .accepted,
            1u);
}

TEST_F(SchemaRoutesTest, ADeletionIsAuditedAndRefusalsAreNot) {
  EXPECT_EQ(Call("PUT", "/schemas/properties/nowhere/plan", env_.workspace_.secret_key,
                 R"({"type":"number"})")
                .status,
            400);
  EXPECT_EQ(Call("PUT", "/schemas/properties/properties/plan", env_.workspace_.secret_key,
                 R"({"type":"colour"})")
                .status,
            400);
  EXPECT_EQ(
      Call("DELETE", "/schemas/properties/properties/missing", env_.workspace_.secret_key).status,
      404);
  EXPECT_TRUE(access_.AuditEntries(Acme()).empty());

  ASSERT_EQ(
      Call("DELETE", "/schemas/properties/properties/plan", env_.workspace_.secret_key).status,
      204);
  const std::vector<AuditEntry> entries = access_.AuditEntries(Acme());
  ASSERT_EQ(entries.size(), 1u);
  EXPECT_EQ(entries[0].action, "schema.property.delete");
  EXPECT_EQ(entries[0].target_id, "properties.plan");
  EXPECT_EQ(entries[0].actor.kind, AuditActorKind::kApiKey);
  EXPECT_EQ(entries[0].actor.label, MaskedKey(env_.workspace_.secret_key.substr(0, 8)));
  const http::Response schema = Call("GET", "/schemas", env_.workspace_.secret_key);
  EXPECT_EQ(schema.body.find(R"("name":"plan")"), std::string::npos) << schema.body;
  // Nothing was written to the other workspace's log.
  EXPECT_TRUE(access_.AuditEntries(env_.other_.workspace.id).empty());
}

}  // namespace
}  // namespace cdp::api
