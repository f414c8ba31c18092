#pragma once

#include <cstddef>
#include <cstdint>
#include <deque>
#include <memory>
#include <span>
#include <string>
#include <string_view>
#include <vector>

#include "core/string_map.h"
#include "store/scan.h"

namespace cdp::columnar {

// Copies of strings that live as long as the arena: a table's string values
// are views into it, so that building a table costs no allocation per value.
class StringArena {
 public:
  std::string_view Store(std::string_view text);
  size_t bytes() const { return bytes_; }

 private:
  static constexpr size_t kChunkSize = 1 << 20;
  std::deque<std::unique_ptr<char[]>> chunks_;
  size_t used_in_chunk_ = kChunkSize;
  size_t bytes_ = 0;
};

// One column of a ColumnTable: a value or null per row. Only the vector of
// the column's kind is used.
struct TableColumn {
  std::string name;
  ColumnKind kind = ColumnKind::kString;
  std::vector<uint8_t> is_null;           // 1 = null; one entry per row
  std::vector<std::string_view> strings;  // kString
  std::vector<int64_t> times;             // kTime: microseconds since the epoch
  std::vector<double> numbers;            // kNumber
  std::vector<uint8_t> booleans;          // kBoolean: 0 or 1

  size_t size() const { return is_null.size(); }
};

// Rows of events laid out in columns: what a part is written from (a flush of
// one partition's events, or the rows of the parts a merge combines).
//
// Rows are added one at a time: StartRow, then a Set for each non-null value
// (a column not set in a row is null there; a column that appears late is null
// in the earlier rows). A column keeps the kind of its first value; a value of
// another kind turns the column into a string column holding every value's
// text (lossless, and rare: only after a property's type was changed in the
// schema registry).
//
// Not thread-safe; movable.
class ColumnTable {
 public:
  ColumnTable() = default;
  ColumnTable(ColumnTable&&) = default;
  ColumnTable& operator=(ColumnTable&&) = default;

  size_t rows() const { return rows_; }
  const std::vector<TableColumn>& columns() const { return columns_; }
  // The column named `name`, or null.
  const TableColumn* Find(std::string_view name) const;

  void StartRow() {
    ++rows_;
    set_in_row_ = 0;
  }
  // REQUIRES: rows() > 0; each column is set at most once per row.
  void SetString(std::string_view column, std::string_view value);
  void SetTime(std::string_view column, int64_t micros);
  void SetNumber(std::string_view column, double value);
  void SetBoolean(std::string_view column, bool value);
  // Pads every column to rows(); call before reading the columns.
  void Seal();

  // Bulk building, for merges that copy a part column by column: AddRows
  // appends `count` rows, all null, and returns the first one's index; each
  // Bulk call then sets one column's values for consecutive rows from
  // `first_row` on (null rows per `nulls`), in increasing row order per
  // column. Kind conflicts are handled as for the row-wise calls.
  size_t AddRows(size_t count);
  void BulkStrings(std::string_view column, size_t first_row,
                   std::span<const std::string_view> values, NullMask nulls);
  void BulkTimes(std::string_view column, size_t first_row, std::span<const int64_t> values,
                 NullMask nulls);
  void BulkNumbers(std::string_view column, size_t first_row, std::span<const double> values,
                   NullMask nulls);
  void BulkBooleans(std::string_view column, size_t first_row, std::span<const uint8_t> values,
                    NullMask nulls);

  // The row order of a part: by person (anonymous_id, or user_id when there
  // is none), then timestamp, then message_id; equal rows keep their order.
  // REQUIRES: sealed.
  std::vector<uint32_t> SortedOrder() const;

 private:
  TableColumn& ColumnFor(std::string_view name, ColumnKind kind);
  // The column, created or converted as needed, padded with nulls to `rows`.
  TableColumn& PaddedColumn(std::string_view name, ColumnKind kind, size_t rows);
  template <typename T, typename Text>
  void Bulk(std::string_view name, ColumnKind kind, size_t first_row, std::span<const T> values,
            NullMask nulls, std::vector<T> TableColumn::*member, Text text);
  void ConvertToString(TableColumn& column);

  size_t rows_ = 0;
  std::vector<TableColumn> columns_;
  StringMap<size_t> index_;
  StringArena arena_;
  // Events of one source set their columns in the same order: the column
  // the n-th Set of the previous row went to is tried first (a name
  // comparison instead of a hash lookup).
  std::vector<size_t> predicted_;  // per Set position in a row: a column index
  size_t set_in_row_ = 0;
};

// The text a value of `kind` takes in a string column: numbers in shortest
// round-trip form, booleans "true" / "false", times ISO-8601 in UTC with
// microseconds ("2026-03-04T10:00:00.123456Z").
std::string NumberText(double value);
std::string TimeText(int64_t micros);

}  // namespace cdp::columnar
