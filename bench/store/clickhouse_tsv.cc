#include "clickhouse_tsv.h"

#include <fmt/format.h>

#include <cerrno>
#include <charconv>
#include <cstring>

namespace cdp::bench {

namespace {

std::string PropertyColumnType(const PropertyColumn& column) {
  switch (column.kind) {
    case ColumnKind::kString:
      return column.has_empty_string ? "Nullable(String)" : "String";
    case ColumnKind::kTime:
      return "Nullable(Int64)";
    case ColumnKind::kNumber:
      return "Nullable(Float64)";
    case ColumnKind::kBoolean:
      return "Nullable(UInt8)";
  }
  return "String";
}

constexpr size_t kFlushBytes = 1 << 20;

}  // namespace

std::string ClickHouseCreateTable(std::string_view table, const EventColumns& columns) {
  std::string sql = fmt::format("CREATE TABLE {} (\n", table);
  for (const FixedColumn& column : kFixedColumns) {
    const char* type = column.kind == ColumnKind::kString ? "String"
                       : column.nullable                  ? "Nullable(Int64)"
                                                          : "Int64";
    sql += fmt::format("  `{}` {},\n", column.name, type);
  }
  for (const PropertyColumn& column : columns.columns()) {
    sql += fmt::format("  `{}` {},\n", column.name, PropertyColumnType(column));
  }
  sql.resize(sql.size() - 2);
  sql +=
      "\n) ENGINE = MergeTree\n"
      "PARTITION BY (workspace_id, intDiv(timestamp, 86400000000))\n"
      "ORDER BY (workspace_id, anonymous_id, timestamp)";
  return sql;
}

ClickHouseTsvWriter::ClickHouseTsvWriter(const EventColumns& columns, std::FILE* out)
    : columns_(columns), out_(out) {
  buffer_.reserve(kFlushBytes + (64 << 10));
}

void ClickHouseTsvWriter::AppendString(std::string_view text) {
  // ClickHouse's escaping (writeEscapedString): backslash escapes for the
  // characters that would end or break a field.
  for (const char c : text) {
    switch (c) {
      case '\\':
        buffer_ += "\\\\";
        break;
      case '\t':
        buffer_ += "\\t";
        break;
      case '\n':
        buffer_ += "\\n";
        break;
      case '\r':
        buffer_ += "\\r";
        break;
      case '\0':
        buffer_ += "\\0";
        break;
      case '\b':
        buffer_ += "\\b";
        break;
      case '\f':
        buffer_ += "\\f";
        break;
      default:
        buffer_ += c;
    }
  }
}

void ClickHouseTsvWriter::AppendInt(int64_t value) {
  char text[24];
  const auto result = std::to_chars(text, text + sizeof text, value);
  buffer_.append(text, result.ptr);
}

void ClickHouseTsvWriter::AppendDouble(double value) {
  char text[32];
  const auto result = std::to_chars(text, text + sizeof text, value);  // shortest round trip
  buffer_.append(text, result.ptr);
}

Status ClickHouseTsvWriter::Write(std::span<const Event> events) {
  for (const Event& event : events) {
    for (size_t i = 0; i < kFixedColumnCount; ++i) {
      if (i > 0) buffer_ += '\t';
      const FixedValue value = GetFixedValue(event, i);
      if (kFixedColumns[i].kind == ColumnKind::kString) {
        AppendString(value.text);
      } else if (value.null) {
        buffer_ += "\\N";
      } else {
        AppendInt(value.micros);
      }
    }
    columns_.Slot(event, slots_);
    for (size_t i = 0; i < slots_.size(); ++i) {
      buffer_ += '\t';
      const Property* property = slots_[i];
      const PropertyColumn& column = columns_.columns()[i];
      if (property == nullptr) {
        if (column.kind == ColumnKind::kString && !column.has_empty_string) continue;  // ''
        buffer_ += "\\N";
        continue;
      }
      switch (column.kind) {
        case ColumnKind::kString:
          AppendString(std::get<std::string>(property->value));
          break;
        case ColumnKind::kTime:
          AppendInt(Micros(*property->timestamp));
          break;
        case ColumnKind::kNumber:
          AppendDouble(std::get<double>(property->value));
          break;
        case ColumnKind::kBoolean:
          buffer_ += std::get<bool>(property->value) ? '1' : '0';
          break;
      }
    }
    buffer_ += '\n';
    if (buffer_.size() >= kFlushBytes) CDP_RETURN_IF_ERROR(Flush());
  }
  return Status::Ok();
}

Status ClickHouseTsvWriter::Flush() {
  if (!buffer_.empty() && std::fwrite(buffer_.data(), 1, buffer_.size(), out_) != buffer_.size()) {
    return Status::Internal(fmt::format("writing TSV: {}", std::strerror(errno)));
  }
  buffer_.clear();
  return Status::Ok();
}

}  // namespace cdp::bench
