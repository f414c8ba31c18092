#include "query/sql/sql_test_util.h"

#include <fmt/format.h>
#include <simdjson.h>

#include "core/json_writer.h"
#include "query/sql/sql_time_text.h"

namespace cdp::query::testing {

std::string SqlBody(std::string_view sql, std::optional<int64_t> limit,
                    std::optional<int64_t> timeout_seconds) {
  JsonWriter body;
  body.BeginObject().Key("query").String(sql);
  if (limit) body.Key("limit").Int(*limit);
  if (timeout_seconds) body.Key("timeout_seconds").Int(*timeout_seconds);
  body.EndObject();
  return std::move(body).Take();
}

Result<SqlTestResult> RunSql(EventStore& store, std::string_view workspace, std::string_view sql,
                             const SqlLimits& limits, const PersonDirectory* persons) {
  QueryContext context;
  context.workspace_id = std::string(workspace);
  context.persons = persons;
  CDP_ASSIGN_OR_RETURN(const QueryOutput output,
                       RunSqlQueryWithLimits(context, store, SqlBody(sql, 100'000), limits));
  CDP_ASSIGN_OR_RETURN(SqlTestResult result, ParseSqlResult(output.json));
  if (output.rows != result.rows.size()) return Status::Internal("QueryOutput::rows is wrong");
  return result;
}

Result<SqlTestResult> ParseSqlResult(std::string_view json) {
  simdjson::dom::parser parser;
  const simdjson::padded_string padded(json);
  simdjson::dom::element root;
  if (parser.parse(padded).get(root) != simdjson::SUCCESS) {
    return Status::Internal("the result is not JSON: " + std::string(json));
  }
  SqlTestResult result;
  const auto fail = [&] {
    return Status::Internal("unexpected result shape: " + std::string(json));
  };
  simdjson::dom::array columns;
  simdjson::dom::array rows;
  if (root["columns"].get(columns) || root["rows"].get(rows) ||
      root["truncated"].get(result.truncated) || root["rows_scanned"].get(result.rows_scanned)) {
    return fail();
  }
  for (simdjson::dom::element column : columns) {
    std::string_view name;
    std::string_view type;
    if (column["name"].get(name) || column["type"].get(type)) return fail();
    result.column_names.emplace_back(name);
    result.column_types.emplace_back(type);
  }
  for (simdjson::dom::element row : rows) {
    simdjson::dom::array values;
    if (row.get(values)) return fail();
    SqlTestRow& out = result.rows.emplace_back();
    for (simdjson::dom::element value : values) {
      switch (value.type()) {
        case simdjson::dom::element_type::NULL_VALUE:
          out.emplace_back(std::monostate{});
          break;
        case simdjson::dom::element_type::INT64:
          out.emplace_back(int64_t(value.get_int64()));
          break;
        case simdjson::dom::element_type::DOUBLE:
          out.emplace_back(double(value.get_double()));
          break;
        case simdjson::dom::element_type::STRING:
          out.emplace_back(std::string(std::string_view(value.get_string())));
          break;
        default:
          return fail();
      }
    }
  }
  return result;
}

std::string TimeText(TimePoint t) { return SqlTimeText(UnixMicros(t)); }

std::string ToString(const SqlTestValue& value) {
  if (std::holds_alternative<std::monostate>(value)) return "NULL";
  if (const auto* integer = std::get_if<int64_t>(&value)) return std::to_string(*integer);
  if (const auto* real = std::get_if<double>(&value)) return fmt::format("{}r", *real);
  return "'" + std::get<std::string>(value) + "'";
}

std::string ToString(const SqlTestRow& row) {
  std::string text = "(";
  for (size_t i = 0; i < row.size(); ++i) {
    if (i > 0) text += ", ";
    text += ToString(row[i]);
  }
  return text + ")";
}

}  // namespace cdp::query::testing
