#pragma once

#include <string>

#include "api/api_routes.h"
#include "query/service/query_service.h"

namespace cdp::api {

// The query API (read permission; docs/openapi.yaml has the details):
//   POST   /query/events|trends|funnel|retention|session|paths|sql
//            runs the analysis on the query pool (never on the event loop):
//            200 {"kind", "result", "cache_hit", "duration_ms", "rows"};
//            503 with Retry-After when the pool's queue is full
//   POST   /query/async        {"kind": "funnel", "request": {...}}
//            202 {"id", "kind", "status": "queued"} and a Location header
//   GET    /query/async/{id}   {"id", "kind", "status", "progress",
//            "created_at", "started_at"?, "finished_at"?, "cancel_requested",
//            "result"? (the envelope above), "error"? {"code" (the HTTP
//            status the query alone would get), "message", "field" (a path
//            into "request", or null)}}
//   DELETE /query/async/{id}   cancels it; answers the job as GET does
// A job of another workspace is 404, like an unknown one.
// `service` must outlive the router; stop the service (QueryService::Stop)
// before the HTTP server goes, since its pool holds replies.
void AddQueryRoutes(ApiRoutes& routes, query::QueryService& service);

// The service's counters in the Prometheus text format (for GET /metrics):
//   cdp_query_total, cdp_query_cache_hits_total, cdp_query_failed_total,
//   cdp_query_refused_total
std::string QueryMetricsText(const query::QueryServiceCounters& counters);

}  // namespace cdp::api
