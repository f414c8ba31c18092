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
//   3. routed (404 / 405 as JSON errors) and handed to the handler.
// Finalize adds the headers every response carries.
// Thread safety: immutable; Dispatch and Finalize may run on any thread.
class RequestPipeline {
 public:
  RequestPipeline(const Router& router, CorsPolicy cors, size_t max_decoded_body_bytes);

  void Dispatch(Request& request, Reply reply) const;
  // Adds X-Request-Id and the CORS headers for the request's Origin.
  void Finalize(const Request& request, Response& response) const;

 private:
  const Router& router_;
  CorsPolicy cors_;
  size_t max_decoded_body_bytes_;
};

}  // namespace cdp::http
