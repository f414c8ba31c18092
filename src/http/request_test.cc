#include "http/request.h"

#include <gtest/gtest.h>

#include "http/url_encoding.h"

namespace cdp::http {
namespace {

TEST(RequestTest, QueryParamDecodesAndTakesTheFirst) {
  Request request;
  request.SetStartLine("GET", "/dlq?limit=10&cursor=a%2Fb+c&limit=20&flag&empty=");
  EXPECT_EQ(request.path(), "/dlq");
  EXPECT_EQ(request.QueryParam("limit"), "10");
  EXPECT_EQ(request.QueryParam("cursor"), "a/b c");
  EXPECT_EQ(request.QueryParam("flag"), "");
  EXPECT_EQ(request.QueryParam("empty"), "");
  EXPECT_EQ(request.QueryParam("missing"), std::nullopt);
  EXPECT_EQ(request.QueryParam("lim"), std::nullopt);
}

TEST(RequestTest, QueryParamWithoutAQuery) {
  Request request;
  request.SetStartLine("GET", "/dlq");
  EXPECT_EQ(request.QueryParam("limit"), std::nullopt);
}

TEST(RequestTest, RouteAccessIsPublicUntilARouteMatches) {
  Request request;
  request.SetStartLine("GET", "/queries/7");
  EXPECT_EQ(request.access(), RouteAccess::kPublic);
  request.SetRoute("/queries/{id}", {{"id", "7"}}, RouteAccess::kRead);
  EXPECT_EQ(request.route(), "/queries/{id}");
  EXPECT_EQ(request.PathParam("id"), "7");
  EXPECT_EQ(request.access(), RouteAccess::kRead);
  request.SetRoute("(unmatched)", {});
  EXPECT_EQ(request.access(), RouteAccess::kPublic);
}

TEST(RequestTest, ActorAndWorkspaceStartEmpty) {
  Request request;
  EXPECT_EQ(request.actor(), "");
  EXPECT_EQ(request.workspace_id(), "");
  request.set_actor("user:0190a1b2");
  request.set_workspace_id("ws-1");
  EXPECT_EQ(request.actor(), "user:0190a1b2");
  EXPECT_EQ(request.workspace_id(), "ws-1");
}

TEST(UrlEncodingTest, PercentDecodeKeepsMalformedEscapesAndPlusOnlyInQueries) {
  EXPECT_EQ(PercentDecode("a%20b%2"), "a b%2");
  EXPECT_EQ(PercentDecode("%zz+"), "%zz+");
  EXPECT_EQ(PercentDecode("a+b", true), "a b");
}

}  // namespace
}  // namespace cdp::http
