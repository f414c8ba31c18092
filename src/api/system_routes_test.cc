#include "api/system_routes.h"

#include <gtest/gtest.h>

#include <chrono>
#include <memory>
#include <optional>
#include <sstream>
#include <string>
#include <vector>

#include "http/reply.h"
#include "http/request.h"
#include "http/response.h"
#include "support/route_dispatch.h"

namespace cdp::api {
namespace {

constexpr std::string_view kToken = "metrics-token-0123456789";

// Captures the response a handler sends.
class CapturingTarget final : public http::ReplyTarget {
 public:
  void Complete(http::Response response) override {
    ++completions;
    response_ = std::move(response);
  }
  const std::string& RequestIdForReply() const override { return request_id_; }

  int completions = 0;
  std::optional<http::Response> response_;

 private:
  std::string request_id_ = "req_test";
};

class SystemRoutesTest : public ::testing::Test {
 protected:
  // Registers the routes with one readiness check ("meta") answering
  // `meta_status_`, and `token` for /metrics.
  void AddRoutes(std::string token) {
    SystemRoutesOptions options;
    options.readiness_checks.push_back({"meta", [this] {
                                          ++meta_checks_;
                                          return meta_status_;
                                        }});
    options.metrics_token = std::move(token);
    AddSystemRoutes(router_, metrics_, std::move(options));
  }

  // Routes `method path` and calls the handler with `headers`; returns the
  // response it sent.
  http::Response Call(std::string_view method, std::string_view path,
                      http::HeaderList headers = {}) {
    http::Request request;
    request.SetStartLine(method, path);
    request.SetHeaders(std::move(headers));
    request.SetRequestId("req_test");
    auto target = std::make_shared<CapturingTarget>();
    if (!cdp::testing::DispatchToRoute(router_, request, http::Reply(target))) return {};
    EXPECT_EQ(target->completions, 1) << "the handler must answer exactly once";
    EXPECT_TRUE(target->response_.has_value());
    return target->response_.value_or(http::Response{});
  }

