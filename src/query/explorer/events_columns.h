#pragma once

#include <cstdint>
#include <span>
#include <string>
#include <string_view>
#include <vector>

#include "core/json_writer.h"
#include "core/result.h"
#include "store/event_store.h"
#include "store/scan.h"

namespace cdp::query {

// One column of an explorer row, as a request names it:
//  - a stored column: a fixed one ("event", "user_id", "timestamp", ...) or a
//    flattened property "<section>.<name>" ("properties.plan");
//  - "person_id": who did the event: the profile id of its person
//    (ProfileIdOf(PersonOf(event)) under the query's snapshot), null when it
//    has no id;
//  - a whole section ("properties", "context", "traits", "traits_set_once"):
//    an object of the event's non-null values in it, keyed by property name
//    in byte order, so a row shows what the event has without one null per
//    property the workspace knows.
struct EventsColumn {
  enum class Kind { kStored, kPersonId, kSection };
  std::string name;
  Kind kind = Kind::kStored;
  // kSection: the section's prefix ("properties.") and the stored columns
  // with it, sorted, as the workspace's events have them.
  std::string prefix;
  std::vector<std::string> section_columns;
};

// Every row starts with these, the row's identity and sort key, whatever
// columns the request chose.
inline constexpr std::string_view kEventsKeyColumns[] = {"message_id", "timestamp", "person_id"};
// What a request that names no columns gets after the key columns.
inline constexpr std::string_view kEventsDefaultColumns[] = {"type", "event", "anonymous_id",
                                                             "user_id", "properties"};

// The column `name`; BadRequest (field `path`) when it names none. A
// property no event has is a valid column (its values are null), and so is
// a section no event has (its values are {}). `stored` lists the
// workspace's columns (EventStore::Columns).
Result<EventsColumn> ParseEventsColumn(std::string_view name, const std::string& path,
                                       std::span<const StoredColumn> stored);

// "2026-03-01T10:00:00.123456Z": a stored time (microseconds since the
// epoch) in UTC to the microsecond, so that rows that differ by less than a
// millisecond still show their order.
std::string FormatMicrosIso8601(int64_t micros);

// Writes a column's value: strings, numbers and booleans as JSON, times as
// FormatMicrosIso8601 strings, null as null.
void WriteEventsValue(JsonWriter& writer, const ScalarValue& value);

}  // namespace cdp::query
