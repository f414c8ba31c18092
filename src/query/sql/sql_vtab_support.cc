#include "query/sql/sql_vtab_support.h"

#include "query/sql/sql_time_text.h"

namespace cdp::query {

void SetVtabError(sqlite3_vtab* table, std::string_view message) {
  sqlite3_free(table->zErrMsg);
  table->zErrMsg = sqlite3_mprintf("%.*s", static_cast<int>(message.size()), message.data());
}

void ResultSqlCell(sqlite3_context* context, const RowChunk& rows, const SqlCell& cell) {
  switch (cell.kind) {
    case SqlCell::Kind::kNull:
      sqlite3_result_null(context);
      break;
    case SqlCell::Kind::kInteger:
      sqlite3_result_int64(context, cell.integer);
      break;
    case SqlCell::Kind::kReal:
      sqlite3_result_double(context, cell.real);
      break;
    case SqlCell::Kind::kText: {
      const std::string_view text = rows.Text(cell);
      sqlite3_result_text64(context, text.data(), text.size(), SQLITE_TRANSIENT, SQLITE_UTF8);
      break;
    }
    case SqlCell::Kind::kTime: {
      char text[kSqlTimeTextSize];
      FormatSqlTime(cell.integer, text);
      sqlite3_result_text(context, text, kSqlTimeTextSize, SQLITE_TRANSIENT);
      break;
    }
  }
}

}  // namespace cdp::query
