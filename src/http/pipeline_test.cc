#include "http/pipeline.h"

#include <gtest/gtest.h>

#include "support/captured_reply.h"
#include "support/raw_http_client.h"

namespace cdp::http {
namespace {

using cdp::testing::CapturedReply;

class PipelineTest : public ::testing::Test {
 protected:
  PipelineTest() : pipeline_(router_, CorsPolicy({"*"}), 1000) {
    router_.Add("POST", "/echo/{name}", [this](Request& request, Reply reply) {
      seen_param_ = std::string(request.PathParam("name"));
      reply.Send(Response::Text(200, request.body()));
    });
    router_.Add("GET", "/health",
                [](Request&, Reply reply) { reply.Send(Response::Json(200, "{}")); });
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
};

TEST_F(PipelineTest, RoutesToHandlerWithParams) {
  Response response = Run("POST", "/echo/bob?x=1", {}, "payload");
  EXPECT_EQ(response.status, 200);
  EXPECT_EQ(response.body, "payload");
  EXPECT_EQ(seen_param_, "bob");
  EXPECT_EQ(request_.route(), "/echo/{name}");
  EXPECT_EQ(request_.query(), "x=1");
  EXPECT_EQ(response.Header("X-Request-Id"), "rid-1");
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
  Response response =
      Run("OPTIONS", "/echo/z",
          {{"Origin", "https://site.example"}, {"Access-Control-Request-Method", "POST"}});
  EXPECT_EQ(response.status, 204);
  EXPECT_EQ(response.Header("Access-Control-Allow-Methods"), "OPTIONS, POST");
  EXPECT_EQ(response.Header("Access-Control-Allow-Origin"), "https://site.example");
  EXPECT_EQ(request_.route(), "/echo/{name}");
  EXPECT_TRUE(seen_param_.empty());  // the handler did not run
}

TEST_F(PipelineTest, PreflightForUnknownPathIs404) {
  Response response =
      Run("OPTIONS", "/nowhere",
          {{"Origin", "https://site.example"}, {"Access-Control-Request-Method", "POST"}});
  EXPECT_EQ(response.status, 404);
}

TEST_F(PipelineTest, CorsHeadersOnActualResponsesAndErrors) {
  Response ok = Run("GET", "/health", {{"Origin", "https://site.example"}});
  EXPECT_EQ(ok.Header("Access-Control-Allow-Origin"), "https://site.example");
  Response error = Run("GET", "/missing", {{"Origin", "https://site.example"}});
  EXPECT_EQ(error.Header("Access-Control-Allow-Origin"), "https://site.example");
}

}  // namespace
}  // namespace cdp::http
