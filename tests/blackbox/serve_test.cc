// Starts the real `cdp serve` and checks what a client sees.

#include <gtest/gtest.h>
#include <signal.h>

#include <thread>

#include "blackbox/cdp_process.h"
#include "support/raw_http_client.h"

namespace cdp::testing {
namespace {

using std::chrono::milliseconds;

constexpr char kMetricsToken[] = "test-metrics-token-0123456789";

class ServeTest : public ::testing::Test {
 protected:
  void SetUp() override {
    std::string output;
    ASSERT_EQ(RunCdp(dir_.path(), {"migrate", "up"}, &output), 0) << output;
    server_ = std::make_unique<CdpServer>(dir_.path(), std::map<std::string, std::string>{
                                                           {"CDP_HEADER_TIMEOUT", "300ms"},
                                                           {"CDP_BODY_TIMEOUT", "1s"},
                                                           {"CDP_MAX_BODY", "4KiB"},
                                                           {"CDP_METRICS_TOKEN", kMetricsToken},
                                                       });
    ASSERT_NE(server_->port(), 0) << server_->process().Output();
    port_ = server_->port();
  }

  void TearDown() override {
    server_->process().Signal(SIGTERM);
    EXPECT_EQ(server_->process().Wait(std::chrono::seconds(10)), 0) << server_->process().Output();
  }

