#include "sqlite_engine.h"

#include <fmt/format.h>
#include <sqlite3.h>

#include <filesystem>
#include <memory>
#include <vector>

namespace cdp::bench {

namespace {

constexpr std::string_view kTable = "events";

struct DbCloser {
  void operator()(sqlite3* db) const { sqlite3_close(db); }
};
struct StmtFinalizer {
  void operator()(sqlite3_stmt* stmt) const { sqlite3_finalize(stmt); }
};
using Db = std::unique_ptr<sqlite3, DbCloser>;
using Stmt = std::unique_ptr<sqlite3_stmt, StmtFinalizer>;

Status SqliteError(sqlite3* db, std::string_view what) {
  return Status::Internal(fmt::format("sqlite: {}: {}", what, sqlite3_errmsg(db)));
}

Result<Db> OpenDb(const std::string& path, int flags) {
  sqlite3* raw = nullptr;
  const int rc = sqlite3_open_v2(path.c_str(), &raw, flags, nullptr);
  Db db(raw);
  if (rc != SQLITE_OK) return SqliteError(raw, fmt::format("opening {}", path));
  return db;
}

Status Exec(sqlite3* db, const std::string& sql) {
  char* error = nullptr;
  if (sqlite3_exec(db, sql.c_str(), nullptr, nullptr, &error) != SQLITE_OK) {
    Status status = Status::Internal(fmt::format("sqlite: {}: {}", sql.substr(0, 80), error));
    sqlite3_free(error);
    return status;
  }
  return Status::Ok();
}

Result<Stmt> Prepare(sqlite3* db, const std::string& sql) {
  sqlite3_stmt* raw = nullptr;
  if (sqlite3_prepare_v2(db, sql.c_str(), static_cast<int>(sql.size()), &raw, nullptr) !=
      SQLITE_OK) {
    return SqliteError(db, fmt::format("preparing {}", sql.substr(0, 80)));
  }
  return Stmt(raw);
}

std::string Quoted(std::string_view name) {
  std::string out = "\"";
  for (const char c : name) {
    if (c == '"') out += '"';
    out += c;
  }
  return out + '"';
}

const char* SqliteType(ColumnKind kind) {
  switch (kind) {
    case ColumnKind::kString:
      return "TEXT";
    case ColumnKind::kTime:
    case ColumnKind::kBoolean:
      return "INTEGER";
    case ColumnKind::kNumber:
      return "REAL";
  }
  return "TEXT";
}

std::string CreateTable(const EventColumns& columns) {
  std::string sql = fmt::format("CREATE TABLE {} (", kTable);
  for (const FixedColumn& column : kFixedColumns) {
    sql += fmt::format("{} {}{}, ", Quoted(column.name), SqliteType(column.kind),
                       column.nullable ? "" : " NOT NULL");
  }
  for (const PropertyColumn& column : columns.columns()) {
    sql += fmt::format("{} {}, ", Quoted(column.name), SqliteType(column.kind));
  }
  sql.resize(sql.size() - 2);
  return sql + ")";
}

Status BindText(sqlite3* db, sqlite3_stmt* stmt, int index, std::string_view text) {
  if (sqlite3_bind_text(stmt, index, text.data(), static_cast<int>(text.size()), SQLITE_STATIC) !=
      SQLITE_OK) {
    return SqliteError(db, "binding");
  }
  return Status::Ok();
}

Status InsertEvent(sqlite3* db, sqlite3_stmt* insert, const Event& event,
                   const EventColumns& columns, std::vector<const Property*>& slots) {
  int index = 1;
  for (size_t i = 0; i < kFixedColumnCount; ++i, ++index) {
    const FixedValue value = GetFixedValue(event, i);
    if (kFixedColumns[i].kind == ColumnKind::kString) {
      CDP_RETURN_IF_ERROR(BindText(db, insert, index, value.text));
    } else if (value.null) {
      sqlite3_bind_null(insert, index);
    } else {
      sqlite3_bind_int64(insert, index, value.micros);
    }
  }
  columns.Slot(event, slots);
  for (size_t i = 0; i < slots.size(); ++i, ++index) {
    const Property* property = slots[i];
    if (property == nullptr) {
      sqlite3_bind_null(insert, index);
      continue;
    }
    switch (columns.columns()[i].kind) {
      case ColumnKind::kString:
        CDP_RETURN_IF_ERROR(BindText(db, insert, index, std::get<std::string>(property->value)));
        break;
      case ColumnKind::kTime:
        sqlite3_bind_int64(insert, index, Micros(*property->timestamp));
        break;
      case ColumnKind::kNumber:
        sqlite3_bind_double(insert, index, std::get<double>(property->value));
        break;
      case ColumnKind::kBoolean:
        sqlite3_bind_int(insert, index, std::get<bool>(property->value) ? 1 : 0);
        break;
    }
  }
  if (sqlite3_step(insert) != SQLITE_DONE) return SqliteError(db, "inserting");
  sqlite3_reset(insert);
  return Status::Ok();
}

Result<std::string> QueryPlan(sqlite3* db, const std::string& sql) {
  CDP_ASSIGN_OR_RETURN(Stmt stmt, Prepare(db, "EXPLAIN QUERY PLAN " + sql));
  std::string plan;
  int rc;
  while ((rc = sqlite3_step(stmt.get())) == SQLITE_ROW) {
    if (!plan.empty()) plan += "; ";
    plan += reinterpret_cast<const char*>(sqlite3_column_text(stmt.get(), 3));
  }
  if (rc != SQLITE_DONE) return SqliteError(db, "explaining");
  return plan;
}

}  // namespace

Result<LoadReport> SqliteLoad(const std::string& db_path, NdjsonEventReader& reader,
                              const EventColumns& columns, const SqliteLoadOptions& options) {
  if (std::filesystem::exists(db_path)) {
    return Status::BadRequest(fmt::format("{} exists already", db_path));
  }
  CDP_ASSIGN_OR_RETURN(Db db, OpenDb(db_path, SQLITE_OPEN_READWRITE | SQLITE_OPEN_CREATE));
  CDP_RETURN_IF_ERROR(Exec(db.get(), "PRAGMA journal_mode=WAL"));
  CDP_RETURN_IF_ERROR(Exec(db.get(), "PRAGMA synchronous=NORMAL"));
  CDP_RETURN_IF_ERROR(
      Exec(db.get(), fmt::format("PRAGMA cache_size=-{}", options.cache_mib * 1024)));
  CDP_RETURN_IF_ERROR(Exec(db.get(), CreateTable(columns)));
  std::string insert_sql = fmt::format("INSERT INTO {} VALUES (", kTable);
  for (size_t i = 0; i < kFixedColumnCount + columns.columns().size(); ++i) {
    insert_sql += i == 0 ? "?" : ",?";
  }
  insert_sql += ")";
  CDP_ASSIGN_OR_RETURN(Stmt insert, Prepare(db.get(), insert_sql));

  LoadClock clock;
  uint64_t loaded = 0;
  std::vector<Event> events;
  std::vector<const Property*> slots;
  size_t rows_in_transaction = 0;
  while (true) {
    CDP_RETURN_IF_ERROR(reader.Next(10'000, events));
    clock.StartEngine();
    for (const Event& event : events) {
      if (rows_in_transaction == 0) CDP_RETURN_IF_ERROR(Exec(db.get(), "BEGIN"));
      CDP_RETURN_IF_ERROR(InsertEvent(db.get(), insert.get(), event, columns, slots));
      if (++rows_in_transaction == options.transaction_rows) {
        CDP_RETURN_IF_ERROR(Exec(db.get(), "COMMIT"));
        rows_in_transaction = 0;
      }
    }
    if (events.empty()) {
      if (rows_in_transaction > 0) CDP_RETURN_IF_ERROR(Exec(db.get(), "COMMIT"));
      CDP_RETURN_IF_ERROR(Exec(db.get(), "PRAGMA wal_checkpoint(TRUNCATE)"));
    }
    clock.StopEngine();
    loaded += events.size();
    if (events.empty()) break;
  }
  return clock.Finish(loaded);
}

Result<LoadReport> SqliteCreateIndex(const std::string& db_path) {
  CDP_ASSIGN_OR_RETURN(Db db, OpenDb(db_path, SQLITE_OPEN_READWRITE));
  CDP_RETURN_IF_ERROR(Exec(db.get(), "PRAGMA cache_size=-262144"));
  LoadClock clock;
  clock.StartEngine();
  CDP_RETURN_IF_ERROR(Exec(
      db.get(),
      fmt::format("CREATE INDEX {0}_workspace_timestamp ON {0}(workspace_id, timestamp)", kTable)));
  CDP_RETURN_IF_ERROR(Exec(db.get(), "ANALYZE"));
  CDP_RETURN_IF_ERROR(Exec(db.get(), "PRAGMA wal_checkpoint(TRUNCATE)"));
  clock.StopEngine();
  return clock.Finish(0);
}

Result<uint64_t> SqliteBytes(const std::string& db_path) {
  CDP_ASSIGN_OR_RETURN(Db db, OpenDb(db_path, SQLITE_OPEN_READONLY));
  CDP_ASSIGN_OR_RETURN(Stmt stmt, Prepare(db.get(),
                                          "SELECT page_count * page_size FROM pragma_page_count(), "
                                          "pragma_page_size()"));
  if (sqlite3_step(stmt.get()) != SQLITE_ROW) return SqliteError(db.get(), "sizing");
  return static_cast<uint64_t>(sqlite3_column_int64(stmt.get(), 0));
}

Result<SqliteQueryReport> SqliteQuery(const std::string& db_path, const BenchQueries& queries,
                                      int runs, int cache_mib) {
  CDP_ASSIGN_OR_RETURN(Db db, OpenDb(db_path, SQLITE_OPEN_READONLY));
  CDP_RETURN_IF_ERROR(Exec(db.get(), fmt::format("PRAGMA cache_size=-{}", cache_mib * 1024)));
  const std::string a_sql =
      fmt::format("SELECT event, count(*) FROM {} WHERE workspace_id = ?1 GROUP BY event", kTable);
  const std::string b_sql = fmt::format(
      "SELECT count(*), sum({}) FROM {} WHERE workspace_id = ?1 AND event = ?2 AND {} = ?3 "
      "AND timestamp >= ?4 AND timestamp < ?5",
      Quoted(queries.sum_column), kTable, Quoted(queries.filter_column));
  SqliteQueryReport report;
  sqlite3* raw = db.get();
  CDP_ASSIGN_OR_RETURN(report.a_plan, QueryPlan(raw, a_sql));
  CDP_ASSIGN_OR_RETURN(report.b_plan, QueryPlan(raw, b_sql));

  CDP_ASSIGN_OR_RETURN(report.a_timing, TimeRuns(runs, [&]() -> Status {
                         CDP_ASSIGN_OR_RETURN(Stmt stmt, Prepare(raw, a_sql));
                         CDP_RETURN_IF_ERROR(BindText(raw, stmt.get(), 1, queries.workspace_id));
                         CountByEvent a;
                         int rc;
                         while ((rc = sqlite3_step(stmt.get())) == SQLITE_ROW) {
                           const auto* name = sqlite3_column_text(stmt.get(), 0);
                           a.counts[name ? reinterpret_cast<const char*>(name) : ""] +=
                               static_cast<uint64_t>(sqlite3_column_int64(stmt.get(), 1));
                         }
                         if (rc != SQLITE_DONE) return SqliteError(raw, "query a");
                         report.a = std::move(a);
                         return Status::Ok();
                       }));
  CDP_ASSIGN_OR_RETURN(report.b_timing, TimeRuns(runs, [&]() -> Status {
                         CDP_ASSIGN_OR_RETURN(Stmt stmt, Prepare(raw, b_sql));
                         sqlite3_stmt* s = stmt.get();
                         CDP_RETURN_IF_ERROR(BindText(raw, s, 1, queries.workspace_id));
                         CDP_RETURN_IF_ERROR(BindText(raw, s, 2, queries.event));
                         CDP_RETURN_IF_ERROR(BindText(raw, s, 3, queries.filter_value));
                         sqlite3_bind_int64(s, 4, queries.from_micros);
                         sqlite3_bind_int64(s, 5, queries.to_micros);
                         if (sqlite3_step(s) != SQLITE_ROW) return SqliteError(raw, "query b");
                         report.b.count = static_cast<uint64_t>(sqlite3_column_int64(s, 0));
                         report.b.sum = sqlite3_column_double(s, 1);  // NULL reads as 0
                         return Status::Ok();
                       }));
  return report;
}

}  // namespace cdp::bench
