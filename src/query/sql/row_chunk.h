#pragma once

#include <cstddef>
#include <cstdint>
#include <span>
#include <string>
#include <string_view>
#include <vector>

#include "model/person_map.h"
#include "store/scan.h"

namespace cdp::query {

// What one field of an events-table row is made of, from the columns of a
// ScanRequest (by index).
struct CellSource {
  enum class Kind : uint8_t {
    kValue,            // the column's value; a time stays a time (shown as text)
    kTimestampMicros,  // a time column as microseconds since the epoch
    kPersonId,         // ProfileIdOf(PersonOf(column, second_column)): anonymous_id, user_id
  };
  Kind kind = Kind::kValue;
  size_t column = 0;
  size_t second_column = 0;
  // kPersonId: the query's snapshot the row's person is resolved with.
  const PersonMap* persons = nullptr;
};

// One value of a row, in the storage classes SQLite has, plus times kept as
// microseconds until SQLite asks for them (formatting is cheaper done only for
// the values a query reads).
struct SqlCell {
  enum class Kind : uint8_t { kNull, kInteger, kReal, kText, kTime };
  Kind kind = Kind::kNull;
  uint32_t text_size = 0;
  union {
    int64_t integer = 0;   // kInteger; kTime: microseconds
    double real;           // kReal
    uint64_t text_offset;  // kText: into the chunk's text
  };
};

// Rows copied out of one scanned block, so that they outlive the scan's
// callback: the hand-off unit between the scan thread and SQLite. Cells are
// row-major (one row's fields are adjacent, as SQLite reads them), strings
// are copied into one buffer. Booleans become integers 0 / 1, numbers reals.
class RowChunk {
 public:
  explicit RowChunk(size_t width) : width_(width) {}

  size_t width() const { return width_; }
  size_t rows() const { return width_ == 0 ? rows_ : cells_.size() / width_; }
  const SqlCell& cell(size_t row, size_t field) const { return cells_[row * width_ + field]; }
  std::string_view Text(const SqlCell& cell) const {
    return std::string_view(text_).substr(cell.text_offset, cell.text_size);
  }
  // What the chunk holds in memory (its buffers' capacity).
  size_t MemoryBytes() const;

  // Appends the rows batch.selection[first], batch.selection[first + 1], ...
  // built from `sources`, until the chunk holds `max_bytes` or the selection
  // ends, and at least one row. Returns the index after the last row taken.
  // `persons[i]` is the person of batch.selection[i] (PersonKeyReader), read
  // by kPersonId sources; empty when there is none.
  size_t Append(const ScanBatch& batch, std::span<const CellSource> sources,
                std::span<const PersonKey> persons, size_t first, size_t max_bytes);

  // Row by row, for rows that come from elsewhere than a scan (the profiles
  // table): AddRow appends a row of nulls, the setters fill the last row's
  // fields. REQUIRES: width() > 0; field < width().
  void AddRow();
  void SetText(size_t field, std::string_view text);
  void SetInteger(size_t field, int64_t value);
  void SetTime(size_t field, int64_t micros);
  // The bytes the rows hold so far: what a producer compares with its chunk
  // size.
  size_t FilledBytes() const { return cells_.size() * sizeof(SqlCell) + text_.size(); }

 private:
  SqlCell& LastRowCell(size_t field) { return cells_[cells_.size() - width_ + field]; }
  void AppendText(std::string_view text, SqlCell& cell);
  void AppendCell(const ColumnData& column, uint32_t row, CellSource::Kind kind, SqlCell& cell);

  size_t width_;
  size_t rows_ = 0;  // counted apart when width_ is 0 (count(*) reads no column)
  std::vector<SqlCell> cells_;
  std::string text_;
};

}  // namespace cdp::query
