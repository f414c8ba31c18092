// The ingestion API as a client sees it: the real `cdp serve`, its endpoints,
// credentials and answers, and what ends up in the event log.

#include <gtest/gtest.h>
#include <signal.h>

#include <regex>

#include "blackbox/server_api_test.h"
#include "log/local/local_event_log.h"
#include "model/event_codec.h"
#include "support/raw_http_client.h"

namespace cdp::testing {
namespace {

class IngestTest : public ServerApiTest {
 protected:
  // Every event in the log; stops the server first (the log has one owner).
  std::vector<Event> LoggedEvents() {
    Stop();
    auto log = LocalEventLog::Open({.dir = dir_.path() + "/log"});
    EXPECT_TRUE(log.ok()) << log.status().ToString();
    std::vector<Event> events;
    if (!log.ok()) return events;
    for (int partition = 0; partition < (*log)->partition_count(); ++partition) {
      auto batch = (*log)->Read(partition, 0, 64 << 20);
      EXPECT_TRUE(batch.ok());
      for (const LogRecord& record : batch->records) {
        auto event = DecodeEvent(record.payload);
        EXPECT_TRUE(event.ok()) << event.status().ToString();
        if (event.ok()) events.push_back(std::move(event).value());
      }
    }
    return events;
  }
};

constexpr char kAccepted[] = R"({"success":true,"accepted":1,"duplicates":0,"rejected":[]})";

TEST_F(IngestTest, EverySegmentEndpointTakesItsTypeWithAndWithoutV1) {
  const std::map<std::string, std::string> bodies = {
      {"track", R"({"userId":"u1","event":"Signed Up"})"},
      {"identify", R"({"userId":"u1","traits":{"email":"a@example.com"}})"},
      {"page", R"({"anonymousId":"a1","name":"Home","properties":{"path":"/"}})"},
      {"screen", R"({"anonymousId":"a1","name":"Settings"})"},
      {"group", R"({"userId":"u1","groupId":"g1","traits":{"employees":12}})"},
      {"alias", R"({"userId":"u1","previousId":"a1"})"},
  };
  for (const auto& [type, body] : bodies) {
    for (const std::string prefix : {"/v1/", "/"}) {
      SCOPED_TRACE(prefix + type);
      const HttpResponse response = PostAs(acme_, prefix + type, body);
      EXPECT_EQ(response.status, 200) << response.body;
      EXPECT_EQ(response.body, kAccepted);
      EXPECT_NE(response.Header("x-ratelimit-reset"), "");
    }
  }
  std::map<std::string, int> types;
  for (const Event& event : LoggedEvents()) {
    ++types[std::string(EventTypeName(event.type))];
    EXPECT_FALSE(event.message_id.empty());
  }
  EXPECT_EQ(
      types,
      (std::map<std::string, int>{
          {"alias", 2}, {"group", 2}, {"identify", 2}, {"page", 2}, {"screen", 2}, {"track", 2}}));
}

TEST_F(IngestTest, BatchImportAndCaptureEndpoints) {
  const std::string segment_batch =
      R"({"batch":[{"type":"track","userId":"u1","event":"A"},{"type":"identify","userId":"u1"}],)"
      R"("context":{"library":{"name":"analytics-node"}}})";
  for (const std::string path : {"/v1/batch", "/batch", "/v1/import", "/import"}) {
    const HttpResponse response = PostAs(acme_, path, segment_batch);
    EXPECT_EQ(response.status, 200) << path << " " << response.body;
    EXPECT_NE(response.body.find(R"("accepted":2)"), std::string::npos) << path << response.body;
  }
  const std::string capture_batch = R"({"api_key":")" + acme_.write_key +
                                    R"(","batch":[{"event":"$pageview","distinct_id":"d1"},)"
                                    R"({"event":"clicked","distinct_id":"d1"}]})";
  for (const std::string path : {"/batch", "/capture"}) {
    const HttpResponse response = Post(path, capture_batch);
    EXPECT_EQ(response.status, 200) << path << " " << response.body;
    EXPECT_NE(response.body.find(R"("status":1,"accepted":2)"), std::string::npos) << response.body;
  }
  const HttpResponse single = Post(
      "/capture", R"({"api_key":")" + acme_.write_key + R"(","event":"x","distinct_id":"d2"})");
  EXPECT_EQ(single.status, 200) << single.body;

