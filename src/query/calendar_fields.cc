#include "query/calendar_fields.h"

namespace cdp::query {

Result<TimeRange> ParseTimeRange(const RequestObject& object) {
  TimeRange range;
  CDP_ASSIGN_OR_RETURN(range.from, object.Time("from"));
  CDP_ASSIGN_OR_RETURN(range.to, object.Time("to"));
  if (range.from >= range.to) return FieldError(object.PathOf("to"), "later than from");
  return range;
}

Result<Interval> ParseInterval(const RequestObject& object) {
  return object.Choice<Interval>("interval",
                                 {{"hour", Interval::kHour},
                                  {"day", Interval::kDay},
                                  {"week", Interval::kWeek},
                                  {"month", Interval::kMonth}},
                                 Interval::kDay);
}

Result<TimeZone> ParseTimeZone(const RequestObject& object) {
  CDP_ASSIGN_OR_RETURN(const std::optional<std::string_view> name,
                       object.OptionalString("time_zone"));
  if (!name) return TimeZone::Utc();
  return TimeZone::Load(*name, object.PathOf("time_zone"));
}

}  // namespace cdp::query