  TempDir dir_;
  std::unique_ptr<CdpServer> server_;
  uint16_t port_ = 0;
};

TEST_F(ServeTest, HealthAndReady) {
  auto health = Fetch(port_, "GET", "/health");
  ASSERT_TRUE(health);
  EXPECT_EQ(health->status, 200);
  EXPECT_EQ(health->body, R"({"status":"ok"})");

  auto ready = Fetch(port_, "GET", "/ready");
  ASSERT_TRUE(ready);
  EXPECT_EQ(ready->status, 200);
  EXPECT_EQ(ready->body, R"({"status":"ready","checks":{"meta":"ok"}})");
}

TEST_F(ServeTest, NotFoundAndMethodNotAllowedAreJson) {
  auto missing = Fetch(port_, "GET", "/v1/nothing-here");
  ASSERT_TRUE(missing);
  EXPECT_EQ(missing->status, 404);
  EXPECT_EQ(missing->Header("content-type"), "application/json");
  EXPECT_NE(missing->body.find(R"("error":"no route for /v1/nothing-here")"), std::string::npos);

  auto wrong = Fetch(port_, "POST", "/health", "{}");
  ASSERT_TRUE(wrong);
  EXPECT_EQ(wrong->status, 405);
  EXPECT_EQ(wrong->Header("allow"), "GET, HEAD, OPTIONS");
}

TEST_F(ServeTest, BodyOverLimitIs413) {
  auto response = Fetch(port_, "POST", "/health", std::string(5000, 'x'));
  ASSERT_TRUE(response);
  EXPECT_EQ(response->status, 413);
  EXPECT_NE(response->body.find("4096 bytes"), std::string::npos);
}

TEST_F(ServeTest, StalledRequestIs408) {
  RawHttpClient client(port_);
  ASSERT_TRUE(client.Send("GET /health HTTP/1.1\r\nHo"));
  auto response = client.ReadResponse(milliseconds(5000));
  ASSERT_TRUE(response);
  EXPECT_EQ(response->status, 408);
}

TEST_F(ServeTest, CorsPreflight) {
  // Ingestion answers pages of any origin (CDP_CORS_ORIGINS is "*"), without
  // credentials.
  auto ingest =
      Fetch(port_, "OPTIONS", "/v1/track", {},
            {{"Origin", "https://app.example"}, {"Access-Control-Request-Method", "POST"}});
  ASSERT_TRUE(ingest);
  EXPECT_EQ(ingest->status, 204);
  EXPECT_EQ(ingest->Header("access-control-allow-origin"), "https://app.example");
  EXPECT_EQ(ingest->Header("access-control-allow-methods"), "OPTIONS, POST");
  EXPECT_EQ(ingest->Header("access-control-allow-credentials"), "");
  // The rest of the API only answers the console's origins
  // (CDP_CONSOLE_ORIGINS), none here.
  auto api = Fetch(port_, "OPTIONS", "/health", {},
                   {{"Origin", "https://app.example"}, {"Access-Control-Request-Method", "GET"}});
  ASSERT_TRUE(api);
  EXPECT_EQ(api->status, 403);
  EXPECT_EQ(api->Header("access-control-allow-origin"), "");
}

TEST_F(ServeTest, MetricsNeedTheTokenAndCountRequests) {
  ASSERT_TRUE(Fetch(port_, "GET", "/health"));
  auto anonymous = Fetch(port_, "GET", "/metrics");
  ASSERT_TRUE(anonymous);
  EXPECT_EQ(anonymous->status, 401);

  // A request is counted once its response is written, just after the
  // client may have read it: poll briefly.
  const std::string counted =
      R"(cdp_http_requests_total{route="/health",method="GET",status="200"} 1)";
  std::optional<HttpResponse> metrics;
  for (int i = 0; i < 100; ++i) {
    metrics = Fetch(port_, "GET", "/metrics", {},
                    {{"Authorization", std::string("Bearer ") + kMetricsToken}});
    if (!metrics || metrics->body.find(counted) != std::string::npos) break;
    std::this_thread::sleep_for(milliseconds(20));
  }
  ASSERT_TRUE(metrics);
  EXPECT_EQ(metrics->status, 200);
  EXPECT_NE(metrics->body.find(counted), std::string::npos) << metrics->body;
  EXPECT_NE(metrics->body.find("cdp_http_request_duration_seconds_bucket{route=\"/health\""),
            std::string::npos);
}

TEST_F(ServeTest, AccessLogLineIsJsonWithRequestId) {
  auto response = Fetch(port_, "GET", "/health", {}, {{"X-Request-Id", "trace-42"}});
  ASSERT_TRUE(response);
  EXPECT_EQ(response->Header("x-request-id"), "trace-42");
  const auto line =
      server_->process().WaitForOutput("\"request_id\":\"trace-42\"", std::chrono::seconds(5));
  ASSERT_TRUE(line) << server_->process().Output();
  EXPECT_EQ(line->front(), '{');
  EXPECT_EQ(line->back(), '}');
  for (const char* part : {"\"msg\":\"http request\"", "\"method\":\"GET\"",
                           "\"route\":\"/health\"", "\"status\":200", "\"duration_ms\":"}) {
    EXPECT_NE(line->find(part), std::string::npos) << part << " in " << *line;
  }
}

TEST_F(ServeTest, SigtermLetsAnInFlightRequestFinish) {
  // A client in the middle of uploading its body when the signal arrives.
  RawHttpClient client(port_);
  ASSERT_TRUE(client.Send("POST /health HTTP/1.1\r\nHost: x\r\nContent-Length: 10\r\n\r\n12345"));
  std::this_thread::sleep_for(milliseconds(100));
  server_->process().Signal(SIGTERM);
  ASSERT_TRUE(
      server_->process().WaitForOutput("\"msg\":\"shutting down\"", std::chrono::seconds(5)));
  std::this_thread::sleep_for(milliseconds(300));
  EXPECT_FALSE(server_->process().Wait(milliseconds(0)).has_value()) << "exited too early";

  // New connections are no longer accepted.
  RawHttpClient late(port_);
  EXPECT_FALSE(late.connected());

  ASSERT_TRUE(client.Send("67890"));
  auto response = client.ReadResponse(milliseconds(5000));
  ASSERT_TRUE(response) << "the in-flight request got no answer";
  EXPECT_EQ(response->status, 405);  // a complete answer to the complete request
  EXPECT_EQ(response->Header("connection"), "close");
  EXPECT_EQ(server_->process().Wait(std::chrono::seconds(10)), 0);
}

}  // namespace
}  // namespace cdp::testing
