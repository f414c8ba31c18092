#pragma once

#include <optional>
#include <string>
#include <string_view>

#include "core/clock.h"
#include "core/result.h"

namespace cdp {

class SqliteStatement;

// Conversions shared by the parts of SqliteMetaStore. Internal to
// src/meta/sqlite.

// A time column, stored as FormatIso8601 writes it. Internal when the text
// does not parse: the file was edited or corrupted. `name` ("table.column")
// goes into the message.
Result<TimePoint> ReadTime(const SqliteStatement& row, int column, std::string_view name);

// For optional text columns: NULL rather than "".
std::optional<std::string_view> NullIfEmpty(std::string_view text);

// Replaces a status's message (and field, when `field` is not empty), keeping
// its code and its cause.
Status Reword(const Status& status, std::string message, std::string field);

}  // namespace cdp
