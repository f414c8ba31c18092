#include "http/router.h"

#include <gtest/gtest.h>

namespace cdp::http {
namespace {

Handler Noop() {
  return [](Request&, Reply reply) { reply.Send(Response::NoContent()); };
}

class RouterTest : public ::testing::Test {
 protected:
  RouterTest() {
    router_.Add("GET", "/health", RouteAccess::kPublic, Noop());
    router_.Add("POST", "/v1/track", RouteAccess::kIngestion, Noop());
    router_.Add("GET", "/queries", RouteAccess::kRead, Noop());
    router_.Add("POST", "/queries", RouteAccess::kBuild, Noop());
    router_.Add("GET", "/queries/{id}", RouteAccess::kRead, Noop());
    router_.Add("PUT", "/queries/{id}", RouteAccess::kBuild, Noop());
    router_.Add("DELETE", "/queries/{id}", RouteAccess::kBuild, Noop());
    router_.Add("POST", "/query/async", RouteAccess::kRead, Noop());
    router_.Add("GET", "/query/async/{id}", RouteAccess::kRead, Noop());
    router_.Add("POST", "/query/{kind}", RouteAccess::kRead, Noop());
    router_.Add("GET", "/workspaces/{workspace}/keys/{key}", RouteAccess::kAdmin, Noop());
  }
  Router router_;
};

TEST_F(RouterTest, MatchesLiteralRoute) {
  auto match = router_.Find("GET", "/health");
  ASSERT_TRUE(match.ok());
  EXPECT_EQ(match->route->pattern, "/health");
  EXPECT_TRUE(match->params.empty());
}

TEST_F(RouterTest, BindsPathParameters) {
  auto match = router_.Find("GET", "/workspaces/ws1/keys/k%2F2");
  ASSERT_TRUE(match.ok());
  EXPECT_EQ(match->route->pattern, "/workspaces/{workspace}/keys/{key}");
  ASSERT_EQ(match->params.size(), 2u);
  EXPECT_EQ(match->params[0].first, "workspace");
  EXPECT_EQ(match->params[0].second, "ws1");
  EXPECT_EQ(match->params[1].first, "key");
  EXPECT_EQ(match->params[1].second, "k/2");  // percent-decoded after splitting
}

TEST_F(RouterTest, LiteralSegmentWinsOverParameter) {
  auto literal = router_.Find("POST", "/query/async");
  ASSERT_TRUE(literal.ok());
  EXPECT_EQ(literal->route->pattern, "/query/async");
  auto param = router_.Find("POST", "/query/funnel");
  ASSERT_TRUE(param.ok());
  EXPECT_EQ(param->route->pattern, "/query/{kind}");
  EXPECT_EQ(param->params.at(0).second, "funnel");
}

TEST_F(RouterTest, ParameterBelowLiteral) {
  auto match = router_.Find("GET", "/query/async/abc");
  ASSERT_TRUE(match.ok());
  EXPECT_EQ(match->route->pattern, "/query/async/{id}");
  EXPECT_EQ(match->params.at(0).second, "abc");
}

TEST(RouterBacktrackTest, FallsBackToParameterWhenLiteralBranchDeadEnds) {
  Router router;
  router.Add("GET", "/a/b/c", RouteAccess::kPublic, Noop());
  router.Add("GET", "/a/{x}/d", RouteAccess::kPublic, Noop());
  auto match = router.Find("GET", "/a/b/d");
  ASSERT_TRUE(match.ok());
  EXPECT_EQ(match->route->pattern, "/a/{x}/d");
  ASSERT_EQ(match->params.size(), 1u);
  EXPECT_EQ(match->params[0].second, "b");
  auto literal = router.Find("GET", "/a/b/c");
  ASSERT_TRUE(literal.ok());
  EXPECT_TRUE(literal->params.empty());
}

TEST_F(RouterTest, IgnoresOneTrailingSlash) {
  EXPECT_TRUE(router_.Find("GET", "/health/").ok());
  EXPECT_TRUE(router_.Find("GET", "/queries/42/").ok());
}

TEST_F(RouterTest, UnknownPathIsNotFound) {
  for (const char* path : {"/", "/nope", "/health/extra", "/queries/1/2", "/v1", "/queries//"}) {
    auto match = router_.Find("GET", path);
    ASSERT_FALSE(match.ok()) << path;
    EXPECT_EQ(match.status().code(), ErrorCode::kNotFound) << path;
  }
}

TEST_F(RouterTest, WrongMethodIsMethodNotAllowedWithAllowList) {
  auto match = router_.Find("DELETE", "/health");
  ASSERT_FALSE(match.ok());
  EXPECT_EQ(match.status().code(), ErrorCode::kMethodNotAllowed);
  EXPECT_EQ(match.status().allowed_methods(), "GET, HEAD, OPTIONS");

  auto by_id = router_.Find("POST", "/queries/7");
  ASSERT_FALSE(by_id.ok());
  EXPECT_EQ(by_id.status().allowed_methods(), "DELETE, GET, HEAD, OPTIONS, PUT");
}

TEST_F(RouterTest, HeadFallsBackToGet) {
  auto match = router_.Find("HEAD", "/health");
  ASSERT_TRUE(match.ok());
  EXPECT_EQ(match->route->method, "GET");
  EXPECT_FALSE(router_.Find("HEAD", "/v1/track").ok());
}

TEST_F(RouterTest, RoutesForGivesPatternAndMethods) {
  auto routes = router_.RoutesFor("/v1/track");
  ASSERT_TRUE(routes.has_value());
  EXPECT_EQ(routes->pattern, "/v1/track");
  EXPECT_EQ(routes->allowed_methods, "OPTIONS, POST");
  EXPECT_TRUE(routes->ingestion);
  EXPECT_FALSE(router_.RoutesFor("/missing").has_value());
}

TEST_F(RouterTest, RoutesForSaysWhetherThePatternIsIngestion) {
  const auto queries = router_.RoutesFor("/queries/7");
  ASSERT_TRUE(queries.has_value());
  EXPECT_EQ(queries->pattern, "/queries/{id}");
  EXPECT_FALSE(queries->ingestion);
  const auto health = router_.RoutesFor("/health");
  ASSERT_TRUE(health.has_value());
  EXPECT_FALSE(health->ingestion);
}

TEST_F(RouterTest, MatchCarriesTheRouteAccess) {
  EXPECT_EQ(router_.Find("GET", "/health")->route->access, RouteAccess::kPublic);
  EXPECT_EQ(router_.Find("POST", "/v1/track")->route->access, RouteAccess::kIngestion);
  EXPECT_EQ(router_.Find("GET", "/queries/1")->route->access, RouteAccess::kRead);
  EXPECT_EQ(router_.Find("PUT", "/queries/1")->route->access, RouteAccess::kBuild);
  EXPECT_EQ(router_.Find("HEAD", "/queries/1")->route->access, RouteAccess::kRead);
  EXPECT_EQ(router_.Find("GET", "/workspaces/a/keys/b")->route->access, RouteAccess::kAdmin);
}

#ifndef NDEBUG
TEST(RouterDeathTest, OnePatternIsAllIngestionOrNone) {
  // Preflights pick the CORS policy by pattern, before the method is known.
  Router router;
  router.Add("POST", "/v1/batch", RouteAccess::kIngestion, Noop());
  EXPECT_DEATH(router.Add("GET", "/v1/batch", RouteAccess::kRead, Noop()), "ingestion");
}
#endif

TEST(RouteAccessTest, Names) {
  EXPECT_EQ(RouteAccessName(RouteAccess::kPublic), "public");
  EXPECT_EQ(RouteAccessName(RouteAccess::kIngestion), "ingestion");
  EXPECT_EQ(RouteAccessName(RouteAccess::kMetricsToken), "metrics_token");
  EXPECT_EQ(RouteAccessName(RouteAccess::kUser), "user");
  EXPECT_EQ(RouteAccessName(RouteAccess::kRead), "read");
  EXPECT_EQ(RouteAccessName(RouteAccess::kBuild), "build");
  EXPECT_EQ(RouteAccessName(RouteAccess::kAdmin), "admin");
}

TEST_F(RouterTest, ListsEveryRouteInOrder) {
  const auto routes = router_.routes();
  ASSERT_EQ(routes.size(), 11u);
  EXPECT_EQ(routes.front()->pattern, "/health");
  EXPECT_EQ(routes.front()->access, RouteAccess::kPublic);
  EXPECT_EQ(routes.back()->pattern, "/workspaces/{workspace}/keys/{key}");
  EXPECT_EQ(routes.back()->access, RouteAccess::kAdmin);
}

}  // namespace
}  // namespace cdp::http
