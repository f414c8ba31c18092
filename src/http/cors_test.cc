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

TEST(CorsTest, OpenToAnyOriginEchoesOriginWithoutCredentials) {
  const CorsPolicy policy = CorsPolicy::Open({"*"});
  EXPECT_FALSE(policy.credentialed());
  Response response;
  policy.AddResponseHeaders("https://shop.example", response);
  EXPECT_EQ(response.Header("Access-Control-Allow-Origin"), "https://shop.example");
  EXPECT_EQ(response.Header("Vary"), "Origin");
  EXPECT_EQ(response.Header("Access-Control-Allow-Credentials"), "");
  EXPECT_NE(response.Header("Access-Control-Expose-Headers").find("X-Request-Id"),
            std::string_view::npos);
}

TEST(CorsTest, OpenToAListAllowsOnlyThoseAndNeverWithCredentials) {
  const CorsPolicy policy = CorsPolicy::Open({"https://shop.example", "https://blog.example"});
  Response allowed;
  policy.AddResponseHeaders("https://blog.example", allowed);
  EXPECT_EQ(allowed.Header("Access-Control-Allow-Origin"), "https://blog.example");
  EXPECT_EQ(allowed.Header("Access-Control-Allow-Credentials"), "");

  Response refused;
  policy.AddResponseHeaders("https://evil.example", refused);
  EXPECT_TRUE(refused.headers.empty());
}

TEST(CorsTest, NoOriginMeansNoCorsHeaders) {
  for (const CorsPolicy& policy :
       {CorsPolicy::Open({"*"}), CorsPolicy::Credentialed({"https://console.example"})}) {
    Response response;
    policy.AddResponseHeaders("", response);
    EXPECT_TRUE(response.headers.empty());
  }
}

TEST(CorsTest, CredentialedAllowsItsOriginsWithCredentialsOthersNothing) {
  const CorsPolicy policy =
      CorsPolicy::Credentialed({"https://console.example", "http://localhost:5173"});
  EXPECT_TRUE(policy.credentialed());
  Response allowed;
  policy.AddResponseHeaders("http://localhost:5173", allowed);
  EXPECT_EQ(allowed.Header("Access-Control-Allow-Origin"), "http://localhost:5173");
  EXPECT_EQ(allowed.Header("Access-Control-Allow-Credentials"), "true");
  EXPECT_EQ(allowed.Header("Vary"), "Origin");

  Response refused;
  policy.AddResponseHeaders("https://evil.example", refused);
  EXPECT_TRUE(refused.headers.empty());
  // Origins compare exactly: no prefix, suffix or scheme games.
  for (const char* near : {"https://console.example.evil.example", "http://console.example",
                           "https://console.example:443", "null"}) {
    EXPECT_FALSE(policy.IsAllowed(near)) << near;
  }
}

TEST(CorsTest, CredentialedNeverAllowsEveryOrigin) {
  const CorsPolicy policy = CorsPolicy::Credentialed({"*", "https://console.example"});
  EXPECT_FALSE(policy.IsAllowed("https://evil.example"));
  EXPECT_FALSE(policy.IsAllowed("*"));
  EXPECT_TRUE(policy.IsAllowed("https://console.example"));
  const CorsPolicy none = CorsPolicy::Credentialed({});
  EXPECT_FALSE(none.IsAllowed("https://console.example"));
  Response response = none.Preflight(Preflight("https://console.example"), "GET");
  EXPECT_EQ(response.status, 403);
}

TEST(CorsTest, PreflightAnswers204WithMethodsAndHeaders) {
  const CorsPolicy policy = CorsPolicy::Open({"*"});
  Request request = Preflight("https://shop.example", "content-type, authorization");
  ASSERT_TRUE(CorsPolicy::IsPreflight(request));
  Response response = policy.Preflight(request, "OPTIONS, POST");
  EXPECT_EQ(response.status, 204);
  EXPECT_EQ(response.Header("Access-Control-Allow-Origin"), "https://shop.example");
  EXPECT_EQ(response.Header("Access-Control-Allow-Methods"), "OPTIONS, POST");
  EXPECT_EQ(response.Header("Access-Control-Allow-Headers"), "content-type, authorization");
  EXPECT_EQ(response.Header("Access-Control-Max-Age"), "7200");
  EXPECT_EQ(response.Header("Access-Control-Allow-Credentials"), "");
}

TEST(CorsTest, CredentialedPreflightAllowsCredentials) {
  const CorsPolicy policy = CorsPolicy::Credentialed({"https://console.example"});
  Response response =
      policy.Preflight(Preflight("https://console.example", "content-type, x-workspace-id"),
                       "DELETE, GET, HEAD, OPTIONS, PUT");
  EXPECT_EQ(response.status, 204);
  EXPECT_EQ(response.Header("Access-Control-Allow-Origin"), "https://console.example");
  EXPECT_EQ(response.Header("Access-Control-Allow-Credentials"), "true");
  EXPECT_EQ(response.Header("Access-Control-Allow-Headers"), "content-type, x-workspace-id");
}

TEST(CorsTest, PreflightWithoutRequestedHeadersGetsDefaults) {
  const CorsPolicy policy = CorsPolicy::Open({"*"});
  Response response = policy.Preflight(Preflight("https://a.example"), "POST");
  const std::string_view allowed = response.Header("Access-Control-Allow-Headers");
  for (const char* header : {"Content-Encoding", "Authorization", "X-Workspace-Id"}) {
    EXPECT_NE(allowed.find(header), std::string_view::npos) << header;
  }
}

TEST(CorsTest, PreflightFromRefusedOriginIsForbidden) {
  const CorsPolicy policy = CorsPolicy::Credentialed({"https://console.example"});
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
