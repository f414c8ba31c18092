#include "query/event_filter.h"

#include <gtest/gtest.h>

namespace cdp::query {
namespace {

class EventFilterTest : public ::testing::Test {
 protected:
  Result<EventSelector> Selector(std::string_view json) {
    CDP_ASSIGN_OR_RETURN(const RequestObject object, RequestObject::Parse(parser_, json));
    return ParseEventSelector(object);
  }
  Result<std::vector<Predicate>> Predicates(std::string_view json) {
    CDP_ASSIGN_OR_RETURN(const EventSelector selector, Selector(json));
    return ToPredicates(selector, catalog_);
  }

  simdjson::dom::parser parser_;
  ColumnCatalog catalog_{{{"event", ColumnKind::kString},
                          {"properties.plan", ColumnKind::kString},
                          {"properties.price", ColumnKind::kNumber},
                          {"properties.paid", ColumnKind::kBoolean},
                          {"properties.renews_at", ColumnKind::kTime}}};
};

TEST_F(EventFilterTest, ASelectorBecomesTypeEventAndFilterPredicates) {
  const auto predicates = Predicates(
      R"({"event": "Order Completed", "type": "track",
          "filters": [{"property": "properties.price", "operator": "gte", "value": "9.5"},
                      {"property": "properties.plan", "operator": "in", "value": ["a", 2]},
                      {"property": "properties.paid", "operator": "equals", "value": "true"},
                      {"property": "properties.renews_at", "operator": "lt", "value": "2026-01-01"},
                      {"property": "properties.coupon", "operator": "is_not_set"}]})");
  ASSERT_TRUE(predicates.ok()) << predicates.status().message();
  ASSERT_EQ(predicates->size(), 7u);
  EXPECT_EQ((*predicates)[0].column, "type");
  EXPECT_EQ((*predicates)[1].column, "event");
  EXPECT_EQ((*predicates)[2].values, std::vector<ScalarValue>{9.5});
  EXPECT_EQ((*predicates)[3].values,
            (std::vector<ScalarValue>{std::string("a"), std::string("2")}));
  EXPECT_EQ((*predicates)[4].values, std::vector<ScalarValue>{true});
  EXPECT_EQ((*predicates)[5].values,
            std::vector<ScalarValue>{TimeValue{int64_t{1'767'225'600} * 1'000'000}});
  EXPECT_EQ((*predicates)[6].op, CompareOp::kIsNotSet);
}

TEST_F(EventFilterTest, BadFiltersNameTheOffendingField) {
  const auto field_of = [&](std::string_view json) {
    const auto predicates = Predicates(json);
    return predicates.ok() ? std::string("(ok)") : predicates.status().field();
  };
  EXPECT_EQ(field_of(R"({"filters": [{"property": "plan", "operator": "equals", "value": 1}]})"),
            "filters[0].property");
  EXPECT_EQ(field_of(R"({"filters": [{"property": "properties.plan", "operator": "like"}]})"),
            "filters[0].operator");
  EXPECT_EQ(
      field_of(
          R"({"filters": [{"property": "properties.price", "operator": "gt", "value": "x"}]})"),
      "filters[0].value");
  EXPECT_EQ(
      field_of(
          R"({"filters": [{"property": "properties.price", "operator": "contains", "value": "1"}]})"),
      "filters[0].operator");
  EXPECT_EQ(
      field_of(
          R"({"filters": [{"property": "properties.plan", "operator": "regex", "value": "("}]})"),
      "filters[0].value");
  EXPECT_EQ(
      field_of(R"({"filters": [{"property": "properties.plan", "operator": "in", "value": "a"}]})"),
      "filters[0].value");
  EXPECT_EQ(
      field_of(
          R"({"filters": [{"property": "properties.plan", "operator": "is_set", "value": 1}]})"),
      "filters[0].value");
  EXPECT_EQ(field_of(R"({"filters": [{"property": "properties.plan", "operator": "equals"}]})"),
            "filters[0].value");
  EXPECT_EQ(field_of(R"({"type": "click"})"), "type");
}

TEST_F(EventFilterTest, ReferenceMatchingAppliesEveryPredicate) {
  const auto predicates = Predicates(
      R"({"event": "Signed Up",
          "filters": [{"property": "properties.plan", "operator": "regex", "value": "^pro"}]})");
  ASSERT_TRUE(predicates.ok());
  Event event;
  event.event = "Signed Up";
  event.properties.push_back(
      {.name = "plan", .value = std::string("professional"), .timestamp = {}});
  EXPECT_TRUE(EventMatches(event, *predicates));
  event.properties[0].value = std::string("free");
  EXPECT_FALSE(EventMatches(event, *predicates));
}

}  // namespace
}  // namespace cdp::query
