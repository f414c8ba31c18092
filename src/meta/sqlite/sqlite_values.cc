#include "meta/sqlite/sqlite_values.h"

#include <fmt/format.h>

#include "core/iso8601.h"
#include "meta/sqlite/sqlite_connection.h"

namespace cdp {

Result<TimePoint> ReadTime(const SqliteStatement& row, int column, std::string_view name) {
  const std::string text = row.ColumnText(column);
  Result<TimePoint> time = ParseIso8601(text);
  if (!time.ok()) return Status::Internal(fmt::format("{} is not a time: '{}'", name, text));
  return time;
}

std::optional<std::string_view> NullIfEmpty(std::string_view text) {
  if (text.empty()) return std::nullopt;
  return text;
}

Status Reword(const Status& status, std::string message, std::string field) {
  Status reworded(status.code(), std::move(message));
  if (!field.empty()) reworded.WithField(std::move(field));
  if (!status.cause().empty()) reworded.WithCause(status.cause());
  return reworded;
}

}  // namespace cdp
