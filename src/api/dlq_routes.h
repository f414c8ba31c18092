#pragma once

#include "auth/secret_key_authenticator.h"
#include "http/router.h"
#include "ingest/dead_letter_replayer.h"
#include "meta/dead_letter_store.h"

namespace cdp::api {

// The dead-letter queue of ingestion (secret key):
//   GET  /dlq?limit=&cursor=  dead letters, newest first: id, received_at,
//                             status, reason {error, field} and the event
//   GET  /dlq/{id}            one dead letter with its replay attempts
//   POST /dlq/replay          {"ids": [...]} or {"all": true} (the oldest
//                             1,000 pending ones): re-runs the schema check
//                             and appends what passes; the result per letter
// Every argument must outlive the router.
void AddDeadLetterRoutes(http::Router& router, DeadLetterStore& dead_letters,
                         ingest::DeadLetterReplayer& replayer,
                         const SecretKeyAuthenticator& secret_keys);

}  // namespace cdp::api
