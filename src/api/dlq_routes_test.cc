#include "api/dlq_routes.h"

#include <fmt/format.h>
#include <gtest/gtest.h>

#include <memory>
#include <string>
#include <vector>

#include "api/testing/api_test_access.h"
#include "ingest/dead_letter_replayer.h"
#include "ingest/ingest_test_env.h"
#include "support/json_pointer.h"
#include "support/route_dispatch.h"

namespace cdp::api {
namespace {

using cdp::testing::JsonAt;
using cdp::testing::StringAt;

std::string Track(std::string_view message_id, std::string_view plan) {
  return fmt::format(R"({{"userId":"u1","event":"E","messageId":"{}","properties":{{"plan":{}}}}})",
                     message_id, plan);
}

// The dead-letter routes behind the guard, over real ingestion: "plan" is
// registered as a string, and two events sending it as a number are dead
// letters of acme.
class DeadLetterRoutesTest : public ::testing::Test {
 protected:
  void SetUp() override {
    ASSERT_NO_FATAL_FAILURE(access_.Open(env_.dir_.File("meta.sqlite"), router_));
    AddDeadLetterRoutes(access_.routes(), access_.audit(), *env_.store_, replayer_);
    ASSERT_EQ(env_.Segment(Track("m1", R"("pro")")).accepted, 1u);
    ASSERT_EQ(env_.Segment(Track("m2", "2")).rejected.size(), 1u);
    ASSERT_EQ(env_.Segment(Track("m3", "3")).rejected.size(), 1u);
    for (const DeadLetter& letter : env_.DeadLetters()) ids_.insert(ids_.begin(), letter.id);
    ASSERT_EQ(ids_.size(), 2u);  // oldest first
  }

  const std::string& Acme() const { return env_.workspace_.workspace.id; }
  const std::string& AdminKey() const { return env_.workspace_.secret_key; }

  void FixPlanAsNumber() {
    ASSERT_TRUE(
        env_.store_
            ->ChangePropertyType(Acme(), SchemaSection::kProperties, "plan", PropertyType::kNumber)
            .ok());
    env_.schema_->Invalidate(Acme());
  }

  http::Response Call(std::string_view method, std::string_view target, const std::string& token,
                      std::string body = "") {
    http::Request request;
    request.SetStartLine(method, target);
    const std::string authorization = "Bearer " + token;
    request.SetHeaders({{"Authorization", authorization}});
    request.SetBody(std::move(body));
    request.SetRequestId("req-dlq");
    return cdp::testing::CallRoute(router_, request);
  }

