#include "http/cors.h"

#include <gtest/gtest.h>

namespace cdp::http {
namespace {

Request Preflight(std::string_view origin, std::string_view requested_headers = {}) {
  Request request;
  request.SetStartLine("OPTIONS", "/v1/batch");
  HeaderList headers{{"Origin", origin}, {"Access-Control-Request-Method", "POST"}};
  if (!requested_headers.empty()) {
    headers.emplace_back("Access-Control-Request-Headers", requested_headers);
  }
  request.SetHeaders(headers);
  request.SetRequestId("rid");
  return request;
}

TEST(CorsTest, AnyOriginEchoesOriginWithoutCredentials) {
  CorsPolicy policy({"*"});
  Response response;
  policy.AddResponseHeaders("https://shop.example", response);
  EXPECT_EQ(response.Header("Access-Control-Allow-Origin"), "https://shop.example");
  EXPECT_EQ(response.Header("Vary"), "Origin");
  EXPECT_EQ(response.Header("Access-Control-Allow-Credentials"), "");
  EXPECT_NE(response.Header("Access-Control-Expose-Headers").find("X-Request-Id"),
            std::string_view::npos);
}

TEST(CorsTest, NoOriginMeansNoCorsHeaders) {
  CorsPolicy policy({"*"});
  Response response;
  policy.AddResponseHeaders("", response);
  EXPECT_TRUE(response.headers.empty());
}

TEST(CorsTest, ListedOriginsGetCredentialsOthersNothing) {
  CorsPolicy policy({"https://console.example", "http://localhost:5173"});
  Response allowed;
  policy.AddResponseHeaders("http://localhost:5173", allowed);
  EXPECT_EQ(allowed.Header("Access-Control-Allow-Origin"), "http://localhost:5173");
  EXPECT_EQ(allowed.Header("Access-Control-Allow-Credentials"), "true");

  Response refused;
  policy.AddResponseHeaders("https://evil.example", refused);
  EXPECT_TRUE(refused.headers.empty());
}

TEST(CorsTest, PreflightAnswers204WithMethodsAndHeaders) {
  CorsPolicy policy({"*"});
  Request request = Preflight("https://shop.example", "content-type, authorization");
  ASSERT_TRUE(CorsPolicy::IsPreflight(request));
  Response response = policy.Preflight(request, "OPTIONS, POST");
  EXPECT_EQ(response.status, 204);
  EXPECT_EQ(response.Header("Access-Control-Allow-Origin"), "https://shop.example");
  EXPECT_EQ(response.Header("Access-Control-Allow-Methods"), "OPTIONS, POST");
  EXPECT_EQ(response.Header("Access-Control-Allow-Headers"), "content-type, authorization");
  EXPECT_EQ(response.Header("Access-Control-Max-Age"), "7200");
}

TEST(CorsTest, PreflightWithoutRequestedHeadersGetsDefaults) {
  CorsPolicy policy({"*"});
  Response response = policy.Preflight(Preflight("https://a.example"), "POST");
  EXPECT_NE(response.Header("Access-Control-Allow-Headers").find("Content-Encoding"),
            std::string_view::npos);
}

TEST(CorsTest, PreflightFromRefusedOriginIsForbidden) {
  CorsPolicy policy({"https://console.example"});
  Response response = policy.Preflight(Preflight("https://evil.example"), "POST");
  EXPECT_EQ(response.status, 403);
  EXPECT_EQ(response.Header("Access-Control-Allow-Origin"), "");
}

TEST(CorsTest, PlainOptionsIsNotAPreflight) {
  Request request;
  request.SetStartLine("OPTIONS", "/v1/batch");
  request.SetHeaders({{"Origin", "https://a.example"}});
  EXPECT_FALSE(CorsPolicy::IsPreflight(request));
}

}  // namespace
}  // namespace cdp::http
