#pragma once

#include <cstddef>
#include <cstdint>
#include <span>
#include <string>
#include <string_view>
#include <vector>

#include "core/json_writer.h"
#include "core/status.h"
#include "query/sql/sql_memory_budget.h"

namespace cdp::query {

// One value of a result row, in SQLite's storage classes; `bytes` (text or
// blob) is valid during the call that receives it.
struct SqlValue {
  enum class Type : uint8_t { kNull, kInteger, kReal, kText, kBlob };
  Type type = Type::kNull;
  int64_t integer = 0;
  double real = 0;
  std::string_view bytes;
};

// A result column: its name (as SQLite names it: the alias, or the
// expression's text) and its declared type when it is a table column ("TEXT",
// "REAL", "INTEGER"; empty otherwise).
struct SqlResultColumn {
  std::string name;
  std::string declared_type;
};

// Writes the result object of POST /query/sql:
//   {"columns": [{"name": "event", "type": "text"}, ...],
//    "rows": [["Signed Up", 12], ...], "truncated": false, "rows_scanned": 3400}
// Values: integers and reals as JSON numbers (a non-finite real as null),
// text as strings, blobs as base64 strings, NULL as null.
//
// A column's "type" is the storage class its values have in the result:
// "integer", "real", "text" or "blob"; "real" when integers and reals mix,
// "mixed" when other classes do. With no non-NULL value it comes from the
// declared type of a table column, else "null". (SQLite's columns have no
// fixed type, so what the rows hold is the only honest answer.)
//
// The rows are charged to the query's memory budget as they are written.
class SqlResultWriter {
 public:
  explicit SqlResultWriter(SqlMemoryBudget& budget) : budget_(budget) {}
  ~SqlResultWriter();
  SqlResultWriter(const SqlResultWriter&) = delete;
  SqlResultWriter& operator=(const SqlResultWriter&) = delete;

  void SetColumns(std::span<const SqlResultColumn> columns);
  // The budget's ExceededStatus when the result outgrows it.
  // REQUIRES: values.size() equals the number of columns.
  Status AddRow(std::span<const SqlValue> values);
  uint64_t rows() const { return row_count_; }
  std::string Finish(bool truncated, uint64_t rows_scanned) &&;

 private:
  SqlMemoryBudget& budget_;
  std::vector<SqlResultColumn> columns_;
  std::vector<uint8_t> seen_types_;  // per column: a bit per SqlValue::Type seen
  JsonWriter rows_;
  uint64_t row_count_ = 0;
  size_t charged_ = 0;
  std::string base64_;  // scratch
};

// Standard base64 (RFC 4648, with padding) of `bytes`, appended to `out`.
void AppendBase64(std::string& out, std::string_view bytes);

}  // namespace cdp::query
