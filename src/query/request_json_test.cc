#include "query/request_json.h"

#include <gtest/gtest.h>

namespace cdp::query {
namespace {

enum class Color { kRed, kBlue };

class RequestObjectTest : public ::testing::Test {
 protected:
  RequestObject Parse(std::string_view body) {
    Result<RequestObject> object = RequestObject::Parse(parser_, body);
    EXPECT_TRUE(object.ok()) << object.status().message();
    return *object;
  }
  simdjson::dom::parser parser_;
};

TEST_F(RequestObjectTest, RefusesBodiesThatAreNotObjects) {
  EXPECT_EQ(RequestObject::Parse(parser_, "[1]").status().code(), ErrorCode::kBadRequest);
  EXPECT_EQ(RequestObject::Parse(parser_, "{").status().code(), ErrorCode::kBadRequest);
}

TEST_F(RequestObjectTest, NamesNestedFieldsByTheirPath) {
  const RequestObject body = Parse(R"({"steps": [{"event": "a"}, {"event": 5}]})");
  const auto steps = body.Array("steps", 2, 64);
  ASSERT_TRUE(steps.ok());
  const RequestObject second = *RequestObject::Of((*steps)[1].value, (*steps)[1].path);
  const Result<std::string_view> event = second.String("event");
  ASSERT_FALSE(event.ok());
  EXPECT_EQ(event.status().field(), "steps[1].event");
  EXPECT_EQ(body.Array("steps", 3, 64).status().field(), "steps");
}

TEST_F(RequestObjectTest, ReadsTypedValuesAndRefusesWrongOnes) {
  const RequestObject body = Parse(
      R"({"n": 7, "m": 7.0, "x": 7.5, "b": true, "s": "red", "t": "2026-03-01T01:00:00+01:00",
          "d": "2026-03-01", "nul": null})");
  EXPECT_EQ(*body.Int("n", 0, 1, 10), 7);
  EXPECT_EQ(*body.Int("m", 0, 1, 10), 7);
  EXPECT_EQ(body.Int("x", 0, 1, 10).status().field(), "x");
  EXPECT_EQ(body.Int("n", 0, 8, 10).status().field(), "n");
  EXPECT_EQ(*body.Int("nul", 3, 1, 10), 3);  // null means absent
  EXPECT_EQ(*body.Int("absent", 3, 1, 10), 3);
  EXPECT_TRUE(*body.Bool("b", false));
  EXPECT_EQ(body.Bool("s", false).status().field(), "s");
  EXPECT_EQ(*body.Time("t"), *body.Time("d"));
  EXPECT_EQ(body.Time("s").status().field(), "s");
  EXPECT_EQ(body.Time("absent").status().field(), "absent");
  const auto color =
      body.Choice<Color>("s", {{"red", Color::kRed}, {"blue", Color::kBlue}}, Color::kBlue);
  EXPECT_EQ(*color, Color::kRed);
  const auto other = body.Choice<Color>("t", {{"red", Color::kRed}}, Color::kBlue);
  EXPECT_NE(other.status().message().find("one of red"), std::string::npos);
}

TEST_F(RequestObjectTest, RefusesUnknownKeys) {
  const RequestObject body = Parse(R"({"from": 1, "form": 2})");
  const Status status = body.RejectUnknownKeys({"from", "to"});
  EXPECT_EQ(status.code(), ErrorCode::kBadRequest);
  EXPECT_EQ(status.field(), "form");
  EXPECT_TRUE(body.RejectUnknownKeys({"from", "form"}).ok());
}

}  // namespace
}  // namespace cdp::query
