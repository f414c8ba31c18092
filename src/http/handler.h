#pragma once

#include <functional>

#include "core/result.h"
#include "http/reply.h"
#include "http/request.h"

namespace cdp::http {

// Answers a request through its Reply, now or later (see Reply).
using Handler = std::function<void(Request& request, Reply reply)>;

// Adapts a function that answers at once: its error becomes the JSON error response.
inline Handler Immediate(std::function<Result<Response>(Request& request)> handle) {
  return [handle = std::move(handle)](Request& request, Reply reply) {
    Result<Response> response = handle(request);
    if (response.ok()) {
      reply.Send(std::move(response).value());
    } else {
      reply.Fail(response.status());
    }
  };
}

}  // namespace cdp::http
