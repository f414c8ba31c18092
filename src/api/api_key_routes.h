#pragma once

#include "api/api_routes.h"
#include "api/audit_recorder.h"
#include "auth/api_key_service.h"

namespace cdp::api {

// The workspace's API keys (admin). A key is listed as
//   {"id", "kind": "write"|"secret", "scope": "ingest"|"read"|"admin", "name",
//    "masked_key": "sk_4f9Qa…", "created_by", "created_at", "revoked_at"|null}
// and never with its hash or the key itself, which only the answer to its
// creation holds.
//
//   GET    /api-keys       {"results": [...], "next_cursor": null}, revoked
//                          keys included, oldest first.
//   POST   /api-keys       {"kind", "scope", "name"}: kind required; scope
//                          "read" or "admin", required for a secret key;
//                          "ingest" for a write key, which may omit it; name
//                          optional. 201 with the listing fields and "key".
//   DELETE /api-keys/{id}  204: revoked now (again: still 204); 404 for a key
//                          of another workspace or none. A secret key stops
//                          working at once, a write key within the ingestion
//                          cache's TTL (30 s).
// Creations and revocations are audited api_key.create and api_key.revoke,
// with {"kind", "scope", "name", "masked_key"}.
// Every argument must outlive the router.
void AddApiKeyRoutes(ApiRoutes& routes, const AuditRecorder& audit, ApiKeyService& keys);

}  // namespace cdp::api