  http::HttpMetrics metrics_{1};  // outlives router_
  http::Router router_;
  Status meta_status_;
  int meta_checks_ = 0;
};

TEST_F(SystemRoutesTest, Health) {
  AddRoutes("");
  const http::Response response = Call("GET", "/health");
  EXPECT_EQ(response.status, 200);
  EXPECT_EQ(response.content_type, "application/json");
  EXPECT_EQ(response.body, R"({"status":"ok"})");
  // Liveness does not depend on the backends.
  meta_status_ = Status::Unavailable("down", std::chrono::seconds(1));
  EXPECT_EQ(Call("GET", "/health").status, 200);
  EXPECT_EQ(meta_checks_, 0);
}

TEST_F(SystemRoutesTest, HealthAnswersHead) {
  AddRoutes("");
  EXPECT_EQ(Call("HEAD", "/health").status, 200);
}

TEST_F(SystemRoutesTest, OnlyGet) {
  AddRoutes(std::string(kToken));
  for (const char* path : {"/health", "/ready", "/metrics"}) {
    const Result<http::Router::Match> match = router_.Find("POST", path);
    ASSERT_FALSE(match.ok()) << path;
    EXPECT_EQ(match.status().code(), ErrorCode::kMethodNotAllowed) << path;
  }
}

TEST_F(SystemRoutesTest, RoutesSayWhoMayCallThem) {
  AddRoutes(std::string(kToken));
  std::vector<std::pair<std::string, http::RouteAccess>> access;
  for (const http::Route* route : router_.routes()) {
    access.emplace_back(route->method + " " + route->pattern, route->access);
  }
  EXPECT_EQ(access, (std::vector<std::pair<std::string, http::RouteAccess>>{
                        {"GET /health", http::RouteAccess::kPublic},
                        {"GET /ready", http::RouteAccess::kPublic},
                        {"GET /metrics", http::RouteAccess::kMetricsToken}}));
}

TEST_F(SystemRoutesTest, ReadyWhenChecksPass) {
  AddRoutes("");
  const http::Response response = Call("GET", "/ready");
  EXPECT_EQ(response.status, 200);
  EXPECT_EQ(response.content_type, "application/json");
  EXPECT_EQ(response.body, R"({"status":"ready","checks":{"meta":"ok"}})");
  EXPECT_EQ(meta_checks_, 1);
  // Checked again on every request, never cached.
  Call("GET", "/ready");
  EXPECT_EQ(meta_checks_, 2);
}

TEST_F(SystemRoutesTest, NotReadyWhenCheckFails) {
  AddRoutes("");
  meta_status_ = Status::Internal("sqlite3_open: unable to open database file");
  const http::Response response = Call("GET", "/ready");
  EXPECT_EQ(response.status, 503);
  EXPECT_EQ(response.content_type, "application/json");
  EXPECT_EQ(response.Header("Retry-After"), "5");
  EXPECT_EQ(response.body, R"({"error":"meta is not available","request_id":"req_test"})");
  // The failing check's internal detail stays in the log.
  EXPECT_EQ(response.body.find("sqlite3"), std::string::npos);

  // Ready again once the backend recovers.
  meta_status_ = Status::Ok();
  EXPECT_EQ(Call("GET", "/ready").status, 200);
}

TEST_F(SystemRoutesTest, ReadyNamesTheFirstFailingCheck) {
  SystemRoutesOptions options;
  int store_checks = 0;
  options.readiness_checks.push_back({"meta", [] { return Status::Ok(); }});
  options.readiness_checks.push_back({"store", [&store_checks] {
                                        ++store_checks;
                                        return Status::Unavailable("disk", std::chrono::seconds(1));
                                      }});
  AddSystemRoutes(router_, metrics_, std::move(options));
  const http::Response response = Call("GET", "/ready");
  EXPECT_EQ(response.status, 503);
  EXPECT_NE(response.body.find(R"("error":"store is not available")"), std::string::npos)
      << response.body;
  EXPECT_FALSE(response.Header("Retry-After").empty());
  EXPECT_EQ(store_checks, 1);
}

TEST_F(SystemRoutesTest, ReadyWithoutChecks) {
  AddSystemRoutes(router_, metrics_, {});
  const http::Response response = Call("GET", "/ready");
  EXPECT_EQ(response.status, 200);
  EXPECT_EQ(response.body, R"({"status":"ready","checks":{}})");
}

TEST_F(SystemRoutesTest, MetricsForbiddenWithoutConfiguredToken) {
  AddRoutes("");
  EXPECT_EQ(Call("GET", "/metrics").status, 403);
  // Not even an empty bearer token opens it.
  EXPECT_EQ(Call("GET", "/metrics", {{"Authorization", "Bearer "}}).status, 403);
  const http::Response response = Call("GET", "/metrics", {{"Authorization", "Bearer x"}});
  EXPECT_EQ(response.status, 403);
  EXPECT_NE(response.body.find("CDP_METRICS_TOKEN"), std::string::npos) << response.body;
}

TEST_F(SystemRoutesTest, MetricsUnauthorizedWithoutOrWithWrongToken) {
  AddRoutes(std::string(kToken));
  const std::string token(kToken);
  const std::string wrong = "Bearer " + token.substr(0, token.size() - 1) + "X";
  const std::string prefix = "Bearer " + token.substr(0, token.size() - 1);
  const std::string longer = "Bearer " + token + "0";
  const std::string no_scheme = token;
  const std::string basic = "Basic " + token;
  EXPECT_EQ(Call("GET", "/metrics").status, 401);
  EXPECT_EQ(Call("GET", "/metrics", {{"Authorization", wrong}}).status, 401);
  EXPECT_EQ(Call("GET", "/metrics", {{"Authorization", prefix}}).status, 401);
  EXPECT_EQ(Call("GET", "/metrics", {{"Authorization", longer}}).status, 401);
  EXPECT_EQ(Call("GET", "/metrics", {{"Authorization", no_scheme}}).status, 401);
  EXPECT_EQ(Call("GET", "/metrics", {{"Authorization", basic}}).status, 401);
  EXPECT_EQ(Call("GET", "/metrics", {{"Authorization", "Bearer "}}).status, 401);
  const http::Response response = Call("GET", "/metrics", {{"Authorization", wrong}});
  EXPECT_EQ(response.content_type, "application/json");
  EXPECT_NE(response.body.find("\"error\""), std::string::npos);
  EXPECT_EQ(response.body.find(token), std::string::npos);
}

TEST_F(SystemRoutesTest, MetricsBearerSchemeIsCaseInsensitive) {
  AddRoutes(std::string(kToken));
  EXPECT_EQ(Call("GET", "/metrics", {{"Authorization", "bearer " + std::string(kToken)}}).status,
            200);
  EXPECT_EQ(Call("GET", "/metrics", {{"Authorization", "BEARER " + std::string(kToken)}}).status,
            200);
  EXPECT_EQ(Call("GET", "/metrics", {{"Authorization", "Basic " + std::string(kToken)}}).status,
            401);
}

TEST_F(SystemRoutesTest, MetricsWithToken) {
  AddRoutes(std::string(kToken));
  metrics_.Record(0, "/health", "GET", 200, std::chrono::milliseconds(1));
  const std::string authorization = "Bearer " + std::string(kToken);
  const http::Response response =
      Call("GET", "/metrics", {{"authorization", authorization}});  // any header case
  ASSERT_EQ(response.status, 200) << response.body;
  EXPECT_TRUE(response.content_type.starts_with("text/plain")) << response.content_type;
  EXPECT_NE(response.content_type.find("version=0.0.4"), std::string::npos);

  const std::string& body = response.body;
  const std::string labels = R"(route="/health",method="GET",status="200")";
  EXPECT_NE(body.find("cdp_http_requests_total{" + labels + "} 1\n"), std::string::npos) << body;
  EXPECT_NE(body.find("# TYPE cdp_http_request_duration_seconds histogram"), std::string::npos);
  // 1 ms falls into the le="0.001" bucket and every bucket above it.
  EXPECT_NE(body.find("cdp_http_request_duration_seconds_bucket{" + labels + R"(,le="0.0005"} 0)"),
            std::string::npos)
      << body;
  EXPECT_NE(body.find("cdp_http_request_duration_seconds_bucket{" + labels + R"(,le="0.001"} 1)"),
            std::string::npos)
      << body;
  EXPECT_NE(body.find("cdp_http_request_duration_seconds_bucket{" + labels + R"(,le="+Inf"} 1)"),
            std::string::npos)
      << body;
  EXPECT_NE(body.find("cdp_http_request_duration_seconds_sum{" + labels + "} 0.001\n"),
            std::string::npos)
      << body;
  EXPECT_NE(body.find("cdp_http_request_duration_seconds_count{" + labels + "} 1\n"),
            std::string::npos)
      << body;

  // Every line is a comment or `name{labels} value`.
  std::istringstream lines(body);
  int samples = 0;
  for (std::string line; std::getline(lines, line);) {
    if (line.starts_with("# HELP ") || line.starts_with("# TYPE ")) continue;
    ++samples;
    ASSERT_TRUE(line.starts_with("cdp_")) << line;
    const size_t space = line.rfind(' ');
    ASSERT_NE(space, std::string::npos) << line;
    const std::string value = line.substr(space + 1);
    size_t parsed = 0;
    std::stod(value, &parsed);
    EXPECT_EQ(parsed, value.size()) << line;
  }
  EXPECT_GE(samples, 1 + 15 + 2);
}

}  // namespace
}  // namespace cdp::api
