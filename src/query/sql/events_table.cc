#include "query/sql/events_table.h"

#include <fmt/format.h>
#include <sqlite3.h>

#include <algorithm>
#include <charconv>
#include <new>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include "query/person_key.h"
#include "query/sql/event_row_stream.h"
#include "query/sql/events_pushdown.h"
#include "query/sql/sql_vtab_support.h"

namespace cdp::query {

namespace {

struct EventsTable {
  sqlite3_vtab base;  // first: SQLite sees an sqlite3_vtab*
  EventsTableSource* source;
};

EventsTable* TableOf(sqlite3_vtab* table) { return reinterpret_cast<EventsTable*>(table); }

void SetError(sqlite3_vtab* table, std::string_view message) { SetVtabError(table, message); }

// Each of SQLite's C callbacks runs its body through Guard (GuardVtabCall).
template <typename Body>
int Guard(sqlite3_vtab* table, Body body) {
  return GuardVtabCall(table != nullptr ? TableOf(table)->source->state : nullptr, table,
                       "events table", body);
}

// One filtered scan at a time: SQLite may filter a cursor many times (once
// per outer row of a join); each filter ends the previous scan.
struct CursorState {
  explicit CursorState(EventsTableSource& source) : source(source) {}

  EventsTableSource& source;
  // Per column of the table: which field of the rows holds it; -1 when the
  // statement does not read it.
  std::vector<int> field_of_column;
  std::unique_ptr<EventRowStream> stream;
  EventRowStream::Chunk chunk;
  size_t row = 0;
  int64_t rowid = 0;
  bool eof = true;
};

struct EventsCursor {
  sqlite3_vtab_cursor base;  // first: SQLite sees an sqlite3_vtab_cursor*
  CursorState* state;
};

CursorState& StateOf(sqlite3_vtab_cursor* cursor) {
  return *reinterpret_cast<EventsCursor*>(cursor)->state;
}

// --- xBestIndex / xFilter: what the plan pushes down -------------------------
//
// xBestIndex describes the chosen constraints in idxStr, which SQLite hands
// back to xFilter with their values in the same order:
//   "<colUsed in hex>" then ";<column>,<op>,<all-at-once IN 0|1>" per value.

std::optional<PushedOp> PushedOpOf(unsigned char op) {
  switch (op) {
    case SQLITE_INDEX_CONSTRAINT_EQ:
      return PushedOp::kEquals;
    case SQLITE_INDEX_CONSTRAINT_GT:
      return PushedOp::kGreater;
    case SQLITE_INDEX_CONSTRAINT_GE:
      return PushedOp::kGreaterOrEqual;
    case SQLITE_INDEX_CONSTRAINT_LT:
      return PushedOp::kLess;
    case SQLITE_INDEX_CONSTRAINT_LE:
      return PushedOp::kLessOrEqual;
    default:
      return std::nullopt;
  }
}

// A guess of the fraction of rows a pushed constraint keeps, for the planner
// only: it ranks plans, it never changes an answer.
double Selectivity(const EventsTableColumn& column, PushedOp op) {
  if (column.source == EventsTableColumn::Source::kTimestampMicros || column.name == "timestamp") {
    return op == PushedOp::kEquals ? 0.001 : 0.5;
  }
  const bool id = column.name == "anonymous_id" || column.name == "user_id" ||
                  column.name == "message_id" || column.name == "group_id" ||
                  column.name == "previous_id";
  const double equals = id ? 0.0001 : 0.1;
  return op == PushedOp::kIn ? std::min(1.0, equals * 5) : equals;
}

int BestIndex(sqlite3_vtab* vtab, sqlite3_index_info* info) {
  EventsTableSource& source = *TableOf(vtab)->source;
  const auto columns = source.schema.columns();
  std::string plan = fmt::format("{:x}", static_cast<uint64_t>(info->colUsed));
  double rows = std::max<double>(1, double(source.workspace_rows));
  int argument = 0;
  for (int i = 0; i < info->nConstraint; ++i) {
    const auto& constraint = info->aConstraint[i];
    if (!constraint.usable || constraint.iColumn < 0 ||
        constraint.iColumn >= static_cast<int>(columns.size())) {
      continue;
    }
    std::optional<PushedOp> op = PushedOpOf(constraint.op);
    if (!op.has_value()) continue;
    const EventsTableColumn& column = columns[constraint.iColumn];
    // x IN (...) arrives as an equality; strings take its values all at once
    // (one scan), times one at a time (SQLite filters once per value).
    const bool in = *op == PushedOp::kEquals && sqlite3_vtab_in(info, i, -1) != 0;
    if (in && CanPushDown(column, PushedOp::kIn)) op = PushedOp::kIn;
    if (!CanPushDown(column, *op)) continue;
    if (PushDownComparesText(column)) {
      const char* collation = sqlite3_vtab_collation(info, i);
      if (collation != nullptr && sqlite3_stricmp(collation, "BINARY") != 0) continue;
    }
    if (*op == PushedOp::kIn) sqlite3_vtab_in(info, i, 1);
    info->aConstraintUsage[i].argvIndex = ++argument;
    info->aConstraintUsage[i].omit = 0;  // SQLite checks every row again
    plan += fmt::format(";{},{}", constraint.iColumn, static_cast<int>(*op));
    rows *= Selectivity(column, *op);
  }
  info->idxStr = sqlite3_mprintf("%s", plan.c_str());
  if (info->idxStr == nullptr) return SQLITE_NOMEM;
  info->needToFreeIdxStr = 1;
  rows = std::max(1.0, rows);
  info->estimatedRows = static_cast<sqlite3_int64>(rows);
  // A scan costs its rows plus starting it (a thread, the parts to open).
  info->estimatedCost = rows + 1000;
  return SQLITE_OK;
}

// The plan xBestIndex wrote.
struct Plan {
  uint64_t columns_used = 0;
  std::vector<std::pair<size_t, PushedOp>> constraints;
};

std::optional<Plan> ParsePlan(std::string_view text) {
  Plan plan;
  const auto number = [&](std::string_view digits, int base) -> std::optional<uint64_t> {
    uint64_t value = 0;
    const auto [end, error] =
        std::from_chars(digits.data(), digits.data() + digits.size(), value, base);
    if (error != std::errc() || end != digits.data() + digits.size()) return std::nullopt;
    return value;
  };
  size_t end = text.find(';');
  const std::optional<uint64_t> used = number(text.substr(0, end), 16);
  if (!used.has_value()) return std::nullopt;
  plan.columns_used = *used;
  while (end != std::string_view::npos) {
    text.remove_prefix(end + 1);
    end = text.find(';');
    const std::string_view item = text.substr(0, end);
    const size_t comma = item.find(',');
    if (comma == std::string_view::npos) return std::nullopt;
    const std::optional<uint64_t> column = number(item.substr(0, comma), 10);
    const std::optional<uint64_t> op = number(item.substr(comma + 1), 10);
    if (!column.has_value() || !op.has_value() || *op > uint64_t(PushedOp::kLessOrEqual)) {
      return std::nullopt;
    }
    plan.constraints.emplace_back(*column, static_cast<PushedOp>(*op));
  }
  return plan;
}

PushedValue ValueOf(sqlite3_value* value) {
  PushedValue pushed;
  switch (sqlite3_value_type(value)) {
    case SQLITE_INTEGER:
      pushed.type = PushedValue::Type::kInteger;
      pushed.integer = sqlite3_value_int64(value);
      break;
    case SQLITE_FLOAT:
      pushed.type = PushedValue::Type::kReal;
      pushed.real = sqlite3_value_double(value);
      break;
    case SQLITE_TEXT: {
      pushed.type = PushedValue::Type::kText;
      const auto* text = reinterpret_cast<const char*>(sqlite3_value_text(value));
      pushed.text.assign(text == nullptr ? "" : text, size_t(sqlite3_value_bytes(value)));
      break;
    }
    case SQLITE_BLOB:
      pushed.type = PushedValue::Type::kBlob;
      break;
    default:
      break;
  }
  return pushed;
}

// Whether the statement reads `column` (index `index`): colUsed has one bit
// per column up to 62 and bit 63 for "some column from 63 on".
bool ColumnUsed(const Plan& plan, const EventsTableSource& source, size_t index) {
  if (index < 63) return (plan.columns_used >> index) & 1;
  if (((plan.columns_used >> 63) & 1) == 0) return false;
  return source.state->EventsColumnRead(source.schema.columns()[index].name);
}

// The scan of one filter: which store columns it reads and how each read
// table column is made of them.
struct ScanLayout {
  std::vector<std::string> store_columns;
  std::vector<CellSource> sources;
  std::vector<int> field_of_column;

