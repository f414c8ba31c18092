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

TEST(UrlEncodingTest, PercentDecodeKeepsMalformedEscapesAndPlusOnlyInQueries) {
  EXPECT_EQ(PercentDecode("a%20b%2"), "a b%2");
  EXPECT_EQ(PercentDecode("%zz+"), "%zz+");
  EXPECT_EQ(PercentDecode("a+b", true), "a b");
}

}  // namespace
}  // namespace cdp::http
