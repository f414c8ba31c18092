#pragma once

#include <cstddef>

#include "http/cors.h"
#include "http/reply.h"
#include "http/request.h"
#include "http/router.h"

namespace cdp::http {

// What happens to a complete request between the transport and a handler,
// independent of sockets so that it can be tested directly:
//   1. CORS preflight answered from the router's method list;
//   2. Content-Encoding decoded, with a limit on the decoded size;
//   3. routed (404 / 405 as JSON errors) and handed to the handler, with the
//      route's pattern, parameters and access recorded on the request.
// Finalize adds the headers every response carries.
// CORS goes by route: the ingestion routes (RouteAccess::kIngestion) answer
// by the `ingestion` policy (open, without credentials), every other route,
// and a path no route matches, by the `api` policy (the console's origins,
// with credentials). Preflights choose the same way, by the path's pattern.
// Thread safety: immutable; Dispatch and Finalize may run on any thread.
class RequestPipeline {
 public:
  // REQUIRES: `router` outlives this.
  RequestPipeline(const Router& router, CorsPolicy ingestion, CorsPolicy api,
                  size_t max_decoded_body_bytes);

  void Dispatch(Request& request, Reply reply) const;
  // Adds X-Request-Id and the CORS headers for the request's Origin.
  void Finalize(const Request& request, Response& response) const;

 private:
  const CorsPolicy& PolicyFor(const Request& request) const;

  const Router& router_;
  CorsPolicy ingestion_cors_;
  CorsPolicy api_cors_;
  size_t max_decoded_body_bytes_;
};

}  // namespace cdp::http
