// The rate-limit overrides of SqliteMetaStore: table workspace_rate_limits
// (migration 0003), one row per workspace with an override, NULL columns
// meaning "the default".

#include <fmt/format.h>

#include <charconv>
#include <cmath>
#include <optional>

#include "meta/sqlite/sqlite_connection.h"
#include "meta/sqlite/sqlite_meta_store.h"
#include "meta/sqlite/sqlite_values.h"

namespace cdp {

namespace {

// requests_per_second travels as text: SqliteStatement binds and reads text
// and integers only. It is bound as the shortest text that reads back as the
// same double and CAST to REAL by the INSERT; it is read with 17 significant
// digits, which is enough for any double to round-trip.
constexpr char kRateLimitColumns[] =
    "SELECT workspace_id, "
    "CASE WHEN requests_per_second IS NULL THEN NULL "
    "ELSE printf('%!.17g', requests_per_second) END, "
    "burst_requests, burst_window_seconds, events_per_day, updated_at "
    "FROM workspace_rate_limits ";

std::optional<int64_t> ReadOptionalInt64(const SqliteStatement& row, int column) {
  if (!row.ColumnOptionalText(column).has_value()) return std::nullopt;
  return row.ColumnInt64(column);
}

Result<std::optional<double>> ReadOptionalDouble(const SqliteStatement& row, int column,
                                                 std::string_view name) {
  const std::optional<std::string> text = row.ColumnOptionalText(column);
  if (!text.has_value()) return std::optional<double>();
  double value = 0;
  const char* end = text->data() + text->size();
  const auto [ptr, ec] = std::from_chars(text->data(), end, value);
  if (ec != std::errc() || ptr != end) {
    return Status::Internal(fmt::format("{} is not a number: '{}'", name, *text));
  }
  return std::optional<double>(value);
}

// Columns in kRateLimitColumns order.
Result<WorkspaceRateLimits> ReadRateLimits(const SqliteStatement& row) {
  WorkspaceRateLimits limits;
  limits.workspace_id = row.ColumnText(0);
  CDP_ASSIGN_OR_RETURN(limits.requests_per_second,
                       ReadOptionalDouble(row, 1, "workspace_rate_limits.requests_per_second"));
  limits.burst_requests = ReadOptionalInt64(row, 2);
  limits.burst_window_seconds = ReadOptionalInt64(row, 3);
  limits.events_per_day = ReadOptionalInt64(row, 4);
  CDP_ASSIGN_OR_RETURN(limits.updated_at, ReadTime(row, 5, "workspace_rate_limits.updated_at"));
  return limits;
}

Status BindOptionalInt64(SqliteStatement& statement, int index, std::optional<int64_t> value) {
  if (!value.has_value()) return statement.BindOptionalText(index, std::nullopt);  // NULL
  return statement.BindInt64(index, *value);
}

// The checks the table's constraints would make, with errors a caller can act
// on. (NaN would not even reach them: SQLite stores it as NULL.)
Status ValidateRateLimits(const WorkspaceRateLimits& limits) {
  if (limits.requests_per_second.has_value() &&
      !(std::isfinite(*limits.requests_per_second) && *limits.requests_per_second >= 1)) {
    return Status::BadRequest(
        fmt::format("requests_per_second must be at least 1, got {}", *limits.requests_per_second),
        "requests_per_second");
  }
  if (limits.burst_requests.has_value() && *limits.burst_requests <= 0) {
    return Status::BadRequest(
        fmt::format("burst_requests must be positive, got {}", *limits.burst_requests),
        "burst_requests");
  }
  if (limits.burst_window_seconds.has_value() &&
      (*limits.burst_window_seconds <= 0 ||
       *limits.burst_window_seconds > WorkspaceRateLimits::kMaxBurstWindowSeconds)) {
    return Status::BadRequest(
        fmt::format("burst_window_seconds must be from 1 to {}, got {}",
                    WorkspaceRateLimits::kMaxBurstWindowSeconds, *limits.burst_window_seconds),
        "burst_window_seconds");
  }
  if (limits.events_per_day.has_value() && *limits.events_per_day <= 0) {
    return Status::BadRequest(
        fmt::format("events_per_day must be positive, got {}", *limits.events_per_day),
        "events_per_day");
  }
  return Status::Ok();
}

}  // namespace

Status SqliteMetaStore::SetWorkspaceRateLimits(const WorkspaceRateLimits& limits) {
  CDP_RETURN_IF_ERROR(ValidateRateLimits(limits));
  std::lock_guard lock(mutex_);
  CDP_ASSIGN_OR_RETURN(
      auto upsert,
      connection_->Prepare(
          "INSERT INTO workspace_rate_limits (workspace_id, requests_per_second, "
          "burst_requests, burst_window_seconds, events_per_day, updated_at) "
          "VALUES (?1, CAST(?2 AS REAL), ?3, ?4, ?5, ?6) "
          "ON CONFLICT (workspace_id) DO UPDATE SET "
          "requests_per_second = excluded.requests_per_second, "
          "burst_requests = excluded.burst_requests, "
          "burst_window_seconds = excluded.burst_window_seconds, "
          "events_per_day = excluded.events_per_day, updated_at = excluded.updated_at"));
  CDP_RETURN_IF_ERROR(upsert.BindText(1, limits.workspace_id));
  std::optional<std::string> rps;
  if (limits.requests_per_second) rps = fmt::format("{}", *limits.requests_per_second);
  CDP_RETURN_IF_ERROR(upsert.BindOptionalText(2, rps));
  CDP_RETURN_IF_ERROR(BindOptionalInt64(upsert, 3, limits.burst_requests));
  CDP_RETURN_IF_ERROR(BindOptionalInt64(upsert, 4, limits.burst_window_seconds));
  CDP_RETURN_IF_ERROR(BindOptionalInt64(upsert, 5, limits.events_per_day));
  CDP_RETURN_IF_ERROR(upsert.BindText(6, FormatIso8601(limits.updated_at)));
  Status status = upsert.Run();
  if (status.code() == ErrorCode::kNotFound) {  // the foreign key
    return Reword(status, fmt::format("workspace {} not found", limits.workspace_id),
                  "workspace_id");
  }
  return status;
}

Status SqliteMetaStore::ClearWorkspaceRateLimits(std::string_view workspace_id) {
  std::lock_guard lock(mutex_);
  CDP_ASSIGN_OR_RETURN(
      auto remove,
      connection_->Prepare("DELETE FROM workspace_rate_limits WHERE workspace_id = ?1"));
  CDP_RETURN_IF_ERROR(remove.BindText(1, workspace_id));
  CDP_RETURN_IF_ERROR(remove.Run());
  if (connection_->Changes() > 0) return Status::Ok();
  // No override, or no workspace: only the second is an error.
  Status exists = CheckWorkspaceExists(workspace_id);
  if (exists.code() == ErrorCode::kNotFound) {
    return Reword(exists, exists.message(), "workspace_id");
  }
  return exists;
}

Result<std::vector<WorkspaceRateLimits>> SqliteMetaStore::ListWorkspaceRateLimits() {
  std::lock_guard lock(mutex_);
  CDP_ASSIGN_OR_RETURN(
      auto select, connection_->Prepare(std::string(kRateLimitColumns) + "ORDER BY workspace_id"));
  std::vector<WorkspaceRateLimits> overrides;
  while (true) {
    CDP_ASSIGN_OR_RETURN(bool row, select.Step());
    if (!row) return overrides;
    CDP_ASSIGN_OR_RETURN(auto limits, ReadRateLimits(select));
    overrides.push_back(std::move(limits));
  }
}

}  // namespace cdp
