#include "query/sql/events_table_schema.h"

#include <algorithm>
#include <cctype>
#include <set>

#include "store/event_columns.h"

namespace cdp::query {

namespace {

std::string_view DeclaredTypeOf(std::optional<ColumnKind> kind) {
  if (!kind.has_value()) return "";
  switch (*kind) {
    case ColumnKind::kString:
    case ColumnKind::kTime:
      return "TEXT";
    case ColumnKind::kNumber:
      return "REAL";
    case ColumnKind::kBoolean:
      return "INTEGER";
  }
  return "";
}

std::string Lowercase(std::string_view text) {
  std::string lower(text);
  for (char& c : lower) c = static_cast<char>(std::tolower(static_cast<unsigned char>(c)));
  return lower;
}

}  // namespace

EventsTableSchema EventsTableSchema::FromStoreColumns(std::span<const StoredColumn> columns) {
  EventsTableSchema schema;
  std::set<std::string> taken;  // lowercase names
  const auto add = [&](EventsTableColumn column) {
    if (schema.columns_.size() >= kMaxColumns) return;
    // declare_vtab takes a C string: a NUL would cut the statement short.
    if (column.name.empty() || column.name.find('\0') != std::string::npos) return;
    if (!taken.insert(Lowercase(column.name)).second) return;
    schema.columns_.push_back(std::move(column));
  };
  // A name listed with two kinds (parts disagree) is one column of mixed kind.
  const auto kind_of = [&](const StoredColumn& column) -> std::optional<ColumnKind> {
    for (const StoredColumn& other : columns) {
      if (other.name == column.name && other.kind != column.kind) return std::nullopt;
    }
    return column.kind;
  };
  const auto add_store_column = [&](const StoredColumn& column) {
    const std::optional<ColumnKind> kind = kind_of(column);
    add({column.name, EventsTableColumn::Source::kStore, kind, DeclaredTypeOf(kind)});
  };
  for (const StoredColumn& column : FixedEventColumns()) add_store_column(column);
  add({"timestamp_us", EventsTableColumn::Source::kTimestampMicros, ColumnKind::kTime, "INTEGER"});
  add({"person_id", EventsTableColumn::Source::kPersonId, ColumnKind::kString, "TEXT"});
  for (const StoredColumn& column : columns) add_store_column(column);
  return schema;
}

std::optional<size_t> EventsTableSchema::Find(std::string_view name) const {
  for (size_t i = 0; i < columns_.size(); ++i) {
    if (columns_[i].name == name) return i;
  }
  return std::nullopt;
}

std::string EventsTableSchema::CreateTableSql() const {
  std::string sql = "CREATE TABLE x(";
  for (size_t i = 0; i < columns_.size(); ++i) {
    if (i > 0) sql += ", ";
    sql += '"';
    for (const char c : columns_[i].name) {
      if (c == '"') sql += '"';  // a quote inside a quoted identifier is doubled
      sql += c;
    }
    sql += '"';
    if (!columns_[i].declared_type.empty()) {
      sql += ' ';
      sql += columns_[i].declared_type;
    }
  }
  sql += ")";
  return sql;
}

}  // namespace cdp::query
