#pragma once

#include "http/router.h"
#include "ingest/ingest_service.h"

namespace cdp::api {

struct IngestRoutesOptions {
  // How many reverse proxies in front of cdp are trusted to append the
  // client's address to X-Forwarded-For (0: none; the peer address is the
  // client's). With N, the N-th address from the right is the client's.
  int trusted_proxies = 0;
};

// The ingestion endpoints (RouteAccess::kIngestion: authenticated by the
// ingest service with a write key, or an admin secret key, not by the API's
// access guard; browsers of the CDP_CORS_ORIGINS origins, without cookies):
//   POST /v1/track /v1/identify /v1/page /v1/screen /v1/group /v1/alias
//   POST /v1/batch /v1/import      the Segment HTTP Tracking API, and the
//                                  same paths without /v1
//   POST /capture                  PostHog-style capture (one event or a batch)
// POST /batch takes a capture batch when its body has a top-level "api_key",
// else a Segment batch.
//
// Answers: 200 {"success": true, "accepted": n, "duplicates": n,
// "rejected": [{"index", "status", "field", "error"}]} when the request
// stands; a batch whose items were all refused still gets 200, with each
// refusal listed. A single event that was refused gets its error's status
// (400, 413, 422) and error body. Whole-request failures: 400 (not JSON),
// 401, 413, 429, 503. X-RateLimit-Limit / -Remaining / -Reset on every answer
// that reached the rate limiter. `service` must outlive the router.
void AddIngestRoutes(http::Router& router, const ingest::IngestService& service,
                     IngestRoutesOptions options);

// The service's counters in the Prometheus text format:
//   cdp_ingest_events_total{outcome="accepted|duplicate|rejected"}
//   cdp_ingest_dead_letters_total
//   cdp_ingest_refused_requests_total{status="429"}
std::string IngestMetricsText(const ingest::IngestCounters& counters);

}  // namespace cdp::api
