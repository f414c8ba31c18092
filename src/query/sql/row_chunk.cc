#include "query/sql/row_chunk.h"

#include <variant>

namespace cdp::query {

size_t RowChunk::MemoryBytes() const {
  return sizeof(*this) + cells_.capacity() * sizeof(SqlCell) + text_.capacity();
}

void RowChunk::AppendText(std::string_view text, SqlCell& cell) {
  cell.kind = SqlCell::Kind::kText;
  cell.text_offset = text_.size();
  cell.text_size = static_cast<uint32_t>(text.size());
  text_.append(text);
}

void RowChunk::AppendCell(const ColumnData& column, uint32_t row, CellSource::Kind kind,
                          SqlCell& cell) {
  if (const auto* strings = std::get_if<StringColumn>(&column)) {
    if (!strings->nulls.IsNull(row)) AppendText(strings->dictionary[strings->codes[row]], cell);
  } else if (const auto* times = std::get_if<TimeColumn>(&column)) {
    if (!times->nulls.IsNull(row)) {
      cell.kind = kind == CellSource::Kind::kTimestampMicros ? SqlCell::Kind::kInteger
                                                             : SqlCell::Kind::kTime;
      cell.integer = times->micros[row];
    }
  } else if (const auto* numbers = std::get_if<NumberColumn>(&column)) {
    if (!numbers->nulls.IsNull(row)) {
      cell.kind = SqlCell::Kind::kReal;
      cell.real = numbers->values[row];
    }
  } else if (const auto* booleans = std::get_if<BooleanColumn>(&column)) {
    if (!booleans->nulls.IsNull(row)) {
      cell.kind = SqlCell::Kind::kInteger;
      cell.integer = booleans->values[row] != 0 ? 1 : 0;
    }
  }
  // monostate: the column is not in this block's part; the cell stays null.
}

void RowChunk::AddRow() { cells_.resize(cells_.size() + width_); }

void RowChunk::SetText(size_t field, std::string_view text) {
  AppendText(text, LastRowCell(field));
}

void RowChunk::SetInteger(size_t field, int64_t value) {
  SqlCell& cell = LastRowCell(field);
  cell.kind = SqlCell::Kind::kInteger;
  cell.integer = value;
}

void RowChunk::SetTime(size_t field, int64_t micros) {
  SqlCell& cell = LastRowCell(field);
  cell.kind = SqlCell::Kind::kTime;
  cell.integer = micros;
}

size_t RowChunk::Append(const ScanBatch& batch, std::span<const CellSource> sources,
                        std::span<const PersonKey> persons, size_t first, size_t max_bytes) {
  size_t next = first;
  while (next < batch.selection.size()) {
    const size_t index = next++;
    const uint32_t row = batch.selection[index];
    if (width_ == 0) {
      ++rows_;
    } else {
      const size_t start = cells_.size();
      cells_.resize(start + width_);
      for (size_t field = 0; field < width_; ++field) {
        const CellSource& source = sources[field];
        SqlCell& cell = cells_[start + field];
        if (source.kind == CellSource::Kind::kPersonId) {
          if (persons[index] != 0) AppendText(ProfileIdOf(persons[index]), cell);
        } else {
          AppendCell(batch.columns[source.column], row, source.kind, cell);
        }
      }
    }
    if (cells_.size() * sizeof(SqlCell) + text_.size() >= max_bytes) break;
  }
  return next;
}

}  // namespace cdp::query
