#include "query/session/session_request.h"

#include "query/calendar_fields.h"

namespace cdp::query {

namespace {

constexpr int64_t kDefaultTimeoutMinutes = 30;
constexpr int64_t kMaxTimeoutMinutes = 24 * 60;
constexpr int64_t kMaxEntryExitLimit = 1000;

}  // namespace

Result<int64_t> ParseSessionTimeout(const RequestObject& body) {
  CDP_ASSIGN_OR_RETURN(const int64_t minutes,
                       body.Int("timeout_minutes", kDefaultTimeoutMinutes, 1, kMaxTimeoutMinutes));
  return minutes * 60 * 1'000'000;
}

Result<SessionRequest> ParseSessionRequest(std::string_view body) {
  simdjson::dom::parser parser;
  CDP_ASSIGN_OR_RETURN(const RequestObject object, RequestObject::Parse(parser, body));
  CDP_RETURN_IF_ERROR(object.RejectUnknownKeys(
      {"from", "to", "timeout_minutes", "interval", "time_zone", "filters", "entry_exit_limit"}));
  SessionRequest request;
  CDP_ASSIGN_OR_RETURN(const TimeRange range, ParseTimeRange(object));
  request.from = range.from;
  request.to = range.to;
  CDP_ASSIGN_OR_RETURN(request.timeout_micros, ParseSessionTimeout(object));
  CDP_ASSIGN_OR_RETURN(request.interval, ParseInterval(object));
  CDP_ASSIGN_OR_RETURN(request.time_zone, ParseTimeZone(object));
  CDP_ASSIGN_OR_RETURN(request.filters, ParseFilters(object));
  CDP_ASSIGN_OR_RETURN(const int64_t limit,
                       object.Int("entry_exit_limit", 10, 1, kMaxEntryExitLimit));
  request.entry_exit_limit = size_t(limit);
  return request;
}

}  // namespace cdp::query
