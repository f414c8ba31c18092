#include "http/pipeline.h"

#include <gtest/gtest.h>

#include <optional>

#include "support/captured_reply.h"
#include "support/raw_http_client.h"

namespace cdp::http {
namespace {

using cdp::testing::CapturedReply;

class PipelineTest : public ::testing::Test {
 protected:
  // Ingestion (/echo/{name}, /v1/batch) is open to any origin; everything
  // else only to the console's, with credentials.
  PipelineTest()
      : pipeline_(router_, CorsPolicy::Open({"*"}),
                  CorsPolicy::Credentialed({"https://console.example"}), 1000) {
    router_.Add("POST", "/echo/{name}", RouteAccess::kIngestion,
                [this](Request& request, Reply reply) {
                  seen_param_ = std::string(request.PathParam("name"));
                  seen_access_ = request.access();
                  reply.Send(Response::Text(200, request.body()));
                });
    router_.Add("POST", "/v1/batch", RouteAccess::kIngestion,
                [](Request&, Reply reply) { reply.Send(Response::Json(200, "{}")); });
    router_.Add("GET", "/health", RouteAccess::kPublic,
                [](Request&, Reply reply) { reply.Send(Response::Json(200, "{}")); });
    router_.Add("GET", "/queries/{id}", RouteAccess::kRead, [this](Request& request, Reply reply) {
      seen_access_ = request.access();
      reply.Send(Response::Json(200, "{}"));
    });
    router_.Add("DELETE", "/queries/{id}", RouteAccess::kBuild,
                [](Request&, Reply reply) { reply.Send(Response::NoContent()); });
  }

  static HeaderList PreflightFrom(std::string_view origin, std::string_view method = "POST") {
    return {{"Origin", origin}, {"Access-Control-Request-Method", method}};
  }

  Response Run(std::string_view method, std::string_view target, HeaderList headers = {},
               std::string body = {}) {
    request_ = Request();
    request_.SetStartLine(method, target);
    request_.SetHeaders(std::move(headers));
    request_.SetBody(std::move(body));
    request_.SetRequestId("rid-1");
    auto target_reply = std::make_shared<CapturedReply>("rid-1");
    pipeline_.Dispatch(request_, cdp::testing::ReplyTo(target_reply));
    EXPECT_TRUE(target_reply->response().has_value());
    Response response = *target_reply->response();
    pipeline_.Finalize(request_, response);
    return response;
  }

