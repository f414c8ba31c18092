#pragma once

#include "api/api_routes.h"
#include "api/audit_recorder.h"
#include "ingest/schema_gate.h"
#include "meta/schema_registry.h"

namespace cdp::api {

// The workspace's schema registry (read to list; admin to change):
//   GET    /schemas                              every event with its properties
//                                                and their types, and every
//                                                property once
//   PUT    /schemas/properties/{section}/{name}  {"type": "number"}: change a
//                                                registered type (the fix before
//                                                a dead-letter replay)
//   DELETE /schemas/properties/{section}/{name}  forget a property; the next
//                                                event registers its type afresh
// Changes and deletions are audited (schema.property.change_type with
// {"from", "to"} types, schema.property.delete; target "<section>.<name>").
// Every argument must outlive the router.
void AddSchemaRoutes(ApiRoutes& routes, const AuditRecorder& audit, SchemaRegistry& registry,
                     ingest::SchemaGate& gate);

}  // namespace cdp::api
