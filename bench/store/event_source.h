#pragma once

// The benchmark's input: `cdp gen` NDJSON turned into the Events ingestion
// would store, and the columns those Events make (fixed ones, then one per
// flattened property name seen in the data).

#include <cstdint>
#include <cstdio>
#include <iterator>
#include <memory>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include "core/result.h"
#include "core/string_map.h"
#include "model/event.h"
#include "store/scan.h"

namespace cdp::bench {

// Reads NDJSON Segment messages (one per line) and normalizes them with
// ingestion's own parser (ingest::ParseSegmentRequest, as POST /v1/batch
// does): types, ids, flattening of properties, traits and context, timestamps.
// Enrichment is left out: the generated context already holds what the
// store keeps.
//
// Every event gets `workspace_id`. Ingestion sets received_at to the server's
// clock; here it is the event's timestamp plus a deterministic 20-499 ms (a
// hash of the message id), as if the data had been sent live. Messages with a
// sentAt, or without a timestamp, are refused: their stored timestamp would
// depend on the arrival time (`cdp gen` sends neither case).
//
// Not thread-safe.
class NdjsonEventReader {
 public:
  static Result<std::unique_ptr<NdjsonEventReader>> Open(const std::string& path,
                                                         std::string workspace_id);
  NdjsonEventReader(const NdjsonEventReader&) = delete;
  NdjsonEventReader& operator=(const NdjsonEventReader&) = delete;
  ~NdjsonEventReader();

  // Replaces `events` with the next up to `max_events` events (fewer only at
  // the end of the file; none after it). A line the parser refuses is an
  // error that names the line.
  Status Next(size_t max_events, std::vector<Event>& events);
  uint64_t lines_read() const { return lines_read_; }
  uint64_t bytes_read() const { return bytes_read_; }

 private:
  NdjsonEventReader(std::FILE* file, std::string path, std::string workspace_id);

  std::FILE* file_;
  std::vector<char> read_buffer_;
  std::string path_;
  std::string workspace_id_;
  char* line_ = nullptr;  // getline's buffer
  size_t line_capacity_ = 0;
  std::string body_;
  uint64_t lines_read_ = 0;
  uint64_t bytes_read_ = 0;
};

// The Event's own fields, as columns: the names scans use (store/scan.h), in
// the order every engine's table has them, before the property columns.
struct FixedColumn {
  std::string_view name;
  ColumnKind kind;  // kString or kTime
  bool nullable;    // a time that may be absent; empty strings mean "none"
};
inline constexpr FixedColumn kFixedColumns[] = {
    {"workspace_id", ColumnKind::kString, false}, {"type", ColumnKind::kString, false},
    {"event", ColumnKind::kString, false},        {"message_id", ColumnKind::kString, false},
    {"anonymous_id", ColumnKind::kString, false}, {"user_id", ColumnKind::kString, false},
    {"group_id", ColumnKind::kString, false},     {"previous_id", ColumnKind::kString, false},
    {"timestamp", ColumnKind::kTime, false},      {"sent_at", ColumnKind::kTime, true},
    {"received_at", ColumnKind::kTime, false},    {"original_timestamp", ColumnKind::kTime, true},
    {"integrations", ColumnKind::kString, false},
};
inline constexpr size_t kFixedColumnCount = std::size(kFixedColumns);

// The value of kFixedColumns[index] in `event`: `text` for a string column;
// `micros` (unless `null`) for a time.
struct FixedValue {
  std::string_view text;
  int64_t micros = 0;
  bool null = false;
};
FixedValue GetFixedValue(const Event& event, size_t index);

// The property sections of an Event, as column names prefix them.
inline constexpr std::string_view kContextSection = "context";
inline constexpr std::string_view kPropertiesSection = "properties";
inline constexpr std::string_view kTraitsSection = "traits";
inline constexpr std::string_view kTraitsSetOnceSection = "traits_set_once";

// One column for a flattened property.
struct PropertyColumn {
  std::string name;  // "properties.plan"
  ColumnKind kind = ColumnKind::kString;
  // String columns: some row holds "" (so an absent value must be told apart
  // from an empty one: NULL rather than '').
  bool has_empty_string = false;
};

// The property columns of a data set, in name order, and where each event's
// properties go.
class EventColumns {
 public:
  // Adds the columns of `event`'s non-null properties. A name seen before
  // with another kind is an error (the schema registry refuses that).
  Status Observe(const Event& event);
  // Sorts the columns by name. REQUIRES: called once, after every Observe.
  void Finish();

  const std::vector<PropertyColumn>& columns() const { return columns_; }

  // Fills `slots` (one per column) with the event's property of each column,
  // or nullptr where the event has none or a null. REQUIRES: Finish() was
  // called and every property's name was observed.
  void Slot(const Event& event, std::vector<const Property*>& slots) const;

 private:
  StringMap<size_t>& SectionMap(std::string_view section);
  const StringMap<size_t>& SectionMap(std::string_view section) const;
  Status ObserveSection(std::string_view section, const std::vector<Property>& properties);

  std::vector<PropertyColumn> columns_;
  // Per section, the column index of each property name.
  StringMap<size_t> context_;
  StringMap<size_t> properties_;
  StringMap<size_t> traits_;
  StringMap<size_t> traits_set_once_;
};

// Reads the whole file once to find its columns.
Result<EventColumns> DiscoverColumns(const std::string& path, const std::string& workspace_id);

// The kind of value a property's column holds; REQUIRES: !property.is_null().
ColumnKind PropertyKind(const Property& property);

// Microseconds since the Unix epoch.
int64_t Micros(TimePoint t);

}  // namespace cdp::bench
