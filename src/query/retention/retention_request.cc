#include "query/retention/retention_request.h"

#include <simdjson.h>

#include <algorithm>

#include "query/request_json.h"

namespace cdp::query {

namespace {

Result<EventSelector> SelectorAt(const RequestObject& body, std::string_view key) {
  CDP_ASSIGN_OR_RETURN(const RequestObject object, body.Object(key));
  CDP_RETURN_IF_ERROR(object.RejectUnknownKeys({"event", "type", "filters"}));
  return ParseEventSelector(object);
}

}  // namespace

std::string_view RetentionCohortName(RetentionCohort cohort) {
  return cohort == RetentionCohort::kFirstTime ? "first_time" : "recurring";
}

std::string_view RetentionReturningName(RetentionReturning returning) {
  return returning == RetentionReturning::kOnOrAfter ? "on_or_after" : "on";
}

Result<RetentionRequest> ParseRetentionRequest(std::string_view body) {
  simdjson::dom::parser parser;
  CDP_ASSIGN_OR_RETURN(const RequestObject object, RequestObject::Parse(parser, body));
  CDP_RETURN_IF_ERROR(
      object.RejectUnknownKeys({"from", "to", "periods", "period", "time_zone", "start_event",
                                "return_event", "cohort", "returning"}));
  RetentionRequest request;
  CDP_ASSIGN_OR_RETURN(request.from, object.Time("from"));
  CDP_ASSIGN_OR_RETURN(request.to, object.OptionalTime("to"));
  if (request.to && *request.to <= request.from) return FieldError("to", "after from");
  CDP_ASSIGN_OR_RETURN(const int64_t periods,
                       object.Int("periods", request.periods, 1, kMaxRetentionPeriods));
  request.periods = static_cast<int>(periods);
  CDP_ASSIGN_OR_RETURN(request.period, object.Choice<Interval>("period",
                                                               {{"day", Interval::kDay},
                                                                {"week", Interval::kWeek},
                                                                {"month", Interval::kMonth}},
                                                               request.period));
  CDP_ASSIGN_OR_RETURN(const std::optional<std::string_view> zone,
                       object.OptionalString("time_zone"));
  if (zone) {
    CDP_ASSIGN_OR_RETURN(request.time_zone, TimeZone::Load(*zone, "time_zone"));
  }
  CDP_ASSIGN_OR_RETURN(request.start_event, SelectorAt(object, "start_event"));
  CDP_ASSIGN_OR_RETURN(request.return_event, SelectorAt(object, "return_event"));
  CDP_ASSIGN_OR_RETURN(request.cohort,
                       object.Choice<RetentionCohort>("cohort",
                                                      {{"recurring", RetentionCohort::kRecurring},
                                                       {"first_time", RetentionCohort::kFirstTime}},
                                                      request.cohort));
  CDP_ASSIGN_OR_RETURN(request.returning, object.Choice<RetentionReturning>(
                                              "returning",
                                              {{"on", RetentionReturning::kOn},
                                               {"on_or_after", RetentionReturning::kOnOrAfter}},
                                              request.returning));
  return request;
}

Result<RetentionRange> ResolveRetentionRange(const RetentionRequest& request) {
  const TimeZone& zone = request.time_zone;
  cctz::civil_second civil = FloorToInterval(zone.Civil(request.from), request.period);
  for (int i = 0; i < request.periods; ++i) civil = NextInterval(civil, request.period);
  TimePoint to = zone.Instant(civil);
  if (request.to) to = std::min(to, *request.to);
  CDP_ASSIGN_OR_RETURN(TimeBuckets periods,
                       TimeBuckets::Make(zone, request.period, request.from, to, "periods"));
  return RetentionRange{.periods = std::move(periods), .to = to};
}

}  // namespace cdp::query
