#pragma once

#include <cstdint>
#include <string>
#include <string_view>

#include "core/result.h"
#include "query/query_kind.h"

namespace cdp::query {

// One answered query, as the API returns it.
struct QueryAnswer {
  std::string result_json;  // the analysis's result object
  uint64_t rows = 0;
  bool cache_hit = false;
  double duration_ms = 0;
};

// Runs a query of any kind for a workspace, through the result cache where
// the kind allows it (never for SQL), and writes the query log line. The
// query routes, async jobs and dashboards all go through it; QueryService
// (query/service/query_service.h) is the implementation.
// Thread safety: Run may be called from any thread.
class QueryRunner {
 public:
  virtual ~QueryRunner() = default;
  // Errors: those of the analysis (BadRequest naming the field, ...).
  virtual Result<QueryAnswer> Run(std::string_view workspace_id, QueryKind kind,
                                  std::string_view body, const QueryContext* context = nullptr) = 0;
};

}  // namespace cdp::query
