#include "api/audit_routes.h"

#include <optional>
#include <string>

#include "api/page.h"
#include "core/json_writer.h"
#include "query/request_json.h"

namespace cdp::api {

namespace {

Result<std::optional<TimePoint>> TimeParam(const http::Request& request, std::string_view name) {
  const std::optional<std::string> text = request.QueryParam(name);
  if (!text) return std::optional<TimePoint>();
  std::optional<TimePoint> time = query::ParseRequestTime(*text);
  if (!time) {
    return query::FieldError(std::string(name),
                             "an ISO-8601 date-time (2026-03-01T00:00:00Z) or date (2026-03-01)");
  }
  return time;
}

// An exact-match filter; absent or empty matches everything.
std::optional<std::string> TextParam(const http::Request& request, std::string_view name) {
  std::optional<std::string> text = request.QueryParam(name);
  if (text && text->empty()) return std::nullopt;
  return text;
}

Result<AuditFilter> ReadFilter(const http::Request& request) {
  AuditFilter filter;
  filter.action = TextParam(request, "action");
  filter.actor_id = TextParam(request, "actor_id");
  filter.target_id = TextParam(request, "target_id");
  CDP_ASSIGN_OR_RETURN(filter.since, TimeParam(request, "since"));
  CDP_ASSIGN_OR_RETURN(filter.until, TimeParam(request, "until"));
  return filter;
}

void WriteEntry(JsonWriter& json, const AuditEntry& entry) {
  json.BeginObject()
      .Key("id")
      .String(entry.id)
      .Key("at")
      .String(FormatIso8601(entry.at))
      .Key("actor")
      .BeginObject()
      .Key("kind")
      .String(AuditActorKindName(entry.actor.kind))
      .Key("id")
      .String(entry.actor.id)
      .Key("label")
      .String(entry.actor.label)
      .EndObject()
      .Key("action")
      .String(entry.action)
      .Key("target")
      .BeginObject()
      .Key("kind")
      .String(entry.target_kind)
      .Key("id")
      .String(entry.target_id)
      .EndObject()
      .Key("details")
      // The log only accepts a JSON object text (AuditLog::AppendAudit).
      .Raw(entry.details.empty() ? "{}" : entry.details)
      .Key("ip")
      .String(entry.ip)
      .Key("request_id")
      .String(entry.request_id)
      .EndObject();
}

}  // namespace

void AddAuditRoutes(ApiRoutes& routes, AuditLog& log) {
  routes.Add(
      "GET", "/audit", Permission::kAdmin,
      ApiImmediate([&log](http::Request& request, const Caller& caller) -> Result<http::Response> {
        CDP_ASSIGN_OR_RETURN(const AuditFilter filter, ReadFilter(request));
        CDP_ASSIGN_OR_RETURN(const PageRequest page, ReadPageRequest(request, kMaxAuditPageSize));
        CDP_ASSIGN_OR_RETURN(const AuditPage entries,
                             log.ListAudit(caller.workspace_id(), filter, page.cursor, page.limit));
        return PageResponse<AuditEntry>(entries.entries, entries.next_cursor, WriteEntry);
      }));
}

}  // namespace cdp::api
