#pragma once

#include <cstdint>
#include <optional>
#include <ostream>
#include <string>
#include <string_view>
#include <variant>
#include <vector>

#include "core/result.h"
#include "model/event.h"
#include "query/person_directory.h"
#include "query/sql/sql_query.h"
#include "store/event_store.h"

namespace cdp::query::testing {

// A result value as the tests compare them: null, integer, real or text.
using SqlTestValue = std::variant<std::monostate, int64_t, double, std::string>;
using SqlTestRow = std::vector<SqlTestValue>;

// A parsed POST /query/sql result object.
struct SqlTestResult {
  std::vector<std::string> column_names;
  std::vector<std::string> column_types;
  std::vector<SqlTestRow> rows;
  bool truncated = false;
  uint64_t rows_scanned = 0;
};

// The request body {"query": sql, "limit": ..., "timeout_seconds": ...}.
std::string SqlBody(std::string_view sql, std::optional<int64_t> limit = std::nullopt,
                    std::optional<int64_t> timeout_seconds = std::nullopt);

// Runs `sql` for `workspace` (parallelism 2), persons resolved through
// `persons` (nullptr: nobody merged, no profiles), and parses the result.
Result<SqlTestResult> RunSql(EventStore& store, std::string_view workspace, std::string_view sql,
                             const SqlLimits& limits = {},
                             const PersonDirectory* persons = nullptr);
Result<SqlTestResult> ParseSqlResult(std::string_view json);

// How the events table shows a time, for references: the same text the SQL
// sees ("2026-01-02T03:04:05.000006Z").
std::string TimeText(TimePoint t);

std::string ToString(const SqlTestValue& value);
std::string ToString(const SqlTestRow& row);

}  // namespace cdp::query::testing

namespace std {
// For gtest's messages.
inline ostream& operator<<(ostream& out, const cdp::query::testing::SqlTestValue& value) {
  return out << cdp::query::testing::ToString(value);
}
}  // namespace std
