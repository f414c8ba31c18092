#include "query/funnel/funnel_request.h"

#include <fmt/format.h>

#include <utility>

#include "query/calendar_fields.h"
#include "store/event_columns.h"

namespace cdp::query {

namespace {

constexpr int64_t kMicrosPerSecond = 1'000'000;

// BadRequest naming the key unless `object` has it.
Status Require(const RequestObject& object, std::string_view key) {
  if (object.Has(key)) return Status::Ok();
  return Status::BadRequest(fmt::format("{} is required", object.PathOf(key)), object.PathOf(key));
}

Result<int64_t> ParseWindow(const RequestObject& body) {
  CDP_ASSIGN_OR_RETURN(const std::optional<RequestObject> window, body.OptionalObject("window"));
  if (!window) return int64_t{14} * 86'400 * kMicrosPerSecond;
  CDP_RETURN_IF_ERROR(window->RejectUnknownKeys({"value", "unit"}));
  CDP_RETURN_IF_ERROR(Require(*window, "value"));
  CDP_ASSIGN_OR_RETURN(const int64_t value, window->Int("value", 0, 1, 10'000));
  CDP_RETURN_IF_ERROR(Require(*window, "unit"));
  CDP_ASSIGN_OR_RETURN(
      const int64_t unit_seconds,
      window->Choice<int64_t>(
          "unit", {{"minute", 60}, {"hour", 3'600}, {"day", 86'400}, {"week", 7 * 86'400}}, 0));
  return value * unit_seconds * kMicrosPerSecond;
}

Result<std::vector<FunnelStep>> ParseSteps(const RequestObject& body) {
  CDP_ASSIGN_OR_RETURN(const std::vector<RequestObject::Element> elements,
                       body.Array("steps", kMinFunnelSteps, kMaxFunnelSteps));
  std::vector<FunnelStep> steps;
  for (const RequestObject::Element& element : elements) {
    CDP_ASSIGN_OR_RETURN(const RequestObject object,
                         RequestObject::Of(element.value, element.path));
    CDP_RETURN_IF_ERROR(object.RejectUnknownKeys({"event", "type", "filters", "name"}));
    FunnelStep step;
    CDP_ASSIGN_OR_RETURN(step.selector, ParseEventSelector(object));
    CDP_ASSIGN_OR_RETURN(const std::optional<std::string_view> name, object.OptionalString("name"));
    if (name) {
      step.name = std::string(*name);
    } else if (step.selector.event) {
      step.name = *step.selector.event;
    } else {
      step.name = fmt::format("Step {}", steps.size() + 1);
    }
    steps.push_back(std::move(step));
  }
  return steps;
}

Result<std::vector<FunnelExclusion>> ParseExclusions(const RequestObject& body, int step_count) {
  CDP_ASSIGN_OR_RETURN(const std::vector<RequestObject::Element> elements,
                       body.Array("exclusions", 0, kMaxFunnelExclusions));
  std::vector<FunnelExclusion> exclusions;
  for (const RequestObject::Element& element : elements) {
    CDP_ASSIGN_OR_RETURN(const RequestObject object,
                         RequestObject::Of(element.value, element.path));
    CDP_RETURN_IF_ERROR(
        object.RejectUnknownKeys({"event", "type", "filters", "from_step", "to_step"}));
    FunnelExclusion exclusion;
    CDP_ASSIGN_OR_RETURN(exclusion.selector, ParseEventSelector(object));
    CDP_RETURN_IF_ERROR(Require(object, "from_step"));
    CDP_RETURN_IF_ERROR(Require(object, "to_step"));
    CDP_ASSIGN_OR_RETURN(const int64_t from_step, object.Int("from_step", 0, 0, step_count - 2));
    CDP_ASSIGN_OR_RETURN(const int64_t to_step, object.Int("to_step", 0, 1, step_count - 1));
    if (to_step <= from_step) {
      return FieldError(object.PathOf("to_step"), "greater than from_step");
    }
    exclusion.from_step = static_cast<int>(from_step);
    exclusion.to_step = static_cast<int>(to_step);
    exclusions.push_back(std::move(exclusion));
  }
  return exclusions;
}

Result<std::optional<FunnelBreakdown>> ParseBreakdown(const RequestObject& body) {
  CDP_ASSIGN_OR_RETURN(const std::optional<RequestObject> object, body.OptionalObject("breakdown"));
  if (!object) return std::optional<FunnelBreakdown>();
  CDP_RETURN_IF_ERROR(object->RejectUnknownKeys({"property", "limit"}));
  FunnelBreakdown breakdown;
  CDP_ASSIGN_OR_RETURN(const std::string_view column, object->String("property"));
  CDP_RETURN_IF_ERROR(CheckColumnName(column, object->PathOf("property")));
  breakdown.column = std::string(column);
  CDP_ASSIGN_OR_RETURN(const int64_t limit, object->Int("limit", 25, 1, 1000));
  breakdown.limit = static_cast<int>(limit);
  return std::optional<FunnelBreakdown>(std::move(breakdown));
}

}  // namespace

std::string_view FunnelOrderName(FunnelOrder order) {
  switch (order) {
    case FunnelOrder::kOrdered:
      return "ordered";
    case FunnelOrder::kStrict:
      return "strict";
    case FunnelOrder::kUnordered:
      return "unordered";
  }
  return "";
}

Result<FunnelRequest> ParseFunnelRequest(std::string_view body_text) {
  simdjson::dom::parser parser;
  CDP_ASSIGN_OR_RETURN(const RequestObject body, RequestObject::Parse(parser, body_text));
  CDP_RETURN_IF_ERROR(
      body.RejectUnknownKeys({"from", "to", "steps", "window", "order", "exclusions", "breakdown",
                              "interval", "time_zone", "histogram_bins"}));
  FunnelRequest request;
  CDP_ASSIGN_OR_RETURN(const TimeRange range, ParseTimeRange(body));
  request.from = range.from;
  request.to = range.to;
  CDP_ASSIGN_OR_RETURN(request.steps, ParseSteps(body));
  CDP_ASSIGN_OR_RETURN(request.window_micros, ParseWindow(body));
  CDP_ASSIGN_OR_RETURN(request.order,
                       body.Choice<FunnelOrder>("order",
                                                {{"ordered", FunnelOrder::kOrdered},
                                                 {"strict", FunnelOrder::kStrict},
                                                 {"unordered", FunnelOrder::kUnordered}},
                                                FunnelOrder::kOrdered));
  CDP_ASSIGN_OR_RETURN(request.exclusions,
                       ParseExclusions(body, static_cast<int>(request.steps.size())));
  CDP_ASSIGN_OR_RETURN(request.breakdown, ParseBreakdown(body));
  CDP_ASSIGN_OR_RETURN(request.interval, ParseInterval(body));
  CDP_ASSIGN_OR_RETURN(request.time_zone, ParseTimeZone(body));
  CDP_ASSIGN_OR_RETURN(const int64_t bins, body.Int("histogram_bins", 10, 1, 100));
  request.histogram_bins = static_cast<int>(bins);
  return request;
}

}  // namespace cdp::query