  ingest::testing::IngestTestEnv env_;
  ingest::DeadLetterReplayer replayer_{*env_.store_, *env_.schema_, env_.dedup_, *env_.log_,
                                       env_.clock_};
  http::Router router_;
  testing::ApiTestAccess access_{env_.clock_};
  std::vector<std::string> ids_;
};

TEST_F(DeadLetterRoutesTest, RoutesAndTheirPermissions) {
  std::vector<std::string> routes;
  for (const http::Route* route : router_.routes()) {
    routes.push_back(route->method + " " + route->pattern + " " +
                     std::string(http::RouteAccessName(route->access)));
  }
  EXPECT_EQ(routes, (std::vector<std::string>{"GET /dlq read", "GET /dlq/{id} read",
                                              "POST /dlq/replay admin"}));
}

TEST_F(DeadLetterRoutesTest, ReadersListButOnlyAdminsReplay) {
  const std::string viewer = access_.MemberToken(Acme(), Role::kViewer);
  const std::string member = access_.MemberToken(Acme(), Role::kMember);
  const std::string read_key = access_.AddSecretKey(Acme(), ApiKeyScope::kRead);
  FixPlanAsNumber();
  for (const std::string& reader : {viewer, member, read_key}) {
    const http::Response list = Call("GET", "/dlq", reader);
    ASSERT_EQ(list.status, 200) << list.body;
    EXPECT_EQ(StringAt(list.body, "/results/1/id"), ids_[0]);
    EXPECT_EQ(Call("GET", "/dlq/" + ids_[0], reader).status, 200);
    EXPECT_EQ(Call("POST", "/dlq/replay", reader, R"({"all": true})").status, 403);
  }
  // Nothing was replayed, nothing audited.
  EXPECT_EQ(StringAt(Call("GET", "/dlq/" + ids_[0], viewer).body, "/status"), "pending");
  EXPECT_TRUE(access_.AuditEntries(Acme()).empty());
  // Another workspace's letters are not found.
  EXPECT_EQ(Call("GET", "/dlq/" + ids_[0], env_.other_.secret_key).status, 404);
}

TEST_F(DeadLetterRoutesTest, AReplayIsAuditedWithCountsAndIdsNeverEvents) {
  // Before the fix: rejected again, and still audited (the replay happened).
  const http::Response rejected = Call("POST", "/dlq/replay", AdminKey(), R"({"all": true})");
  ASSERT_EQ(rejected.status, 200) << rejected.body;
  EXPECT_EQ(StringAt(rejected.body, "/results/0/outcome"), "rejected");

  FixPlanAsNumber();
  const std::string admin_id = access_.AddUser("ops@example.com");
  access_.AddMember(Acme(), admin_id, Role::kOwner);
  const http::Response replayed = Call("POST", "/dlq/replay", access_.StartSession(admin_id),
                                       R"({"ids": [")" + ids_[0] + R"("]})");
  ASSERT_EQ(replayed.status, 200) << replayed.body;
  EXPECT_EQ(StringAt(replayed.body, "/results/0/outcome"), "accepted");

  const std::vector<AuditEntry> entries = access_.AuditEntries(Acme());
  ASSERT_EQ(entries.size(), 2u);
  const AuditEntry& one = entries[0];  // newest first
  EXPECT_EQ(one.action, "dead_letter.replay");
  EXPECT_EQ(one.target_kind, "dead_letter");
  EXPECT_EQ(one.target_id, ids_[0]);
  EXPECT_EQ(one.actor, (AuditActor{AuditActorKind::kUser, admin_id, "ops@example.com"}));
  EXPECT_EQ(JsonAt(one.details, "/all"), "false");
  EXPECT_EQ(JsonAt(one.details, "/requested"), "1");
  EXPECT_EQ(JsonAt(one.details, "/outcomes"), R"({"accepted":1})");
  EXPECT_EQ(JsonAt(one.details, "/ids"), R"([")" + ids_[0] + R"("])");

  const AuditEntry& all = entries[1];
  EXPECT_EQ(all.action, "dead_letter.replay");
  EXPECT_EQ(all.target_id, "");  // several letters: their ids are in the details
  EXPECT_EQ(all.actor.kind, AuditActorKind::kApiKey);
  EXPECT_EQ(JsonAt(all.details, "/all"), "true");
  EXPECT_EQ(JsonAt(all.details, "/requested"), "2");
  EXPECT_EQ(JsonAt(all.details, "/outcomes"), R"({"rejected":2})");
  EXPECT_EQ(JsonAt(all.details, "/ids"), R"([")" + ids_[0] + R"(",")" + ids_[1] + R"("])");
  EXPECT_EQ(JsonAt(all.details, "/ids_truncated"), "false");
  // Never the events themselves: they are customer data.
  for (const AuditEntry& entry : entries) {
    for (const char* payload : {"messageId", "userId", "plan", "m2", "u1"}) {
      EXPECT_EQ(entry.details.find(payload), std::string::npos) << entry.details;
    }
  }
  // A malformed replay request is refused before anything happens.
  EXPECT_EQ(Call("POST", "/dlq/replay", AdminKey(), R"({"ids": []})").status, 400);
  EXPECT_EQ(access_.AuditEntries(Acme()).size(), 2u);
}

}  // namespace
}  // namespace cdp::api
