#include "ingest/property_name.h"

#include <gtest/gtest.h>

namespace cdp::ingest {
namespace {

TEST(SnakeCaseTest, SplitsCamelAndPascalCase) {
  EXPECT_EQ(ToSnakeCase("firstName"), "first_name");
  EXPECT_EQ(ToSnakeCase("FirstName"), "first_name");
  EXPECT_EQ(ToSnakeCase("HTTPStatus"), "http_status");
  EXPECT_EQ(ToSnakeCase("getHTTPResponseCode"), "get_http_response_code");
  EXPECT_EQ(ToSnakeCase("ABC"), "abc");
  EXPECT_EQ(ToSnakeCase("iOS"), "i_os");
}

TEST(SnakeCaseTest, DigitsStayWithThePrecedingWord) {
  EXPECT_EQ(ToSnakeCase("userID2"), "user_id2");
  EXPECT_EQ(ToSnakeCase("address2"), "address2");
  EXPECT_EQ(ToSnakeCase("address2Line"), "address2_line");
  EXPECT_EQ(ToSnakeCase("v2API"), "v2_api");
  EXPECT_EQ(ToSnakeCase("utm_source2"), "utm_source2");
}

TEST(SnakeCaseTest, PunctuationRunsBecomeOneUnderscore) {
  EXPECT_EQ(ToSnakeCase("First Name"), "first_name");
  EXPECT_EQ(ToSnakeCase("$current_url"), "current_url");
  EXPECT_EQ(ToSnakeCase("utm-source"), "utm_source");
  EXPECT_EQ(ToSnakeCase("a.b"), "a_b");
  EXPECT_EQ(ToSnakeCase("a  --  b"), "a_b");
  EXPECT_EQ(ToSnakeCase("a__b"), "a_b");
  EXPECT_EQ(ToSnakeCase("UPPER_CASE"), "upper_case");
  EXPECT_EQ(ToSnakeCase("__private__"), "private");
  EXPECT_EQ(ToSnakeCase("caf\xc3\xa9 name"), "caf_name");  // non-ASCII bytes are punctuation
}

TEST(SnakeCaseTest, LeadingDigitGetsAnUnderscore) {
  EXPECT_EQ(ToSnakeCase("2fa"), "_2fa");
  EXPECT_EQ(ToSnakeCase("$1st"), "_1st");
  EXPECT_EQ(ToSnakeCase("42"), "_42");
}

TEST(SnakeCaseTest, NoLetterOrDigitHasNoName) {
  EXPECT_EQ(ToSnakeCase(""), "");
  EXPECT_EQ(ToSnakeCase("$"), "");
  EXPECT_EQ(ToSnakeCase("__"), "");
  EXPECT_EQ(ToSnakeCase("\xe5\x90\x8d\xe5\x89\x8d"), "");  // 名前
}

TEST(AppendSnakeCaseTest, JoinsNestedKeysWithOneUnderscore) {
  std::string name = "page";
  EXPECT_TRUE(AppendSnakeCase("$Url", name));
  EXPECT_EQ(name, "page_url");
  EXPECT_TRUE(AppendSnakeCase("2nd", name));  // no prefix inside a name
  EXPECT_EQ(name, "page_url_2nd");
  EXPECT_FALSE(AppendSnakeCase("--", name));
  EXPECT_EQ(name, "page_url_2nd");  // unchanged
}

}  // namespace
}  // namespace cdp::ingest
