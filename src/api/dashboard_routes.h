#pragma once

#include <functional>

#include "api/api_routes.h"
#include "api/audit_recorder.h"
#include "core/clock.h"
#include "meta/query_library.h"
#include "query/query_runner.h"

namespace cdp::api {

struct DashboardRoutesOptions {
  // Where GET /dashboards/{id}?results=true runs its widgets' queries, so that
  // they never hold an event loop: called with the work, it runs it once on
  // any thread and returns true, or returns false (dropping it) when it is
  // too busy, which answers 503. Empty: the work runs at once on the calling
  // thread (tests; a server should pass its query pool's TrySubmit). The
  // executor must finish its work before the HTTP server is destroyed.
  std::function<bool(std::function<void()> work)> run_widgets;
};

// The workspace's dashboards (read to list and get; build to create, change
// and delete). A dashboard is
//   {"id", "name", "description", "widgets": [widget...], "created_at", "updated_at"}
// and a widget, one tile showing a saved query of the same workspace,
//   {"id", "saved_query_id", "title" (null when none),
//    "layout": {"x", "y", "w", "h"}}
// with x and y from 0 to 1000 and w and h from 1 to 100 (grid units).
//
//   POST   /dashboards                  {"name", "description"?, "widgets"?:
//                                       [{"saved_query_id", "title"?, "layout"}]}:
//                                       201 with the dashboard (widget ids given)
//   GET    /dashboards?limit=&cursor=   {"results": [...], "next_cursor"}, newest
//                                       first, with their widgets; limit 1 to
//                                       1000, default 100
//   GET    /dashboards/{id}             the dashboard; with ?results=true every
//                                       widget also carries its query's answer,
//                                       "answer": {"kind", "result", "cache_hit",
//                                       "duration_ms", "rows"} (the envelope of
//                                       POST /query/<kind>), or its failure,
//                                       "error": {"code" (the HTTP status the
//                                       query alone would get), "message",
//                                       "field" (a path into the saved query's
//                                       request, or null)}: one broken widget
//                                       never fails the dashboard
//   PUT    /dashboards/{id}             any of "name", "description", "widgets":
//                                       each one given replaces the stored one
//                                       (widgets as a whole list). A widget may
//                                       give the "id" of one of the dashboard's
//                                       widgets to keep it; one without gets a
//                                       new id
//   DELETE /dashboards/{id}             204; the saved queries stay
//
// The widgets of a dashboard run one after the other: each analysis already
// spreads its scan over every core (QueryContext::parallelism), so running
// them side by side would only make them compete, and a dashboard's memory
// stays that of one query at a time.
// An id of another workspace is 404, as an unknown one; a widget naming a
// saved query of another workspace is 400 (field
// "widgets[i].saved_query_id"). Every invalid field is a 400 naming it;
// unknown fields are refused.
// A deletion is audited (dashboard.delete, with the dashboard's name).
// Every argument must outlive the router.
void AddDashboardRoutes(ApiRoutes& routes, const AuditRecorder& audit, QueryLibrary& library,
                        query::QueryRunner& runner, const Clock& clock,
                        DashboardRoutesOptions options = {});

}  // namespace cdp::api
