#include "query/sql/profiles_table.h"

#include <fmt/format.h>
#include <sqlite3.h>

#include <algorithm>
#include <optional>
#include <string>
#include <string_view>
#include <unordered_map>
#include <utility>
#include <vector>

#include "query/sql/profile_rows.h"
#include "query/sql/sql_vtab_support.h"

namespace cdp::query {

namespace {

// The plans xBestIndex chooses between (idxNum).
enum Plan : int {
  kScanAll = 0,
  kLookUpId = 1,   // id = ?
  kLookUpIds = 2,  // id IN (...), all values at once
};

// A guess of the table's size, for the planner only: it ranks plans, it
// never changes an answer.
constexpr double kGuessedProfiles = 100'000;
// What one entry of the id index costs beyond its row, charged to the budget.
constexpr size_t kIndexEntryBytes = 64;

// Where a row is among the index's chunks.
struct RowPosition {
  uint32_t chunk = 0;
  uint32_t row = 0;
};

// Every profile row of the statement, kept once an id is looked up.
struct ProfileIndex {
  bool built = false;
  std::vector<SqlRowStream::Chunk> chunks;
  std::unordered_map<std::string_view, RowPosition> by_id;  // views into the chunks' text
  SqlMemoryCharge charge;                                   // the map's
};

// The module's client data, owned by the connection.
struct ProfilesTableData {
  std::unique_ptr<ProfilesTableSource> source;
  ProfileIndex index;
};

struct ProfilesTable {
  sqlite3_vtab base;  // first: SQLite sees an sqlite3_vtab*
  ProfilesTableData* data;
};

ProfilesTableData& DataOf(sqlite3_vtab* table) {
  return *reinterpret_cast<ProfilesTable*>(table)->data;
}

template <typename Body>
int Guard(sqlite3_vtab* table, Body body) {
  return GuardVtabCall(table != nullptr ? DataOf(table).source->state : nullptr, table,
                       "profiles table", body);
}

// Streams the workspace's profiles as rows, on the stream's thread.
SqlRowStream::Producer ProfileProducer(const PersonDirectory& persons, const QueryContext& context,
                                       size_t chunk_bytes) {
  return [&persons, &context, chunk_bytes](const SqlRowStream::Push& push) -> Status {
    auto rows = std::make_unique<RowChunk>(kProfilesColumns);
    Status stopped;
    const Status scanned = persons.ScanProfiles(context.workspace_id, [&](const Profile& profile) {
      if (context.Cancelled()) {
        stopped = CancelledStatus();
        return false;
      }
      AppendProfileRow(profile, *rows);
      if (rows->FilledBytes() < chunk_bytes) return true;
      stopped = push(std::move(rows));
      rows = std::make_unique<RowChunk>(kProfilesColumns);
      return stopped.ok();
    });
    CDP_RETURN_IF_ERROR(stopped);
    CDP_RETURN_IF_ERROR(scanned);
    if (rows->rows() > 0) return push(std::move(rows));
    return Status::Ok();
  };
}

std::unique_ptr<SqlRowStream> StartStream(ProfilesTableSource& source) {
  SqlRunState& state = *source.state;
  return std::make_unique<SqlRowStream>(
      ProfileProducer(*source.persons, state.context(), source.stream.chunk_bytes), &state.budget(),
      source.stream);
}

// Reads every profile into the index (once per statement's connection).
Status BuildIndex(ProfilesTableData& data) {
  ProfileIndex& index = data.index;
  if (index.built) return Status::Ok();
  SqlRunState& state = *data.source->state;
  const std::unique_ptr<SqlRowStream> stream = StartStream(*data.source);
  while (true) {
    CDP_ASSIGN_OR_RETURN(SqlRowStream::Chunk chunk,
                         stream->Next([&state] { return state.CheckInterrupt(); }));
    if (chunk.rows == nullptr) break;
    const auto chunk_index = static_cast<uint32_t>(index.chunks.size());
    const RowChunk& rows = *chunk.rows;
    for (size_t row = 0; row < rows.rows(); ++row) {
      index.by_id.emplace(rows.Text(rows.cell(row, kProfileId)),
                          RowPosition{chunk_index, static_cast<uint32_t>(row)});
    }
    index.chunks.push_back(std::move(chunk));
  }
  const size_t bytes = index.by_id.size() * kIndexEntryBytes + index.by_id.bucket_count() * 8;
  SqlMemoryBudget& budget = state.budget();
  if (!budget.TryCharge(bytes)) return budget.ExceededStatus();
  index.charge = SqlMemoryCharge(&budget, bytes);
  index.built = true;
  return Status::Ok();
}

// One filter at a time: a stream of every profile, or a walk over the
// index (all of it, or the rows of the looked-up ids).
struct CursorState {
  explicit CursorState(ProfilesTableData& data) : data(data) {}

