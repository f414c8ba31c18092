#include "query/query_kind.h"

namespace cdp::query {

std::string_view QueryKindName(QueryKind kind) {
  switch (kind) {
    case QueryKind::kEvents:
      return "events";
    case QueryKind::kTrends:
      return "trends";
    case QueryKind::kFunnel:
      return "funnel";
    case QueryKind::kRetention:
      return "retention";
    case QueryKind::kSession:
      return "session";
    case QueryKind::kPaths:
      return "paths";
    case QueryKind::kSql:
      return "sql";
  }
  return "";
}

std::optional<QueryKind> ParseQueryKind(std::string_view name) {
  for (const QueryKind kind : kQueryKinds) {
    if (QueryKindName(kind) == name) return kind;
  }
  return std::nullopt;
}

}  // namespace cdp::query
