#include "store/columnar/column_table.h"

#include <fmt/format.h>

#include <algorithm>
#include <cassert>
#include <charconv>
#include <chrono>
#include <cstring>
#include <numeric>

namespace cdp::columnar {

std::string_view StringArena::Store(std::string_view text) {
  if (text.empty()) return {};
  if (text.size() > kChunkSize - used_in_chunk_) {
    // A value larger than a chunk gets a chunk of its own.
    chunks_.push_back(std::make_unique<char[]>(std::max(text.size(), kChunkSize)));
    used_in_chunk_ = 0;
  }
  char* out = chunks_.back().get() + used_in_chunk_;
  std::memcpy(out, text.data(), text.size());
  used_in_chunk_ += text.size();
  bytes_ += text.size();
  return {out, text.size()};
}

std::string NumberText(double value) {
  char buffer[32];
  const auto [end, ec] = std::to_chars(buffer, buffer + sizeof buffer, value);
  assert(ec == std::errc());
  return std::string(buffer, end);
}

std::string TimeText(int64_t micros) {
  using namespace std::chrono;
  const sys_time<microseconds> time{microseconds(micros)};
  const sys_days day = floor<days>(time);
  const year_month_day date{day};
  const hh_mm_ss<microseconds> clock{time - day};
  return fmt::format("{:04}-{:02}-{:02}T{:02}:{:02}:{:02}.{:06}Z", static_cast<int>(date.year()),
                     static_cast<unsigned>(date.month()), static_cast<unsigned>(date.day()),
                     clock.hours().count(), clock.minutes().count(), clock.seconds().count(),
                     clock.subseconds().count());
}

const TableColumn* ColumnTable::Find(std::string_view name) const {
  const auto it = index_.find(name);
  return it == index_.end() ? nullptr : &columns_[it->second];
}

namespace {

// Pads `column` with nulls up to `rows` rows.
void PadTo(TableColumn& column, size_t rows) {
  if (column.size() >= rows) return;
  column.is_null.resize(rows, 1);
  switch (column.kind) {
    case ColumnKind::kString:
      column.strings.resize(rows);
      break;
    case ColumnKind::kTime:
      column.times.resize(rows);
      break;
    case ColumnKind::kNumber:
      column.numbers.resize(rows);
      break;
    case ColumnKind::kBoolean:
      column.booleans.resize(rows);
      break;
  }
}

}  // namespace

TableColumn& ColumnTable::PaddedColumn(std::string_view name, ColumnKind kind, size_t rows) {
  auto it = index_.find(name);
  if (it == index_.end()) {
    it = index_.emplace(std::string(name), columns_.size()).first;
    TableColumn& column = columns_.emplace_back();
    column.name = std::string(name);
    column.kind = kind;
  }
  TableColumn& column = columns_[it->second];
  if (column.kind != kind && column.kind != ColumnKind::kString) ConvertToString(column);
  PadTo(column, rows);
  return column;
}

TableColumn& ColumnTable::ColumnFor(std::string_view name, ColumnKind kind) {
  assert(rows_ > 0);
  const size_t position = set_in_row_++;
  TableColumn* predicted = nullptr;
  if (position < predicted_.size() && columns_[predicted_[position]].name == name) {
    predicted = &columns_[predicted_[position]];
  }
  if (predicted == nullptr || predicted->kind != kind) {
    predicted = &PaddedColumn(name, kind, rows_ - 1);
    const size_t index = static_cast<size_t>(predicted - columns_.data());
    if (position < predicted_.size()) {
      predicted_[position] = index;
    } else {
      predicted_.push_back(index);
    }
  }
  TableColumn& column = *predicted;
  PadTo(column, rows_ - 1);
  assert(column.size() == rows_ - 1 && "a column set twice in one row");
  column.is_null.push_back(0);
  return column;
}

void ColumnTable::ConvertToString(TableColumn& column) {
  std::vector<std::string_view> strings(column.size());
  for (size_t row = 0; row < column.size(); ++row) {
    if (column.is_null[row]) continue;
    switch (column.kind) {
      case ColumnKind::kTime:
        strings[row] = arena_.Store(TimeText(column.times[row]));
        break;
      case ColumnKind::kNumber:
        strings[row] = arena_.Store(NumberText(column.numbers[row]));
        break;
      case ColumnKind::kBoolean:
        strings[row] = column.booleans[row] ? "true" : "false";
        break;
      case ColumnKind::kString:
        break;
    }
  }
  column.kind = ColumnKind::kString;
  column.strings = std::move(strings);
  column.times = {};
  column.numbers = {};
  column.booleans = {};
}

void ColumnTable::SetString(std::string_view name, std::string_view value) {
  ColumnFor(name, ColumnKind::kString).strings.push_back(arena_.Store(value));
}

void ColumnTable::SetTime(std::string_view name, int64_t micros) {
  TableColumn& column = ColumnFor(name, ColumnKind::kTime);
  if (column.kind == ColumnKind::kString) {
    column.strings.push_back(arena_.Store(TimeText(micros)));
  } else {
    column.times.push_back(micros);
  }
}

void ColumnTable::SetNumber(std::string_view name, double value) {
  TableColumn& column = ColumnFor(name, ColumnKind::kNumber);
  if (column.kind == ColumnKind::kString) {
    column.strings.push_back(arena_.Store(NumberText(value)));
  } else {
    column.numbers.push_back(value);
  }
}

void ColumnTable::SetBoolean(std::string_view name, bool value) {
  TableColumn& column = ColumnFor(name, ColumnKind::kBoolean);
  if (column.kind == ColumnKind::kString) {
    column.strings.push_back(value ? "true" : "false");
  } else {
    column.booleans.push_back(value ? 1 : 0);
  }
}

void ColumnTable::Seal() {
  for (TableColumn& column : columns_) PadTo(column, rows_);
}

size_t ColumnTable::AddRows(size_t count) {
  const size_t first = rows_;
  rows_ += count;
  return first;
}

template <typename T, typename Text>
void ColumnTable::Bulk(std::string_view name, ColumnKind kind, size_t first_row,
                       std::span<const T> values, NullMask nulls,
                       std::vector<T> TableColumn::*member, Text text) {
  assert(first_row + values.size() <= rows_);
  TableColumn& column = PaddedColumn(name, kind, first_row);
  assert(column.size() == first_row && "bulk rows out of order");
  for (size_t i = 0; i < values.size(); ++i) column.is_null.push_back(nulls.IsNull(i) ? 1 : 0);
  if (column.kind == kind) {
    (column.*member).insert((column.*member).end(), values.begin(), values.end());
    return;
  }
  for (size_t i = 0; i < values.size(); ++i) {
    column.strings.push_back(nulls.IsNull(i) ? std::string_view() : text(values[i]));
  }
}

void ColumnTable::BulkStrings(std::string_view name, size_t first_row,
                              std::span<const std::string_view> values, NullMask nulls) {
  assert(first_row + values.size() <= rows_);
  TableColumn& column = PaddedColumn(name, ColumnKind::kString, first_row);
  assert(column.size() == first_row && "bulk rows out of order");
  for (size_t i = 0; i < values.size(); ++i) {
    const bool is_null = nulls.IsNull(i);
    column.is_null.push_back(is_null ? 1 : 0);
    column.strings.push_back(is_null ? std::string_view() : arena_.Store(values[i]));
  }
}

void ColumnTable::BulkTimes(std::string_view name, size_t first_row,
                            std::span<const int64_t> values, NullMask nulls) {
  Bulk(name, ColumnKind::kTime, first_row, values, nulls, &TableColumn::times,
       [&](int64_t micros) { return arena_.Store(TimeText(micros)); });
}

void ColumnTable::BulkNumbers(std::string_view name, size_t first_row,
                              std::span<const double> values, NullMask nulls) {
  Bulk(name, ColumnKind::kNumber, first_row, values, nulls, &TableColumn::numbers,
       [&](double value) { return arena_.Store(NumberText(value)); });
}

void ColumnTable::BulkBooleans(std::string_view name, size_t first_row,
                               std::span<const uint8_t> values, NullMask nulls) {
  Bulk(name, ColumnKind::kBoolean, first_row, values, nulls, &TableColumn::booleans,
       [](uint8_t value) { return std::string_view(value ? "true" : "false"); });
}

std::vector<uint32_t> ColumnTable::SortedOrder() const {
  std::vector<uint32_t> order(rows_);
  std::iota(order.begin(), order.end(), 0);
  const TableColumn* anonymous = Find("anonymous_id");
  const TableColumn* user = Find("user_id");
  const TableColumn* timestamp = Find("timestamp");
  const TableColumn* message = Find("message_id");
  const auto string_at = [](const TableColumn* column, uint32_t row) -> std::string_view {
    if (column == nullptr || column->kind != ColumnKind::kString || column->is_null[row]) return {};
    return column->strings[row];
  };
  const auto person = [&](uint32_t row) {
    const std::string_view id = string_at(anonymous, row);
    return id.empty() ? string_at(user, row) : id;
  };
  const auto time = [&](uint32_t row) -> int64_t {
    if (timestamp == nullptr || timestamp->kind != ColumnKind::kTime) return 0;
    return timestamp->times[row];
  };
  std::stable_sort(order.begin(), order.end(), [&](uint32_t a, uint32_t b) {
    if (const int c = person(a).compare(person(b)); c != 0) return c < 0;
    if (time(a) != time(b)) return time(a) < time(b);
    return string_at(message, a) < string_at(message, b);
  });
  return order;
}

}  // namespace cdp::columnar