  size_t with_library = 0;
  const std::vector<Event> events = LoggedEvents();
  EXPECT_EQ(events.size(), 4 * 2 + 2 * 2 + 1u);
  for (const Event& event : events) {
    for (const Property& property : event.context) with_library += property.name == "library_name";
  }
  EXPECT_EQ(with_library, 8u);  // the batch's context reached each Segment item
}

TEST_F(IngestTest, EveryCredentialFormAndTheirRefusals) {
  const std::string body = R"({"userId":"u1","event":"E"})";
  EXPECT_EQ(Post("/v1/track", body, {{"Authorization", BasicAuth(acme_.write_key)}}).status, 200);
  EXPECT_EQ(Post("/v1/track", body, {{"X-Write-Key", acme_.write_key}}).status, 200);
  EXPECT_EQ(
      Post("/v1/track", R"({"writeKey":")" + acme_.write_key + R"(","userId":"u1","event":"E"})")
          .status,
      200);
  EXPECT_EQ(Post("/v1/track", body, {{"Authorization", "Bearer " + acme_.secret_key}}).status, 200);

  const HttpResponse none = Post("/v1/track", body);
  EXPECT_EQ(none.status, 401);
  EXPECT_NE(none.body.find("missing write key"), std::string::npos) << none.body;
  EXPECT_EQ(Post("/v1/track", body, {{"X-Write-Key", "wk_unknown"}}).status, 401);
  EXPECT_EQ(Post("/v1/track", body, {{"Authorization", "Basic !!!"}}).status, 401);
}

TEST_F(IngestTest, RefusalsNameTheFieldOrTheLimit) {
  HttpResponse response = PostAs(acme_, "/v1/track", "{not json");
  EXPECT_EQ(response.status, 400);

  response = PostAs(acme_, "/v1/track", R"({"userId":"u1"})");
  EXPECT_EQ(response.status, 400);
  EXPECT_NE(response.body.find(R"("field":"event")"), std::string::npos) << response.body;

  response = PostAs(
      acme_, "/v1/track",
      R"({"userId":"u1","event":"E","properties":{"t":")" + std::string(40000, 'x') + R"("}})");
  EXPECT_EQ(response.status, 413);
  EXPECT_NE(response.body.find("32768"), std::string::npos) << response.body;

  std::string batch = R"({"batch":[)";
  for (int i = 0; i < 2501; ++i) batch += std::string(i ? "," : "") + "{}";
  response = PostAs(acme_, "/v1/batch", batch + "]}");
  EXPECT_EQ(response.status, 413);
  EXPECT_NE(response.body.find("2500"), std::string::npos) << response.body;

  response = PostAs(
      acme_, "/v1/batch",
      R"({"batch":[{"type":"track","userId":"u1","event":"E"},{"type":"nope","userId":"u1"}]})");
  EXPECT_EQ(response.status, 200);
  EXPECT_NE(response.body.find(R"("rejected":[{"index":1,"status":400,"field":"batch[1].type")"),
            std::string::npos)
      << response.body;
}

TEST_F(IngestTest, OverTheRateLimitIs429WithRetryAfterAndReset) {
  Stop();
  Start({{"CDP_RATE_LIMIT_RPS", "1"}, {"CDP_RATE_LIMIT_BURST", "1"}});
  const std::string body = R"({"userId":"u1","event":"E"})";
  EXPECT_EQ(PostAs(acme_, "/v1/track", body).status, 200);
  const HttpResponse refused = PostAs(acme_, "/v1/track", body);
  EXPECT_EQ(refused.status, 429) << refused.body;
  EXPECT_NE(refused.Header("retry-after"), "");
  EXPECT_NE(refused.Header("x-ratelimit-reset"), "");
  // Another workspace has its own limits.
  EXPECT_EQ(PostAs(other_, "/v1/track", body).status, 200);
}

TEST_F(IngestTest, ADuplicateIsAcknowledgedAndStoredOnceAcrossARestart) {
  const std::string body = R"({"userId":"u1","event":"E","messageId":"retry-me"})";
  EXPECT_EQ(PostAs(acme_, "/v1/track", body).body, kAccepted);
  Stop();
  Start();
  const HttpResponse again = PostAs(acme_, "/v1/track", body);
  EXPECT_EQ(again.status, 200);
  EXPECT_EQ(again.body, R"({"success":true,"accepted":0,"duplicates":1,"rejected":[]})");
  EXPECT_EQ(LoggedEvents().size(), 1u);
}

TEST_F(IngestTest, SchemaConflictGoesToTheDeadLetterQueueAndReplaysAfterTheFix) {
  ASSERT_EQ(PostAs(acme_, "/v1/track", R"({"userId":"u1","event":"E","properties":{"plan":"pro"}})")
                .status,
            200);
  const HttpResponse conflict =
      PostAs(acme_, "/v1/track", R"({"userId":"u1","event":"E","properties":{"plan":3}})");
  EXPECT_EQ(conflict.status, 400);
  EXPECT_NE(conflict.body.find(R"("field":"properties.plan")"), std::string::npos) << conflict.body;

  HttpResponse schemas = Api("GET", "/schemas");
  EXPECT_EQ(schemas.status, 200);
  EXPECT_NE(schemas.body.find(R"({"section":"properties","name":"plan","type":"string"})"),
            std::string::npos)
      << schemas.body;

  HttpResponse dlq = Api("GET", "/dlq");
  EXPECT_EQ(dlq.status, 200);
  EXPECT_NE(dlq.body.find(R"("status":"pending")"), std::string::npos) << dlq.body;
  EXPECT_NE(dlq.body.find(R"("props":{"plan":3})"), std::string::npos) << dlq.body;

  HttpResponse replay = Api("POST", "/dlq/replay", R"({"all":true})");
  EXPECT_NE(replay.body.find(R"("outcome":"rejected")"), std::string::npos) << replay.body;

  HttpResponse fix = Api("PUT", "/schemas/properties/properties/plan", R"({"type":"number"})");
  EXPECT_EQ(fix.status, 200) << fix.body;
  EXPECT_NE(fix.body.find(R"("previous_type":"string")"), std::string::npos) << fix.body;
  replay = Api("POST", "/dlq/replay", R"({"all":true})");
  EXPECT_NE(replay.body.find(R"("outcome":"accepted")"), std::string::npos) << replay.body;
  dlq = Api("GET", "/dlq?limit=10");
  EXPECT_NE(dlq.body.find(R"("status":"replayed")"), std::string::npos) << dlq.body;

  auto metrics = Fetch(port_, "GET", "/metrics", "",
                       {{"Authorization", std::string("Bearer ") + kMetricsToken}});
  ASSERT_TRUE(metrics);
  EXPECT_NE(metrics->body.find("cdp_ingest_events_total{outcome=\"rejected\"} 1\n"),
            std::string::npos)
      << metrics->body;
  EXPECT_NE(metrics->body.find("cdp_ingest_dead_letters_total 1\n"), std::string::npos);

  EXPECT_EQ(LoggedEvents().size(), 2u);
}

TEST_F(IngestTest, TheServerApiNeedsTheWorkspacesSecretKey) {
  for (const auto& [method, path] : std::vector<std::pair<std::string, std::string>>{
           {"GET", "/schemas"},
           {"GET", "/dlq"},
           {"GET", "/dlq/some-id"},
           {"POST", "/dlq/replay"},
           {"PUT", "/schemas/properties/properties/plan"},
           {"DELETE", "/schemas/properties/properties/plan"}}) {
    SCOPED_TRACE(method + " " + path);
    auto none = Fetch(port_, method, path, "{}");
    ASSERT_TRUE(none);
    EXPECT_EQ(none->status, 401);
    auto write_key =
        Fetch(port_, method, path, "{}", {{"Authorization", "Bearer " + acme_.write_key}});
    EXPECT_EQ(write_key->status, 401);
    auto mismatch = Fetch(
        port_, method, path, "{}",
        {{"Authorization", "Bearer " + acme_.secret_key}, {"X-Workspace-Id", "another-workspace"}});
    EXPECT_EQ(mismatch->status, 403);
  }
  // One workspace's dead letters are not another's.
  ASSERT_EQ(
      PostAs(other_, "/v1/track", R"({"userId":"u","event":"E","properties":{"n":1}})").status,
      200);
  ASSERT_EQ(
      PostAs(other_, "/v1/track", R"({"userId":"u","event":"E","properties":{"n":"x"}})").status,
      400);
  EXPECT_EQ(Api("GET", "/dlq").body, R"({"results":[],"next_cursor":null})");
}

TEST_F(IngestTest, TheClientIpComesFromTheTrustedProxyOnlyWhenConfigured) {
  const std::string body = R"({"userId":"u1","event":"E","messageId":"direct"})";
  Post("/v1/track", body, {{"X-Write-Key", acme_.write_key}, {"X-Forwarded-For", "198.51.100.1"}});
  Stop();
  Start({{"CDP_TRUST_PROXY", "1"}});
  Post("/v1/track", R"({"userId":"u1","event":"E","messageId":"proxied"})",
       {{"X-Write-Key", acme_.write_key}, {"X-Forwarded-For", "10.9.9.9, 198.51.100.2"}});
  std::map<std::string, std::string> ip_of;
  for (const Event& event : LoggedEvents()) {
    for (const Property& property : event.context) {
      if (property.name == "ip") ip_of[event.message_id] = std::get<std::string>(property.value);
    }
  }
  EXPECT_EQ(ip_of["direct"], "127.0.0.1");
  EXPECT_EQ(ip_of["proxied"], "198.51.100.2");
}

}  // namespace
}  // namespace cdp::testing
