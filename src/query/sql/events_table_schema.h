#pragma once

#include <cstddef>
#include <optional>
#include <span>
#include <string>
#include <string_view>
#include <vector>

#include "store/event_store.h"
#include "store/scan.h"

namespace cdp::query {

// One column of the SQL table `events`.
struct EventsTableColumn {
  enum class Source : uint8_t {
    kStore,            // the store column of the same name
    kTimestampMicros,  // timestamp_us: the store's timestamp as an integer
    kPersonId,         // person_id: ProfileIdOf(PersonOf(anonymous_id, user_id))
  };
  std::string name;
  Source source = Source::kStore;
  // The store's value kind; nullopt when parts disagree (a property whose
  // type changed), so rows may hold either.
  std::optional<ColumnKind> kind;
  // The declared SQL type, which sets the column's affinity for comparisons:
  // TEXT for strings and times, REAL for numbers, INTEGER for booleans and
  // timestamp_us, none when the kind is mixed.
  std::string_view declared_type;
};

// The columns of `events` for one workspace:
//  - the fixed columns, with the store's names (scan.h): type, event,
//    message_id, anonymous_id, user_id, group_id, previous_id, timestamp,
//    sent_at, received_at, original_timestamp, integrations;
//  - timestamp_us: timestamp as microseconds since the Unix epoch (an
//    integer, for arithmetic on durations);
//  - person_id: who did the event as analyses count persons (person_key.h):
//    the profile id of its person under the query's snapshot (the id of its
//    row in `profiles`), NULL when the event has no id;
//  - every property column of the workspace (EventStore::Columns) with its
//    store name: "properties.plan", "context.country", ... Queries quote
//    them: SELECT "properties.plan" FROM events.
// Values: strings are TEXT (empty ids and names are NULL, as the store keeps
// them), times are TEXT in the format of sql_time_text.h, numbers REAL,
// booleans INTEGER 0 / 1; a property an event lacks is NULL.
//
// SQLite knows column names without case, so of two names equal but for case
// (flattening makes snake_case names, so it should not happen) the first is
// kept; and a table has at most 2000 columns (SQLITE_MAX_COLUMN), so past
// that the last properties in name order are left out.
class EventsTableSchema {
 public:
  static constexpr size_t kMaxColumns = 2000;

  static EventsTableSchema FromStoreColumns(std::span<const StoredColumn> columns);

  std::span<const EventsTableColumn> columns() const { return columns_; }
  // The index of the column named `name` (exactly), if any.
  std::optional<size_t> Find(std::string_view name) const;
  // What sqlite3_declare_vtab is given: CREATE TABLE x("type" TEXT, ...).
  // Names are quoted identifiers, so no column name can change the statement.
  std::string CreateTableSql() const;

 private:
  std::vector<EventsTableColumn> columns_;
};

}  // namespace cdp::query