  ProfilesTableData& data;
  std::unique_ptr<SqlRowStream> stream;
  SqlRowStream::Chunk chunk;
  bool walk_index = false;
  std::optional<std::vector<RowPosition>> positions;  // index walk of some rows; else all
  size_t next = 0;  // index walk: the next of `positions`, or the chunk at hand
  // The row at hand.
  const RowChunk* rows = nullptr;
  size_t row = 0;
  int64_t rowid = 0;
  bool eof = true;
};

struct ProfilesCursor {
  sqlite3_vtab_cursor base;  // first: SQLite sees an sqlite3_vtab_cursor*
  CursorState* state;
};

CursorState& StateOf(sqlite3_vtab_cursor* cursor) {
  return *reinterpret_cast<ProfilesCursor*>(cursor)->state;
}

int Fail(sqlite3_vtab* vtab, SqlRunState& state, const Status& status) {
  state.RecordFailure(status);
  SetVtabError(vtab, status.message());
  return SQLITE_ERROR;
}

// Moves the cursor to its next row.
int Advance(sqlite3_vtab* vtab, CursorState& cursor) {
  SqlRunState& state = *cursor.data.source->state;
  if (cursor.walk_index) {
    const ProfileIndex& index = cursor.data.index;
    if (cursor.positions) {
      if (cursor.next >= cursor.positions->size()) {
        cursor.eof = true;
        return SQLITE_OK;
      }
      const RowPosition at = (*cursor.positions)[cursor.next++];
      cursor.rows = index.chunks[at.chunk].rows.get();
      cursor.row = at.row;
    } else {
      // Every row, chunk after chunk: `next` is the chunk at hand.
      ++cursor.row;
      while (cursor.next < index.chunks.size() &&
             cursor.row >= index.chunks[cursor.next].rows->rows()) {
        ++cursor.next;
        cursor.row = 0;
      }
      if (cursor.next == index.chunks.size()) {
        cursor.eof = true;
        return SQLITE_OK;
      }
      cursor.rows = index.chunks[cursor.next].rows.get();
    }
    ++cursor.rowid;
    return SQLITE_OK;
  }
  ++cursor.row;
  while (cursor.chunk.rows == nullptr || cursor.row >= cursor.chunk.rows->rows()) {
    cursor.chunk = SqlRowStream::Chunk{};  // let go before asking for the next
    Result<SqlRowStream::Chunk> next =
        cursor.stream->Next([&state] { return state.CheckInterrupt(); });
    if (!next.ok()) return Fail(vtab, state, next.status());
    if (next->rows == nullptr) {
      cursor.eof = true;
      cursor.stream.reset();
      return SQLITE_OK;
    }
    cursor.chunk = std::move(*next);
    cursor.row = 0;
  }
  cursor.rows = cursor.chunk.rows.get();
  ++cursor.rowid;
  return SQLITE_OK;
}

// The text SQLite compares a value with, or nullopt for NULL (which equals
// nothing). Not-text values are compared as their text: the rows returned
// are a superset, which SQLite checks again.
std::optional<std::string> LookupText(sqlite3_value* value) {
  if (sqlite3_value_type(value) == SQLITE_NULL) return std::nullopt;
  const auto* text = reinterpret_cast<const char*>(sqlite3_value_text(value));
  if (text == nullptr) return std::nullopt;
  return std::string(text, size_t(sqlite3_value_bytes(value)));
}

int Filter(sqlite3_vtab_cursor* base, int plan, const char*, int argc, sqlite3_value** argv) {
  CursorState& cursor = StateOf(base);
  sqlite3_vtab* const vtab = base->pVtab;
  cursor.stream.reset();  // ends the previous scan, if any
  cursor.chunk = SqlRowStream::Chunk{};
  cursor.walk_index = false;
  cursor.positions.reset();
  cursor.next = 0;
  cursor.rows = nullptr;
  cursor.row = static_cast<size_t>(-1);  // Advance moves to row 0 of the first chunk
  cursor.rowid = 0;
  cursor.eof = true;
  ProfilesTableData& data = cursor.data;
  SqlRunState& state = *data.source->state;
  if (data.source->persons == nullptr) return SQLITE_OK;  // no profiles at all
  if (plan == kScanAll && !data.index.built) {
    cursor.stream = StartStream(*data.source);
    cursor.eof = false;
    return Advance(vtab, cursor);
  }
  if (plan != kScanAll) {
    if (argc != 1) {
      SetVtabError(vtab, "profiles: malformed plan");
      return SQLITE_INTERNAL;
    }
    if (Status built = BuildIndex(data); !built.ok()) {
      data.index = ProfileIndex{};  // what was read is let go (and its charges)
      return Fail(vtab, state, built);
    }
    std::vector<std::string> ids;
    if (plan == kLookUpId) {
      if (std::optional<std::string> id = LookupText(argv[0])) ids.push_back(std::move(*id));
    } else {
      sqlite3_value* value = nullptr;
      int rc = sqlite3_vtab_in_first(argv[0], &value);
      for (; rc == SQLITE_OK && value != nullptr; rc = sqlite3_vtab_in_next(argv[0], &value)) {
        if (std::optional<std::string> id = LookupText(value)) ids.push_back(std::move(*id));
      }
      if (rc != SQLITE_OK && rc != SQLITE_DONE) return rc;
    }
    std::sort(ids.begin(), ids.end());
    ids.erase(std::unique(ids.begin(), ids.end()), ids.end());
    cursor.positions.emplace();
    for (const std::string& id : ids) {
      const auto found = data.index.by_id.find(id);
      if (found != data.index.by_id.end()) cursor.positions->push_back(found->second);
    }
  }
  cursor.walk_index = true;
  cursor.eof = false;
  return Advance(vtab, cursor);
}

int BestIndex(sqlite3_vtab*, sqlite3_index_info* info) {
  for (int i = 0; i < info->nConstraint; ++i) {
    const auto& constraint = info->aConstraint[i];
    if (!constraint.usable || constraint.iColumn != int(kProfileId) ||
        constraint.op != SQLITE_INDEX_CONSTRAINT_EQ) {
      continue;
    }
    // Ids are compared byte for byte: another collation may match others.
    const char* collation = sqlite3_vtab_collation(info, i);
    if (collation != nullptr && sqlite3_stricmp(collation, "BINARY") != 0) continue;
    const bool in = sqlite3_vtab_in(info, i, -1) != 0;
    if (in) sqlite3_vtab_in(info, i, 1);
    info->aConstraintUsage[i].argvIndex = 1;
    info->aConstraintUsage[i].omit = 0;  // SQLite checks every row again
    info->idxNum = in ? kLookUpIds : kLookUpId;
    info->estimatedRows = in ? 10 : 1;
    info->estimatedCost = in ? 10 : 1;
    if (!in) info->idxFlags |= SQLITE_INDEX_SCAN_UNIQUE;
    return SQLITE_OK;
  }
  info->idxNum = kScanAll;
  info->estimatedRows = static_cast<sqlite3_int64>(kGuessedProfiles);
  info->estimatedCost = kGuessedProfiles + 1000;
  return SQLITE_OK;
}

int Connect(sqlite3* db, void* client_data, int, const char* const*, sqlite3_vtab** out,
            char** error) {
  const std::string create(ProfilesTableSql());
  if (const int rc = sqlite3_declare_vtab(db, create.c_str()); rc != SQLITE_OK) {
    *error = sqlite3_mprintf("profiles: %s", sqlite3_errmsg(db));
    return rc;
  }
  auto* table = new (std::nothrow) ProfilesTable{};
  if (table == nullptr) return SQLITE_NOMEM;
  table->data = static_cast<ProfilesTableData*>(client_data);
  *out = &table->base;
  return SQLITE_OK;
}

int Disconnect(sqlite3_vtab* vtab) {
  delete reinterpret_cast<ProfilesTable*>(vtab);
  return SQLITE_OK;
}

int Open(sqlite3_vtab* vtab, sqlite3_vtab_cursor** out) {
  return Guard(vtab, [&] {
    auto cursor = std::make_unique<ProfilesCursor>();
    cursor->state = new CursorState(DataOf(vtab));
    *out = &cursor.release()->base;
    return SQLITE_OK;
  });
}

int Close(sqlite3_vtab_cursor* base) {
  auto* cursor = reinterpret_cast<ProfilesCursor*>(base);
  delete cursor->state;  // stops its stream
  delete cursor;
  return SQLITE_OK;
}

int FilterGuarded(sqlite3_vtab_cursor* base, int plan, const char* plan_text, int argc,
                  sqlite3_value** argv) {
  return Guard(base->pVtab, [&] { return Filter(base, plan, plan_text, argc, argv); });
}

int Next(sqlite3_vtab_cursor* base) {
  return Guard(base->pVtab, [&] { return Advance(base->pVtab, StateOf(base)); });
}

int Eof(sqlite3_vtab_cursor* base) { return StateOf(base).eof ? 1 : 0; }

int Column(sqlite3_vtab_cursor* base, sqlite3_context* context, int index) {
  const CursorState& cursor = StateOf(base);
  if (index < 0 || index >= int(kProfilesColumns) || cursor.rows == nullptr) {
    SetVtabError(base->pVtab, "profiles: a column was read off the table");
    return SQLITE_INTERNAL;
  }
  ResultSqlCell(context, *cursor.rows, cursor.rows->cell(cursor.row, size_t(index)));
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

const sqlite3_module kProfilesModule = ReadOnlyEponymousModule({.connect = ConnectGuarded,
                                                                .best_index = BestIndexGuarded,
                                                                .disconnect = Disconnect,
                                                                .open = Open,
                                                                .close = Close,
                                                                .filter = FilterGuarded,
                                                                .next = Next,
                                                                .eof = Eof,
                                                                .column = Column,
                                                                .rowid = Rowid});

void DestroyData(void* data) { delete static_cast<ProfilesTableData*>(data); }

}  // namespace

Status RegisterProfilesTable(sqlite3* db, std::unique_ptr<ProfilesTableSource> source) {
  auto data = std::make_unique<ProfilesTableData>();
  data->source = std::move(source);
  // On failure SQLite calls the destructor itself, so ownership passes now.
  const int rc =
      sqlite3_create_module_v2(db, "profiles", &kProfilesModule, data.release(), DestroyData);
  if (rc != SQLITE_OK) {
    return Status::Internal(
        fmt::format("sql: registering the profiles table: {}", sqlite3_errstr(rc)));
  }
  return Status::Ok();
}

}  // namespace cdp::query
