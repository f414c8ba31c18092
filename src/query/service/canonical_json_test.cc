#include "query/service/canonical_json.h"

#include <gtest/gtest.h>

namespace cdp::query {
namespace {

std::string Canonical(std::string_view body) {
  Result<std::string> canonical = CanonicalJsonObject(body);
  EXPECT_TRUE(canonical.ok()) << body << ": " << canonical.status().ToString();
  return canonical.ok() ? *canonical : "";
}

TEST(CanonicalJsonTest, SortsKeysAtEveryDepthAndDropsWhitespace) {
  EXPECT_EQ(Canonical(R"( { "b" : 1, "a" : { "z": [3, {"y": 1, "x": 2}], "c": null } } )"),
            R"({"a":{"c":null,"z":[3,{"x":2,"y":1}]},"b":1})");
}

TEST(CanonicalJsonTest, SameTextWhateverTheKeyOrderAndSpacing) {
  const std::string a =
      Canonical(R"({"from":"2026-03-01","to":"2026-03-08","steps":[{"event":"A"}]})");
  const std::string b = Canonical(
      "{\n  \"steps\": [ { \"event\": \"A\" } ],\n  \"to\": \"2026-03-08\",\n  \"from\": "
      "\"2026-03-01\"\n}");
  EXPECT_EQ(a, b);
}

TEST(CanonicalJsonTest, ArraysKeepTheirOrder) {
  EXPECT_NE(Canonical(R"({"steps":["a","b"]})"), Canonical(R"({"steps":["b","a"]})"));
}

TEST(CanonicalJsonTest, ValuesKeepTheirMeaning) {
  EXPECT_EQ(
      Canonical(
          R"({"s":"a\"b\\c\u00e9\n","t":true,"f":false,"i":-5,"u":18446744073709551615,"d":0.25,"e":1e3})"),
      R"({"d":0.25,"e":1000,"f":false,"i":-5,"s":"a\"b\\cé\n","t":true,"u":18446744073709551615})");
  // Different values never collapse to one text.
  EXPECT_NE(Canonical(R"({"a":"1"})"), Canonical(R"({"a":1})"));
  EXPECT_NE(Canonical(R"({"a":0.1})"), Canonical(R"({"a":0.10000000000000002})"));
}

TEST(CanonicalJsonTest, KeysCompareBytewise) {
  EXPECT_EQ(Canonical(R"({"b":1,"B":2,"a":3,"ab":4})"), R"({"B":2,"a":3,"ab":4,"b":1})");
}

TEST(CanonicalJsonTest, RefusesWhatIsNotAnObject) {
  for (const std::string_view body : {"", "[]", "1", "\"x\"", "{", "{\"a\":}", "null"}) {
    const Result<std::string> canonical = CanonicalJsonObject(body);
    ASSERT_FALSE(canonical.ok()) << body;
    EXPECT_EQ(canonical.status().code(), ErrorCode::kBadRequest) << body;
  }
}

TEST(CanonicalJsonTest, RefusesADuplicateKeyNamingIt) {
  const Result<std::string> canonical =
      CanonicalJsonObject(R"({"steps":[{"event":"a"},{"event":"b","event":"c"}]})");
  ASSERT_FALSE(canonical.ok());
  EXPECT_EQ(canonical.status().code(), ErrorCode::kBadRequest);
  EXPECT_EQ(canonical.status().field(), "steps[1].event");
}

}  // namespace
}  // namespace cdp::query
