#pragma once

#include "api/api_routes.h"
#include "api/audit_recorder.h"
#include "core/clock.h"
#include "meta/query_library.h"

namespace cdp::api {

// The workspace's saved queries (read to list and get; build to create,
// change and delete). A saved query is
//   {"id", "name", "kind", "request": {...}, "created_at", "updated_at"}
// where kind is an analysis of POST /query/<kind> (events, trends, funnel,
// retention, session, paths, sql) and request its body, kept as given (the
// analysis validates it when it runs, so a saved query never goes stale by
// being refused at save time). Names need not be unique.
//
//   POST   /queries                 {"name", "kind", "request"}, all required:
//                                   201 with the saved query
//   GET    /queries?limit=&cursor=  {"results": [...], "next_cursor"}, newest
//                                   first; limit 1 to 1000, default 100
//   GET    /queries/{id}            the saved query
//   PUT    /queries/{id}            any of "name", "kind", "request": each one
//                                   given replaces the stored one, the others
//                                   stay (a partial update); the saved query
//   DELETE /queries/{id}            204; 409 (field "id") naming the
//                                   dashboards that show it, which must drop
//                                   those widgets first
//
// An id of another workspace is 404, as an unknown one. Every invalid field
// is a 400 naming it; unknown fields are refused.
// A deletion is audited (saved_query.delete, with the query's name).
// Every argument must outlive the router.
void AddSavedQueryRoutes(ApiRoutes& routes, const AuditRecorder& audit, QueryLibrary& library,
                         const Clock& clock);

}  // namespace cdp::api
