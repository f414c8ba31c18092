#pragma once

#include <cstddef>
#include <cstdint>
#include <span>
#include <string>
#include <vector>

#include "query/sql/events_table_schema.h"
#include "store/scan.h"

namespace cdp::query {

// The comparisons of a WHERE clause (or a join) that the events table hands
// to the store's scan, so that a query reads only the blocks and rows it may
// need: ranges on the time (timestamp as text, timestamp_us as an integer:
// =, <, <=, >, >=, so BETWEEN too) and equality or IN on string columns
// (event, type, anonymous_id, user_id, "properties.plan", ...).
//
// SQLite checks every comparison again on the rows it gets (the table never
// tells it to omit one), so a pushdown only has to keep every row that
// SQLite would keep: where that is not certain, the comparison is simply not
// pushed. That is why a value of an unexpected type (timestamp > 5, event =
// x'00') and a non-BINARY collation (COLLATE NOCASE) are left to SQLite.
enum class PushedOp : uint8_t { kEquals, kIn, kGreater, kGreaterOrEqual, kLess, kLessOrEqual };

// A right-hand value, copied out of SQLite's sqlite3_value.
struct PushedValue {
  enum class Type : uint8_t { kNull, kInteger, kReal, kText, kBlob };
  Type type = Type::kNull;
  int64_t integer = 0;
  double real = 0;
  std::string text;
};

// `column` (an index into the schema) compared with `values`: one value, or
// the list of an IN.
struct PushedConstraint {
  size_t column = 0;
  PushedOp op = PushedOp::kEquals;
  std::vector<PushedValue> values;
};

// Whether the table accepts `op` on `column` at all (xBestIndex). Text
// comparisons must also use the BINARY collation: the caller checks it.
bool CanPushDown(const EventsTableColumn& column, PushedOp op);
// Whether the comparison compares text (so its collation matters).
bool PushDownComparesText(const EventsTableColumn& column);

// What the constraints decide of a scan: a half-open time range in
// microseconds and predicates; `empty` when no row can pass (a comparison
// with NULL, a range that ends before it starts).
struct PushedScan {
  int64_t from_micros = 0;
  int64_t to_micros = 0;
  std::vector<Predicate> predicates;
  bool empty = false;
};

// REQUIRES: every constraint passed CanPushDown.
PushedScan PushDown(const EventsTableSchema& schema, std::span<const PushedConstraint> constraints);

}  // namespace cdp::query