  Router router_;
  RequestPipeline pipeline_;
  Request request_;
  std::string seen_param_;
  std::optional<RouteAccess> seen_access_;
};

TEST_F(PipelineTest, RoutesToHandlerWithParams) {
  Response response = Run("POST", "/echo/bob?x=1", {}, "payload");
  EXPECT_EQ(response.status, 200);
  EXPECT_EQ(response.body, "payload");
  EXPECT_EQ(seen_param_, "bob");
  EXPECT_EQ(request_.route(), "/echo/{name}");
  EXPECT_EQ(request_.query(), "x=1");
  EXPECT_EQ(response.Header("X-Request-Id"), "rid-1");
  EXPECT_EQ(seen_access_, RouteAccess::kIngestion);
}

TEST_F(PipelineTest, TheHandlerSeesTheRouteAccess) {
  EXPECT_EQ(Run("GET", "/queries/7").status, 200);
  EXPECT_EQ(seen_access_, RouteAccess::kRead);
  EXPECT_EQ(request_.access(), RouteAccess::kRead);
  Run("GET", "/missing");
  EXPECT_EQ(request_.access(), RouteAccess::kPublic);
}

TEST_F(PipelineTest, UnknownPathIs404Json) {
  Response response = Run("GET", "/missing");
  EXPECT_EQ(response.status, 404);
  EXPECT_EQ(response.content_type, "application/json");
  EXPECT_NE(response.body.find("\"error\":"), std::string::npos);
  EXPECT_EQ(request_.route(), "(unmatched)");
}

TEST_F(PipelineTest, WrongMethodIs405WithAllow) {
  Response response = Run("DELETE", "/health");
  EXPECT_EQ(response.status, 405);
  EXPECT_EQ(response.Header("Allow"), "GET, HEAD, OPTIONS");
}

TEST_F(PipelineTest, GzipBodyIsDecodedBeforeTheHandler) {
  Response response = Run("POST", "/echo/a", {{"Content-Encoding", "gzip"}},
                          cdp::testing::Gzip("{\"event\":\"x\"}"));
  EXPECT_EQ(response.status, 200);
  EXPECT_EQ(response.body, "{\"event\":\"x\"}");
}

TEST_F(PipelineTest, DecodingErrorsNeverReachTheHandler) {
  EXPECT_EQ(Run("POST", "/echo/a", {{"Content-Encoding", "gzip"}}, "nope").status, 400);
  EXPECT_EQ(Run("POST", "/echo/a", {{"Content-Encoding", "gzip"}},
                cdp::testing::Gzip(std::string(5000, 'a')))
                .status,
            413);
  EXPECT_EQ(Run("POST", "/echo/a", {{"Content-Encoding", "br"}}, "x").status, 415);
  EXPECT_TRUE(seen_param_.empty());
}

TEST_F(PipelineTest, PreflightIsAnsweredFromTheRouter) {
  Response response = Run("OPTIONS", "/echo/z", PreflightFrom("https://site.example"));
  EXPECT_EQ(response.status, 204);
  EXPECT_EQ(response.Header("Access-Control-Allow-Methods"), "OPTIONS, POST");
  EXPECT_EQ(response.Header("Access-Control-Allow-Origin"), "https://site.example");
  EXPECT_EQ(request_.route(), "/echo/{name}");
  EXPECT_TRUE(seen_param_.empty());  // the handler did not run
}

TEST_F(PipelineTest, PreflightForUnknownPathIs404) {
  Response response = Run("OPTIONS", "/nowhere", PreflightFrom("https://site.example"));
  EXPECT_EQ(response.status, 404);
}

TEST_F(PipelineTest, PreflightOfAnApiRouteFollowsTheApiPolicy) {
  Response site = Run("OPTIONS", "/queries/1", PreflightFrom("https://site.example", "DELETE"));
  EXPECT_EQ(site.status, 403);
  EXPECT_EQ(site.Header("Access-Control-Allow-Origin"), "");

  Response console =
      Run("OPTIONS", "/queries/1", PreflightFrom("https://console.example", "DELETE"));
  EXPECT_EQ(console.status, 204);
  EXPECT_EQ(console.Header("Access-Control-Allow-Origin"), "https://console.example");
  EXPECT_EQ(console.Header("Access-Control-Allow-Credentials"), "true");
  EXPECT_EQ(console.Header("Access-Control-Allow-Methods"), "DELETE, GET, HEAD, OPTIONS");
}

TEST_F(PipelineTest, PreflightOfAnIngestionRouteNeverAllowsCredentials) {
  for (const char* origin : {"https://site.example", "https://console.example"}) {
    Response response = Run("OPTIONS", "/v1/batch", PreflightFrom(origin));
    EXPECT_EQ(response.status, 204) << origin;
    EXPECT_EQ(response.Header("Access-Control-Allow-Origin"), origin);
    EXPECT_EQ(response.Header("Access-Control-Allow-Credentials"), "") << origin;
  }
}

TEST_F(PipelineTest, IngestionResponsesAreOpenWithoutCredentials) {
  Response ok = Run("POST", "/v1/batch", {{"Origin", "https://site.example"}});
  EXPECT_EQ(ok.Header("Access-Control-Allow-Origin"), "https://site.example");
  EXPECT_EQ(ok.Header("Access-Control-Allow-Credentials"), "");
  Response console = Run("POST", "/v1/batch", {{"Origin", "https://console.example"}});
  EXPECT_EQ(console.Header("Access-Control-Allow-Credentials"), "");
  // Errors too: a refused or decoding-failed event stays readable by the page.
  Response error = Run("POST", "/echo/a",
                       {{"Origin", "https://site.example"}, {"Content-Encoding", "gzip"}}, "nope");
  EXPECT_EQ(error.status, 400);
  EXPECT_EQ(error.Header("Access-Control-Allow-Origin"), "https://site.example");
  // A wrong method on an ingestion path as well.
  Response wrong_method = Run("GET", "/v1/batch", {{"Origin", "https://site.example"}});
  EXPECT_EQ(wrong_method.status, 405);
  EXPECT_EQ(wrong_method.Header("Access-Control-Allow-Origin"), "https://site.example");
}

TEST_F(PipelineTest, ApiResponsesOnlyForTheConsoleWithCredentials) {
  for (std::string_view target : {"/health", "/queries/1", "/missing"}) {
    Response site = Run("GET", target, {{"Origin", "https://site.example"}});
    EXPECT_EQ(site.Header("Access-Control-Allow-Origin"), "") << target;
    EXPECT_EQ(site.Header("Access-Control-Allow-Credentials"), "") << target;
    Response console = Run("GET", target, {{"Origin", "https://console.example"}});
    EXPECT_EQ(console.Header("Access-Control-Allow-Origin"), "https://console.example") << target;
    EXPECT_EQ(console.Header("Access-Control-Allow-Credentials"), "true") << target;
  }
}

}  // namespace
}  // namespace cdp::http
