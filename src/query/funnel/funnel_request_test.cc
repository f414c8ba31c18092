#include "query/funnel/funnel_request.h"

#include <fmt/format.h>
#include <gtest/gtest.h>

#include <string>

namespace cdp::query {
namespace {

constexpr std::string_view kRange = R"("from": "2026-03-01", "to": "2026-03-08")";
constexpr std::string_view kSteps = R"("steps": [{"event": "A"}, {"event": "B"}])";

// The field a bad body is refused for ("(ok)" when it is accepted).
std::string FieldOf(const std::string& body) {
  const Result<FunnelRequest> request = ParseFunnelRequest(body);
  if (request.ok()) return "(ok)";
  EXPECT_EQ(request.status().code(), ErrorCode::kBadRequest) << body;
  return request.status().field();
}

std::string Body(std::string_view extra, std::string_view steps = kSteps) {
  return fmt::format("{{{}, {}{}{}}}", kRange, steps, extra.empty() ? "" : ", ", extra);
}

std::string StepsOf(int count) {
  std::string steps = R"("steps": [)";
  for (int i = 0; i < count; ++i) steps += fmt::format(R"({}{{"event": "E{}"}})", i ? ", " : "", i);
  return steps + "]";
}

TEST(FunnelRequestTest, DefaultsFillWhatIsNotSaid) {
  const Result<FunnelRequest> request = ParseFunnelRequest(
      Body("", R"("steps": [{"event": "A", "name": "Came"}, {"type": "page"}])"));
  ASSERT_TRUE(request.ok()) << request.status().message();
  EXPECT_EQ(request->steps.size(), 2u);
  EXPECT_EQ(request->steps[0].name, "Came");
  EXPECT_EQ(request->steps[1].name, "Step 2");
  EXPECT_EQ(request->window_micros, int64_t{14} * 86'400 * 1'000'000);
  EXPECT_EQ(request->order, FunnelOrder::kOrdered);
  EXPECT_TRUE(request->exclusions.empty());
  EXPECT_FALSE(request->breakdown.has_value());
  EXPECT_EQ(request->interval, Interval::kDay);
  EXPECT_EQ(request->time_zone.name(), "UTC");
  EXPECT_EQ(request->histogram_bins, 10);
}

TEST(FunnelRequestTest, ReadsEveryOption) {
  const Result<FunnelRequest> request = ParseFunnelRequest(Body(
      R"("window": {"value": 90, "unit": "minute"}, "order": "unordered",
         "exclusions": [{"event": "X", "from_step": 0, "to_step": 1}],
         "breakdown": {"property": "properties.plan", "limit": 3}, "interval": "hour",
         "time_zone": "Europe/Paris", "histogram_bins": 4)"));
  ASSERT_TRUE(request.ok()) << request.status().message();
  EXPECT_EQ(request->window_micros, int64_t{90} * 60 * 1'000'000);
  EXPECT_EQ(request->order, FunnelOrder::kUnordered);
  ASSERT_EQ(request->exclusions.size(), 1u);
  EXPECT_EQ(*request->exclusions[0].selector.event, "X");
  EXPECT_EQ(request->exclusions[0].to_step, 1);
  EXPECT_EQ(request->breakdown->column, "properties.plan");
  EXPECT_EQ(request->breakdown->limit, 3);
  EXPECT_EQ(request->interval, Interval::kHour);
  EXPECT_EQ(request->time_zone.name(), "Europe/Paris");
  EXPECT_EQ(request->histogram_bins, 4);
}

TEST(FunnelRequestTest, TakesTwoToSixtyFourSteps) {
  EXPECT_EQ(FieldOf(Body("", StepsOf(1))), "steps");
  EXPECT_EQ(FieldOf(Body("", StepsOf(2))), "(ok)");
  EXPECT_EQ(FieldOf(Body("", StepsOf(64))), "(ok)");
  EXPECT_EQ(FieldOf(Body("", StepsOf(65))), "steps");
  EXPECT_EQ(FieldOf(fmt::format("{{{}}}", kRange)), "steps");
}

TEST(FunnelRequestTest, BadRequestsNameTheField) {
  EXPECT_EQ(FieldOf(Body(R"("colour": "red")")), "colour");
  EXPECT_EQ(FieldOf(fmt::format(R"({{"to": "2026-03-08", {}}})", kSteps)), "from");
  EXPECT_EQ(FieldOf(fmt::format(R"({{"from": "2026-03-08", "to": "2026-03-08", {}}})", kSteps)),
            "to");
  EXPECT_EQ(FieldOf(fmt::format(R"({{"from": "yesterday", "to": "2026-03-08", {}}})", kSteps)),
            "from");
  EXPECT_EQ(FieldOf(Body("", R"("steps": [{"event": "A"}, {"event": "B", "colour": 1}])")),
            "steps[1].colour");
  EXPECT_EQ(FieldOf(Body("", R"("steps": [{"event": "A"}, "B"])")), "steps[1]");
  EXPECT_EQ(FieldOf(Body("", R"("steps": [{"event": "A"}, {"type": "purchase"}])")),
            "steps[1].type");
  EXPECT_EQ(FieldOf(Body("", R"("steps": [{"event": "A"},
              {"filters": [{"property": "plan", "operator": "equals", "value": 1}]}])")),
            "steps[1].filters[0].property");
  EXPECT_EQ(FieldOf(Body("", R"("steps": [{"event": 7}, {"event": "B"}])")), "steps[0].event");
  EXPECT_EQ(FieldOf(Body("", R"("steps": [{"event": "A", "name": 3}, {"event": "B"}])")),
            "steps[0].name");
  EXPECT_EQ(FieldOf(Body(R"("window": 7)")), "window");
  EXPECT_EQ(FieldOf(Body(R"("window": {"value": 0, "unit": "day"})")), "window.value");
  EXPECT_EQ(FieldOf(Body(R"("window": {"value": 1.5, "unit": "day"})")), "window.value");
  EXPECT_EQ(FieldOf(Body(R"("window": {"unit": "day"})")), "window.value");
  EXPECT_EQ(FieldOf(Body(R"("window": {"value": 3})")), "window.unit");
  EXPECT_EQ(FieldOf(Body(R"("window": {"value": 3, "unit": "fortnight"})")), "window.unit");
  EXPECT_EQ(FieldOf(Body(R"("window": {"value": 3, "unit": "day", "x": 1})")), "window.x");
  EXPECT_EQ(FieldOf(Body(R"("order": "any")")), "order");
  EXPECT_EQ(FieldOf(Body(R"("interval": "minute")")), "interval");
  EXPECT_EQ(FieldOf(Body(R"("time_zone": "Mars/Olympus")")), "time_zone");
  EXPECT_EQ(FieldOf(Body(R"("histogram_bins": 0)")), "histogram_bins");
  EXPECT_EQ(FieldOf(Body(R"("histogram_bins": 101)")), "histogram_bins");
  EXPECT_EQ(FieldOf(Body(R"("breakdown": "plan")")), "breakdown");
  EXPECT_EQ(FieldOf(Body(R"("breakdown": {"limit": 3})")), "breakdown.property");
  EXPECT_EQ(FieldOf(Body(R"("breakdown": {"property": "plan"})")), "breakdown.property");
  EXPECT_EQ(FieldOf(Body(R"("breakdown": {"property": "properties.plan", "limit": 0})")),
            "breakdown.limit");
  EXPECT_EQ(FieldOf(Body(R"("breakdown": {"property": "type", "top": 3})")), "breakdown.top");
}

TEST(FunnelRequestTest, ExclusionsNameStepsInOrder) {
  const auto exclusion = [](std::string_view fields) {
    return Body(fmt::format(R"("exclusions": [{{"event": "X", {}}}])", fields),
                R"("steps": [{"event": "A"}, {"event": "B"}, {"event": "C"}])");
  };
  EXPECT_EQ(FieldOf(exclusion(R"("from_step": 0, "to_step": 2)")), "(ok)");
  EXPECT_EQ(FieldOf(exclusion(R"("from_step": 1, "to_step": 1)")), "exclusions[0].to_step");
  EXPECT_EQ(FieldOf(exclusion(R"("from_step": 1, "to_step": 0)")), "exclusions[0].to_step");
  EXPECT_EQ(FieldOf(exclusion(R"("from_step": 2, "to_step": 2)")), "exclusions[0].from_step");
  EXPECT_EQ(FieldOf(exclusion(R"("from_step": 0, "to_step": 3)")), "exclusions[0].to_step");
  EXPECT_EQ(FieldOf(exclusion(R"("from_step": -1, "to_step": 1)")), "exclusions[0].from_step");
  EXPECT_EQ(FieldOf(exclusion(R"("to_step": 1)")), "exclusions[0].from_step");
  EXPECT_EQ(FieldOf(exclusion(R"("from_step": 0)")), "exclusions[0].to_step");
  EXPECT_EQ(FieldOf(exclusion(R"("from_step": 0, "to_step": 1, "name": "x")")),
            "exclusions[0].name");
}

}  // namespace
}  // namespace cdp::query
