#pragma once

#include <gtest/gtest.h>

#include <memory>
#include <utility>

#include "http/reply.h"
#include "http/request.h"
#include "http/response.h"
#include "http/router.h"
#include "support/captured_reply.h"

namespace cdp::testing {

// Sends `request` to the handler of its route in `router` as the server's
// pipeline does once the router matched: the route's pattern, path
// parameters and access go on the request first. Returns false, with a test
// failure, when no route matches (the reply is then dropped unanswered).
inline bool DispatchToRoute(const http::Router& router, http::Request& request, http::Reply reply) {
  Result<http::Router::Match> match = router.Find(request.method(), request.path());
  EXPECT_TRUE(match.ok()) << request.method() << " " << request.path() << ": "
                          << match.status().ToString();
  if (!match.ok()) return false;
  request.SetRoute(match->route->pattern, std::move(match->params), match->route->access);
  match->route->handler(request, std::move(reply));
  return true;
}

// The same for a handler that answers before returning: its response, or an
// empty one with a test failure.
inline http::Response CallRoute(const http::Router& router, http::Request& request) {
  auto reply = std::make_shared<CapturedReply>(request.request_id());
  if (!DispatchToRoute(router, request, ReplyTo(reply))) return http::Response{};
  EXPECT_TRUE(reply->response().has_value())
      << request.method() << " " << request.path() << ": the handler must answer";
  return reply->response().value_or(http::Response{});
}

}  // namespace cdp::testing
