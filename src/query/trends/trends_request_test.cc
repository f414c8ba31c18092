#include "query/trends/trends_request.h"

#include <fmt/format.h>
#include <gtest/gtest.h>

#include <string>
#include <vector>

namespace cdp::query {
namespace {

// Columns as a workspace with plans, prices and a few others has them.
std::vector<StoredColumn> Columns() {
  return {{"event", ColumnKind::kString},
          {"timestamp", ColumnKind::kTime},
          {"properties.plan", ColumnKind::kString},
          {"properties.price", ColumnKind::kNumber},
          {"properties.shipped_at", ColumnKind::kTime},
          {"properties.mixed", ColumnKind::kString},
          {"properties.mixed", ColumnKind::kNumber}};
}

Result<TrendsRequest> Parse(const std::string& body) { return ParseTrendsRequest(body, Columns()); }

constexpr std::string_view kRange = R"("from": "2026-03-01", "to": "2026-03-08")";

std::string Body(std::string_view rest) { return fmt::format("{{{}, {}}}", kRange, rest); }

TEST(TrendsRequestTest, ReadsAFullRequest) {
  const Result<TrendsRequest> request = Parse(R"json({
    "from": "2026-03-01T00:00:00+01:00", "to": "2026-03-08", "interval": "week",
    "time_zone": "Europe/Paris",
    "series": [
      {"event": "Order Completed", "math": "p90", "math_property": "properties.price",
       "name": "Slow orders", "filters": [{"property": "properties.plan", "operator": "equals",
                                            "value": "pro"}]},
      {"type": "page"},
      {"math": "mau"}
    ],
    "breakdown": {"property": "properties.plan", "limit": 3},
    "formula": "A / (B + C)",
    "compare": true})json");
  ASSERT_TRUE(request.ok()) << request.status().ToString();
  EXPECT_EQ(request->interval, Interval::kWeek);
  EXPECT_EQ(request->time_zone.name(), "Europe/Paris");
  ASSERT_EQ(request->series.size(), 3u);
  EXPECT_EQ(request->series[0].math, TrendsMath::kP90);
  EXPECT_EQ(request->series[0].math_property, "properties.price");
  EXPECT_EQ(request->series[0].name, "Slow orders");
  EXPECT_EQ(request->series[0].predicates.size(), 2u);  // event name and the filter
  EXPECT_EQ(request->series[1].math, TrendsMath::kTotal);
  EXPECT_EQ(request->series[1].name, "all page events");
  EXPECT_EQ(request->series[2].name, "all events");
  ASSERT_TRUE(request->breakdown);
  EXPECT_EQ(request->breakdown->column, "properties.plan");
  EXPECT_EQ(request->breakdown->limit, 3u);
  ASSERT_TRUE(request->formula);
  EXPECT_EQ(request->formula->text(), "A / (B + C)");
  ASSERT_EQ(request->periods.size(), 2u);
  // The previous period: as long as the range (7 days and 1 hour), just before it.
  EXPECT_EQ(request->periods[1].to, request->from);
  EXPECT_EQ(request->periods[1].from, request->from - (request->to - request->from));
}

TEST(TrendsRequestTest, DefaultsToDailyTotalsInUtc) {
  const Result<TrendsRequest> request = Parse(Body(R"("series": [{"event": "Signed Up"}])"));
  ASSERT_TRUE(request.ok()) << request.status().ToString();
  EXPECT_EQ(request->interval, Interval::kDay);
  EXPECT_EQ(request->time_zone.name(), "UTC");
  EXPECT_EQ(request->series[0].math, TrendsMath::kTotal);
  EXPECT_EQ(request->series[0].name, "Signed Up");
  EXPECT_FALSE(request->breakdown);
  EXPECT_FALSE(request->formula);
  EXPECT_FALSE(request->compare);
  ASSERT_EQ(request->periods.size(), 1u);
  EXPECT_EQ(request->periods[0].buckets.size(), 7u);
}

TEST(TrendsRequestTest, AcceptsAPropertyNoEventHasYetAndOneWhoseTypeChanged) {
  EXPECT_TRUE(
      Parse(Body(R"("series": [{"math": "sum", "math_property": "properties.new"}])")).ok());
  EXPECT_TRUE(
      Parse(Body(R"("series": [{"math": "avg", "math_property": "properties.mixed"}])")).ok());
}

struct BadCase {
  std::string body;
  std::string field;
};

TEST(TrendsRequestTest, RefusesBadRequestsNamingTheField) {
  const std::string series = R"("series": [{"event": "A"}])";
  const std::vector<BadCase> cases = {
      {"[]", ""},
      {"not json", ""},
      {R"({"to": "2026-03-08", "series": [{}]})", "from"},
      {R"({"from": "2026-03-01", "series": [{}]})", "to"},
      {R"({"from": "2026-03-08", "to": "2026-03-01", "series": [{}]})", "to"},
      {R"({"from": "2026-03-01", "to": "2026-03-01", "series": [{}]})", "to"},
      {R"({"from": "yesterday", "to": "2026-03-01", "series": [{}]})", "from"},
      {Body(series + R"(, "colour": "red")"), "colour"},
      {Body(series + R"(, "interval": "minute")"), "interval"},
      {Body(series + R"(, "time_zone": "Mars/Olympus")"), "time_zone"},
      {Body(series + R"(, "time_zone": 1)"), "time_zone"},
      {Body(series + R"(, "compare": "yes")"), "compare"},
      {Body(R"("series": [])"), "series"},
      {Body(R"("series": {})"), "series"},
      {Body(R"("series": [{}, {}, {}, {}, {}, {}, {}, {}, {}, {}, {}, {}, {}, {}, {}, {}, {}, {},
                          {}, {}, {}])"),
       "series"},
      {Body(R"("series": [{}, 3])"), "series[1]"},
      {Body(R"("series": [{}, {"event": "A", "colour": 1}])"), "series[1].colour"},
      {Body(R"("series": [{"type": "click"}])"), "series[0].type"},
      {Body(R"("series": [{"math": "mean"}])"), "series[0].math"},
      {Body(R"("series": [{"math": "sum"}])"), "series[0].math_property"},
      {Body(R"("series": [{"math": "p99", "math_property": 3}])"), "series[0].math_property"},
      {Body(R"("series": [{"math": "total", "math_property": "properties.price"}])"),
       "series[0].math_property"},
      {Body(R"("series": [{"math": "sum", "math_property": "properties.plan"}])"),
       "series[0].math_property"},
      {Body(R"("series": [{"math": "max", "math_property": "properties.shipped_at"}])"),
       "series[0].math_property"},
      {Body(R"("series": [{"math": "max", "math_property": "timestamp"}])"),
       "series[0].math_property"},
      {Body(R"("series": [{"math": "max", "math_property": "price"}])"), "series[0].math_property"},
      {Body(R"("series": [{"name": 5}])"), "series[0].name"},
      {Body(R"("series": [{"filters": [{"property": "properties.price", "operator": "gt",
                                        "value": "cheap"}]}])"),
       "series[0].filters[0].value"},
      {Body(R"("series": [{"filters": [{"property": "nope", "operator": "equals",
                                        "value": 1}]}])"),
       "series[0].filters[0].property"},
      {Body(R"("interval": "month", "series": [{}, {"math": "wau"}])"), "series[1].math"},
      {Body(R"("interval": "month", "series": [{"math": "mau"}])"), "series[0].math"},
      {Body(series + R"(, "breakdown": "properties.plan")"), "breakdown"},
      {Body(series + R"(, "breakdown": {})"), "breakdown.property"},
      {Body(series + R"(, "breakdown": {"property": "plan"})"), "breakdown.property"},
      {Body(series + R"(, "breakdown": {"property": "properties.plan", "limit": 0})"),
       "breakdown.limit"},
      {Body(series + R"(, "breakdown": {"property": "properties.plan", "limit": 1001})"),
       "breakdown.limit"},
      {Body(series + R"(, "breakdown": {"property": "properties.plan", "limit": 2.5})"),
       "breakdown.limit"},
      {Body(series + R"(, "breakdown": {"property": "properties.plan", "top": 2})"),
       "breakdown.top"},
      {Body(series + R"(, "formula": "A / B")"), "formula"},
      {Body(series + R"(, "formula": "A +")"), "formula"},
      {Body(series + R"(, "formula": 3)"), "formula"},
      // 7 series x 1001 groups x 2 periods x 168 hours: too many values to answer.
      {R"({"from": "2026-03-01", "to": "2026-03-08", "interval": "hour",
           "series": [{}, {}, {}, {}, {}, {}, {}],
           "breakdown": {"property": "event", "limit": 1000}, "compare": true})",
       "breakdown.limit"},
      {R"({"from": "2026-03-01", "to": "2028-03-08", "interval": "hour", "series": [{}]})", "to"},
      {R"({"from": "1701-01-01", "to": "2100-01-01", "interval": "month", "series": [{}],
           "compare": true})",
       "compare"},
  };
  for (const BadCase& bad : cases) {
    const Result<TrendsRequest> request = Parse(bad.body);
    ASSERT_FALSE(request.ok()) << bad.body;
    EXPECT_EQ(request.status().code(), ErrorCode::kBadRequest) << bad.body;
    EXPECT_EQ(request.status().field(), bad.field) << bad.body << "\n"
                                                   << request.status().ToString();
  }
}

TEST(TrendsRequestTest, NamesEveryMath) {
  const std::vector<std::string> names = {"total",
                                          "unique_persons",
                                          "dau",
                                          "wau",
                                          "mau",
                                          "count_per_person_avg",
                                          "count_per_person_median",
                                          "count_per_person_p90",
                                          "sum",
                                          "avg",
                                          "min",
                                          "max",
                                          "median",
                                          "p90",
                                          "p95",
                                          "p99"};
  for (const std::string& name : names) {
    const bool property = name == "sum" || name == "avg" || name == "min" || name == "max" ||
                          name == "median" || name[0] == 'p';
    const std::string series =
        property ? fmt::format(R"({{"math": "{}", "math_property": "properties.price"}})", name)
                 : fmt::format(R"({{"math": "{}"}})", name);
    const Result<TrendsRequest> request = Parse(Body(fmt::format(R"("series": [{}])", series)));
    ASSERT_TRUE(request.ok()) << name << ": " << request.status().ToString();
    EXPECT_EQ(TrendsMathName(request->series[0].math), name);
    EXPECT_EQ(IsPropertyMath(request->series[0].math), property) << name;
  }
}

}  // namespace
}  // namespace cdp::query
