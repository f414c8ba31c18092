#pragma once

#include "api/api_routes.h"
#include "meta/audit_log.h"

namespace cdp::api {

// The workspace's audit log (admin):
//
//   GET /audit?action=&actor_id=&target_id=&since=&until=&limit=&cursor=
//     {"results": [{"id", "at", "actor": {"kind", "id", "label"}, "action",
//      "target": {"kind", "id"}, "details": {...}, "ip", "request_id"}],
//      "next_cursor"}, newest first.
//   action: exact ("member.add") or a prefix ending in '.' ("member.");
//   since (inclusive) and until (exclusive): ISO-8601 times or dates, as
//   elsewhere in the API; limit 1 to 1000 (100 by default); cursor from the
//   previous page. A malformed one is a 400 naming it.
// Every argument must outlive the router.
void AddAuditRoutes(ApiRoutes& routes, AuditLog& log);

}  // namespace cdp::api
