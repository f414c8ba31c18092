#include "query/sql/sql_authorizer.h"

#include <fmt/format.h>
#include <sqlite3.h>

#include <algorithm>
#include <cctype>

namespace cdp::query {

namespace {

// The pure functions of SQLite 3.40 (as this build lists them in
// pragma_function_list), lowercase. Left out on purpose: load_extension (loads code),
// fts3_tokenizer (registers a tokenizer from a pointer), sqlite_log (writes to
// the server's log), changes / total_changes / last_insert_rowid (nothing
// writes), sqlite_compileoption_* (build details), the FTS and R-Tree helpers
// (no such tables can exist) and SQLite's internal functions.
constexpr std::string_view kAllowedFunctions[] = {
    "->",
    "->>",
    "abs",
    "acos",
    "acosh",
    "asin",
    "asinh",
    "atan",
    "atan2",
    "atanh",
    "avg",
    "ceil",
    "ceiling",
    "char",
    "coalesce",
    "cos",
    "cosh",
    "count",
    "cume_dist",
    "current_date",
    "current_time",
    "current_timestamp",
    "date",
    "datetime",
    "degrees",
    "dense_rank",
    "exp",
    "first_value",
    "floor",
    "format",
    "glob",
    "group_concat",
    "hex",
    "ifnull",
    "iif",
    "instr",
    "json",
    "json_array",
    "json_array_length",
    "json_extract",
    "json_group_array",
    "json_group_object",
    "json_insert",
    "json_object",
    "json_patch",
    "json_quote",
    "json_remove",
    "json_replace",
    "json_set",
    "json_type",
    "json_valid",
    "julianday",
    "lag",
    "last_value",
    "lead",
    "length",
    "like",
    "likelihood",
    "likely",
    "ln",
    "log",
    "log10",
    "log2",
    "lower",
    "ltrim",
    "max",
    "min",
    "mod",
    "nth_value",
    "ntile",
    "nullif",
    "percent_rank",
    "pi",
    "pow",
    "power",
    "printf",
    "quote",
    "radians",
    "random",
    "randomblob",
    "rank",
    "replace",
    "round",
    "row_number",
    "rtrim",
    "sign",
    "sin",
    "sinh",
    "soundex",
    "sqlite_version",
    "sqrt",
    "strftime",
    "substr",
    "substring",
    "sum",
    "tan",
    "tanh",
    "time",
    "total",
    "trim",
    "trunc",
    "typeof",
    "unicode",
    "unixepoch",
    "unlikely",
    "upper",
    "zeroblob",
};

std::string Lowercase(std::string_view text) {
  std::string lower(text);
  for (char& c : lower) c = static_cast<char>(std::tolower(static_cast<unsigned char>(c)));
  return lower;
}

std::string_view Arg(const char* arg) { return arg == nullptr ? std::string_view() : arg; }

// What a refused action is called, for the message.
std::string_view ActionName(int action) {
  switch (action) {
    case SQLITE_INSERT:
      return "INSERT";
    case SQLITE_UPDATE:
      return "UPDATE";
    case SQLITE_DELETE:
      return "DELETE";
    case SQLITE_CREATE_INDEX:
    case SQLITE_CREATE_TEMP_INDEX:
      return "CREATE INDEX";
    case SQLITE_CREATE_TABLE:
    case SQLITE_CREATE_TEMP_TABLE:
      return "CREATE TABLE";
    case SQLITE_CREATE_TRIGGER:
    case SQLITE_CREATE_TEMP_TRIGGER:
      return "CREATE TRIGGER";
    case SQLITE_CREATE_VIEW:
    case SQLITE_CREATE_TEMP_VIEW:
      return "CREATE VIEW";
    case SQLITE_CREATE_VTABLE:
      return "CREATE VIRTUAL TABLE";
    case SQLITE_DROP_INDEX:
    case SQLITE_DROP_TEMP_INDEX:
    case SQLITE_DROP_TABLE:
    case SQLITE_DROP_TEMP_TABLE:
    case SQLITE_DROP_TRIGGER:
    case SQLITE_DROP_TEMP_TRIGGER:
    case SQLITE_DROP_VIEW:
    case SQLITE_DROP_TEMP_VIEW:
    case SQLITE_DROP_VTABLE:
      return "DROP";
    case SQLITE_ALTER_TABLE:
      return "ALTER TABLE";
    case SQLITE_PRAGMA:
      return "PRAGMA";
    case SQLITE_TRANSACTION:
      return "BEGIN / COMMIT / ROLLBACK";
    case SQLITE_SAVEPOINT:
      return "SAVEPOINT";
    case SQLITE_ATTACH:
      return "ATTACH (and VACUUM)";
    case SQLITE_DETACH:
      return "DETACH";
    case SQLITE_REINDEX:
      return "REINDEX";
    case SQLITE_ANALYZE:
      return "ANALYZE";
    default:
      return "this statement";
  }
}

SqlAuthorization Allow() { return {true, {}}; }
SqlAuthorization Refuse(std::string refusal) { return {false, std::move(refusal)}; }

}  // namespace

bool IsAllowedSqlFunction(std::string_view name) {
  const std::string lower = Lowercase(name);
  return std::find(std::begin(kAllowedFunctions), std::end(kAllowedFunctions), lower) !=
         std::end(kAllowedFunctions);
}

SqlAuthorizer::SqlAuthorizer(std::vector<std::string> module_names) {
  for (const std::string& name : module_names) modules_.insert(Lowercase(name));
}

// Whatever the database the query names: the readable tables are eponymous,
// and SQLite finds them as "temp.events" too (no other table can exist).
bool SqlAuthorizer::IsReadableTable(std::string_view table) const {
  const std::string name = Lowercase(table);
  return std::find(std::begin(kSqlReadableTables), std::end(kSqlReadableTables), name) !=
         std::end(kSqlReadableTables);
}

SqlAuthorization SqlAuthorizer::Authorize(int action, const char* arg1, const char* arg2,
                                          const char* database) const {
  switch (action) {
    case SQLITE_SELECT:
    case SQLITE_RECURSIVE:
      return Allow();
    case SQLITE_READ: {
      if (IsReadableTable(Arg(arg1))) return Allow();
      // A whole table named as written, unqualified: a CTE unless it is a
      // schema table or an eponymous table of a module.
      const std::string name = Lowercase(Arg(arg1));
      const bool whole_table = Arg(arg2).empty();
      if (whole_table && database == nullptr && !name.starts_with("sqlite_") &&
          modules_.count(name) == 0) {
        return Allow();
      }
      return Refuse(fmt::format(
          "reading the table {} is not allowed: queries read the events and profiles tables",
          Arg(arg1)));
    }
    case SQLITE_FUNCTION:
      if (IsAllowedSqlFunction(Arg(arg2))) return Allow();
      return Refuse(fmt::format("the function {}() is not allowed", Arg(arg2)));
    case SQLITE_INSERT:
    case SQLITE_UPDATE:
    case SQLITE_DELETE:
      // Creating or dropping anything writes the schema table first.
      if (Lowercase(Arg(arg1)).starts_with("sqlite_")) {
        return Refuse(
            "creating, changing or dropping tables, views, indexes or triggers is not allowed: "
            "custom SQL runs SELECT statements only");
      }
      [[fallthrough]];
    default:
      return Refuse(fmt::format("{} is not allowed: custom SQL runs SELECT statements only",
                                ActionName(action)));
  }
}

}  // namespace cdp::query
