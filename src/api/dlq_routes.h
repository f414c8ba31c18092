#pragma once

#include "api/api_routes.h"
#include "api/audit_recorder.h"
#include "ingest/dead_letter_replayer.h"
#include "meta/dead_letter_store.h"

namespace cdp::api {

// The dead-letter queue of ingestion (read to list; admin to replay):
//   GET  /dlq?limit=&cursor=  dead letters, newest first: id, received_at,
//                             status, reason {error, field} and the event
//   GET  /dlq/{id}            one dead letter with its replay attempts
//   POST /dlq/replay          {"ids": [...]} or {"all": true} (the oldest
//                             1,000 pending ones): re-runs the schema check
//                             and appends what passes; the result per letter
// A replay is audited (dead_letter.replay) with its counts per outcome and
// the ids, never the events.
// Every argument must outlive the router.
void AddDeadLetterRoutes(ApiRoutes& routes, const AuditRecorder& audit,
                         DeadLetterStore& dead_letters, ingest::DeadLetterReplayer& replayer);

}  // namespace cdp::api
