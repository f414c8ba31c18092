#include "query/service/query_answer_json.h"

namespace cdp::query {

void WriteQueryAnswer(JsonWriter& out, QueryKind kind, const QueryAnswer& answer) {
  out.BeginObject()
      .Key("kind")
      .String(QueryKindName(kind))
      .Key("result")
      .Raw(answer.result_json)
      .Key("cache_hit")
      .Bool(answer.cache_hit)
      .Key("duration_ms")
      .Double(answer.duration_ms)
      .Key("rows")
      .Uint(answer.rows)
      .EndObject();
}

std::string QueryAnswerJson(QueryKind kind, const QueryAnswer& answer) {
  JsonWriter out;
  WriteQueryAnswer(out, kind, answer);
  return std::move(out).Take();
}

}  // namespace cdp::query
