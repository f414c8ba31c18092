#pragma once

#include "auth/secret_key_authenticator.h"
#include "http/router.h"
#include "ingest/schema_gate.h"
#include "meta/schema_registry.h"

namespace cdp::api {

// The workspace's schema registry (secret key):
//   GET    /schemas                              every event with its properties
//                                                and their types, and every
//                                                property once
//   PUT    /schemas/properties/{section}/{name}  {"type": "number"}: change a
//                                                registered type (the fix before
//                                                a dead-letter replay)
//   DELETE /schemas/properties/{section}/{name}  forget a property; the next
//                                                event registers its type afresh
// Every argument must outlive the router.
void AddSchemaRoutes(http::Router& router, SchemaRegistry& registry, ingest::SchemaGate& gate,
                     const SecretKeyAuthenticator& secret_keys);

}  // namespace cdp::api
