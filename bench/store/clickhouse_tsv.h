#pragma once

// The events as ClickHouse (18.16 and later) loads them: a MergeTree table and
// its rows in TabSeparated format, for `clickhouse-client --query "INSERT ...
// FORMAT TabSeparated"`.
//
// Column types, chosen to hold exactly what the event store holds (scan.h:
// a property that is absent or null reads as null) at the least cost to
// ClickHouse, whose Nullable adds a null-map file per column and slows the
// columns down:
//  - fixed string columns: String ('' for none, as the Event has it);
//  - times: Int64 microseconds since the epoch (18.16 has no DateTime64;
//    DateTime would drop the milliseconds); Nullable(Int64) for sent_at and
//    original_timestamp, which may be absent;
//  - string properties: String with '' for "absent", unless some row of the
//    data holds an empty string there (properties.search, ...): then
//    Nullable(String), so that '' and absent stay apart;
//  - number properties: Nullable(Float64); boolean: Nullable(UInt8);
//    timestamp properties: Nullable(Int64) microseconds (0 is a value).
// Partitions are (workspace_id, the UTC day as days since the epoch) and rows
// are sorted by (workspace_id, anonymous_id, timestamp), as in the event
// store: one person's events together, in time order.

#include <cstdio>
#include <span>
#include <string>
#include <string_view>
#include <vector>

#include "core/status.h"
#include "event_source.h"

namespace cdp::bench {

// CREATE TABLE `table` (...) ENGINE = MergeTree ...; one statement, no ';'.
std::string ClickHouseCreateTable(std::string_view table, const EventColumns& columns);

// Writes events as TabSeparated rows in the column order of
// ClickHouseCreateTable (strings escaped as ClickHouse reads them, NULL as
// \N). Not thread-safe.
class ClickHouseTsvWriter {
 public:
  // `out` stays the caller's to close.
  ClickHouseTsvWriter(const EventColumns& columns, std::FILE* out);
  Status Write(std::span<const Event> events);
  // Writes what is buffered.
  Status Flush();

 private:
  void AppendString(std::string_view text);
  void AppendInt(int64_t value);
  void AppendDouble(double value);

  const EventColumns& columns_;
  std::FILE* out_;
  std::string buffer_;
  std::vector<const Property*> slots_;
};

}  // namespace cdp::bench