  size_t StoreColumn(const std::string& name) {
    for (size_t i = 0; i < store_columns.size(); ++i) {
      if (store_columns[i] == name) return i;
    }
    store_columns.push_back(name);
    return store_columns.size() - 1;
  }
};

ScanLayout LayoutOf(const Plan& plan, const EventsTableSource& source) {
  ScanLayout layout;
  const auto columns = source.schema.columns();
  layout.field_of_column.assign(columns.size(), -1);
  for (size_t index = 0; index < columns.size(); ++index) {
    if (!ColumnUsed(plan, source, index)) continue;
    const EventsTableColumn& column = columns[index];
    CellSource cell;
    switch (column.source) {
      case EventsTableColumn::Source::kStore:
        cell.column = layout.StoreColumn(column.name);
        break;
      case EventsTableColumn::Source::kTimestampMicros:
        cell.kind = CellSource::Kind::kTimestampMicros;
        cell.column = layout.StoreColumn("timestamp");
        break;
      case EventsTableColumn::Source::kPersonId:
        cell.kind = CellSource::Kind::kPersonId;
        cell.column = layout.StoreColumn(std::string(kPersonColumns[0]));
        cell.second_column = layout.StoreColumn(std::string(kPersonColumns[1]));
        cell.persons = source.persons.get();
        break;
    }
    layout.field_of_column[index] = static_cast<int>(layout.sources.size());
    layout.sources.push_back(cell);
  }
  return layout;
}

// Moves the cursor to its next row, fetching the next chunk when the current
// one is used up. The chunk is let go before the next is asked for, so that a
// cursor never holds two.
int Advance(sqlite3_vtab* vtab, CursorState& cursor) {
  ++cursor.row;
  while (cursor.chunk.rows == nullptr || cursor.row >= cursor.chunk.rows->rows()) {
    cursor.chunk = EventRowStream::Chunk{};
    SqlRunState& state = *cursor.source.state;
    Result<EventRowStream::Chunk> next =
        cursor.stream->Next([&state] { return state.CheckInterrupt(); });
    if (!next.ok()) {
      state.RecordFailure(next.status());
      SetError(vtab, next.status().message());
      return SQLITE_ERROR;
    }
    if (next->rows == nullptr) {
      cursor.eof = true;
      cursor.stream.reset();
      return SQLITE_OK;
    }
    cursor.chunk = std::move(*next);
    cursor.row = 0;
  }
  ++cursor.rowid;
  cursor.source.state->CountRow();
  return SQLITE_OK;
}

int Filter(sqlite3_vtab_cursor* base, int, const char* plan_text, int argc, sqlite3_value** argv) {
  CursorState& cursor = StateOf(base);
  sqlite3_vtab* const vtab = base->pVtab;
  cursor.stream.reset();  // ends the previous scan, if any
  cursor.chunk = EventRowStream::Chunk{};
  cursor.eof = true;
  cursor.rowid = 0;
  const std::optional<Plan> plan = ParsePlan(plan_text == nullptr ? "" : plan_text);
  if (!plan.has_value() || plan->constraints.size() != size_t(argc)) {
    SetError(vtab, "events: malformed plan");
    return SQLITE_INTERNAL;
  }
  EventsTableSource& source = cursor.source;
  std::vector<PushedConstraint> constraints;
  for (int i = 0; i < argc; ++i) {
    PushedConstraint& constraint = constraints.emplace_back();
    constraint.column = plan->constraints[i].first;
    constraint.op = plan->constraints[i].second;
    if (constraint.column >= source.schema.columns().size()) {
      SetError(vtab, "events: malformed plan");
      return SQLITE_INTERNAL;
    }
    if (constraint.op != PushedOp::kIn) {
      constraint.values.push_back(ValueOf(argv[i]));
      continue;
    }
    sqlite3_value* value = nullptr;
    int rc = sqlite3_vtab_in_first(argv[i], &value);
    for (; rc == SQLITE_OK && value != nullptr; rc = sqlite3_vtab_in_next(argv[i], &value)) {
      constraint.values.push_back(ValueOf(value));
    }
    if (rc != SQLITE_OK && rc != SQLITE_DONE) return rc;
  }
  PushedScan pushed = PushDown(source.schema, constraints);
  if (pushed.empty) return SQLITE_OK;  // eof at once, no scan

  ScanLayout layout = LayoutOf(*plan, source);
  ScanRequest request;
  request.from = FromUnixMicros(pushed.from_micros);
  request.to = FromUnixMicros(pushed.to_micros);
  request.columns = std::move(layout.store_columns);
  request.predicates = std::move(pushed.predicates);
  cursor.field_of_column = std::move(layout.field_of_column);
  SqlRunState& state = *source.state;
  cursor.stream =
      std::make_unique<EventRowStream>(*source.store, state.context(), std::move(request),
                                       std::move(layout.sources), &state.budget());
  cursor.eof = false;
  cursor.row = static_cast<size_t>(-1);  // Advance moves to row 0 of the first chunk
  return Advance(vtab, cursor);
}

// --- the module's other callbacks ------------------------------------------

int Connect(sqlite3* db, void* client_data, int, const char* const*, sqlite3_vtab** out,
            char** error) {
  auto* source = static_cast<EventsTableSource*>(client_data);
  const std::string create = source->schema.CreateTableSql();
  if (const int rc = sqlite3_declare_vtab(db, create.c_str()); rc != SQLITE_OK) {
    *error = sqlite3_mprintf("events: %s", sqlite3_errmsg(db));
    return rc;
  }
  auto* table = new (std::nothrow) EventsTable{};
  if (table == nullptr) return SQLITE_NOMEM;
  table->source = source;
  *out = &table->base;
  return SQLITE_OK;
}

int Disconnect(sqlite3_vtab* vtab) {
  delete TableOf(vtab);
  return SQLITE_OK;
}

int Open(sqlite3_vtab* vtab, sqlite3_vtab_cursor** out) {
  return Guard(vtab, [&] {
    auto cursor = std::make_unique<EventsCursor>();
    cursor->state = new CursorState(*TableOf(vtab)->source);
    *out = &cursor.release()->base;
    return SQLITE_OK;
  });
}

int Close(sqlite3_vtab_cursor* base) {
  auto* cursor = reinterpret_cast<EventsCursor*>(base);
  delete cursor->state;  // stops its scan
  delete cursor;
  return SQLITE_OK;
}

int FilterGuarded(sqlite3_vtab_cursor* base, int number, const char* plan, int argc,
                  sqlite3_value** argv) {
  return Guard(base->pVtab, [&] { return Filter(base, number, plan, argc, argv); });
}

int Next(sqlite3_vtab_cursor* base) {
  return Guard(base->pVtab, [&] { return Advance(base->pVtab, StateOf(base)); });
}

int Eof(sqlite3_vtab_cursor* base) { return StateOf(base).eof ? 1 : 0; }

int Column(sqlite3_vtab_cursor* base, sqlite3_context* context, int index) {
  const CursorState& cursor = StateOf(base);
  if (index < 0 || size_t(index) >= cursor.field_of_column.size() ||
      cursor.field_of_column[index] < 0) {
    // A column the plan said the statement does not read: a bug, never a
    // silent NULL.
    SetError(base->pVtab, "events: a column was read that the plan did not expect");
    return SQLITE_INTERNAL;
  }
  const RowChunk& rows = *cursor.chunk.rows;
  ResultSqlCell(context, rows, rows.cell(cursor.row, size_t(cursor.field_of_column[index])));
  return SQLITE_OK;
}

int Rowid(sqlite3_vtab_cursor* base, sqlite3_int64* rowid) {
  *rowid = StateOf(base).rowid;
  return SQLITE_OK;
}

int BestIndexGuarded(sqlite3_vtab* vtab, sqlite3_index_info* info) {
  return Guard(vtab, [&] { return BestIndex(vtab, info); });
}

int ConnectGuarded(sqlite3* db, void* client_data, int argc, const char* const* argv,
                   sqlite3_vtab** out, char** error) {
  return Guard(nullptr, [&] { return Connect(db, client_data, argc, argv, out, error); });
}

const sqlite3_module kEventsModule = ReadOnlyEponymousModule({.connect = ConnectGuarded,
                                                              .best_index = BestIndexGuarded,
                                                              .disconnect = Disconnect,
                                                              .open = Open,
                                                              .close = Close,
                                                              .filter = FilterGuarded,
                                                              .next = Next,
                                                              .eof = Eof,
                                                              .column = Column,
                                                              .rowid = Rowid});

void DestroySource(void* source) { delete static_cast<EventsTableSource*>(source); }

}  // namespace

Status RegisterEventsTable(sqlite3* db, std::unique_ptr<EventsTableSource> source) {
  // On failure SQLite calls the destructor itself, so ownership passes now.
  const int rc =
      sqlite3_create_module_v2(db, "events", &kEventsModule, source.release(), DestroySource);
  if (rc != SQLITE_OK) {
    return Status::Internal(
        fmt::format("sql: registering the events table: {}", sqlite3_errstr(rc)));
  }
  return Status::Ok();
}

}  // namespace cdp::query
