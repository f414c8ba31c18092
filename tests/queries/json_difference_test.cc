#include "queries/json_difference.h"

#include <gtest/gtest.h>

namespace cdp::query::cases {
namespace {

using Lines = std::vector<std::string>;

TEST(JsonDifferencesTest, EqualWhateverTheKeyOrderAndSpacing) {
  EXPECT_EQ(JsonDifferences(R"({"a":1,"b":{"c":[1,2],"d":null}})",
                            R"({ "b": {"d": null, "c": [1, 2]}, "a": 1 })"),
            Lines{});
}

TEST(JsonDifferencesTest, NumbersWithinTheTolerance) {
  EXPECT_EQ(JsonDifferences(R"({"a":3,"b":0.30000000000000004,"c":1e12})",
                            R"({"a":3.0,"b":0.3,"c":1000000000000.0001})"),
            Lines{});
  EXPECT_EQ(JsonDifferences(R"({"a":0.31})", R"({"a":0.3})"), Lines{"a: got 0.31, expected 0.3"});
  EXPECT_EQ(JsonDifferences(R"({"a":0.31})", R"({"a":0.3})", 0.1), Lines{});
}

TEST(JsonDifferencesTest, NamesEveryDifferenceByPath) {
  EXPECT_EQ(JsonDifferences(R"({"steps":[{"persons":3,"name":"a"},{"persons":1}],"extra":true})",
                            R"({"steps":[{"persons":4,"name":"a"},{"persons":1}],"total":2})"),
            (Lines{"steps[0].persons: got 3, expected 4", "total: missing (expected 2)",
                   "extra: not expected (got true)"}));
}

TEST(JsonDifferencesTest, TypesAndLengths) {
  EXPECT_EQ(JsonDifferences(R"({"a":"1","b":null})", R"({"a":1,"b":0})"),
            (Lines{"a: got \"1\", expected 1", "b: got null, expected 0"}));
  EXPECT_EQ(JsonDifferences(R"({"a":[1,2,3]})", R"({"a":[1,5]})"),
            (Lines{"a: 3 elements, expected 2", "a[1]: got 2, expected 5",
                   "a[2]: not expected (got 3)"}));
  EXPECT_EQ(JsonDifferences(R"([1])", R"([1,{"x":1}])"),
            (Lines{"(the result): 1 elements, expected 2", "[1]: missing (expected {\"x\":1})"}));
  EXPECT_EQ(JsonDifferences(R"({"a":true})", R"({"a":false})"),
            Lines{"a: got true, expected false"});
}

TEST(JsonDifferencesTest, AtMostTheGivenNumberOfLines) {
  const Lines lines = JsonDifferences("[1,2,3,4,5]", "[0,0,0,0,0]", 1e-9, 3);
  ASSERT_EQ(lines.size(), 4u);
  EXPECT_EQ(lines[3], "... (more differences)");
}

TEST(JsonDifferencesTest, TextThatIsNotJson) {
  ASSERT_EQ(JsonDifferences("{", "{}").size(), 1u);
  EXPECT_NE(JsonDifferences("{", "{}")[0].find("not valid JSON"), std::string::npos);
}

TEST(PrettyJsonTest, IndentsObjectsAndArraysOfObjects) {
  EXPECT_EQ(PrettyJson(R"({"a":1,"b":[1,2],"c":[{"d":"x\"y"}],"e":{}})"),
            "{\n  \"a\": 1,\n  \"b\": [1,2],\n  \"c\": [\n    {\n      \"d\": \"x\\\"y\"\n    }\n  "
            "],\n  \"e\": {}\n}");
}

}  // namespace
}  // namespace cdp::query::cases
