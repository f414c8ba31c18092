#include "http/pipeline.h"

#include "http/gzip.h"

namespace cdp::http {

namespace {
// Route label for requests that matched no route (bounded metric cardinality).
constexpr std::string_view kUnmatchedRoute = "(unmatched)";
}  // namespace

RequestPipeline::RequestPipeline(const Router& router, CorsPolicy cors,
                                 size_t max_decoded_body_bytes)
    : router_(router), cors_(std::move(cors)), max_decoded_body_bytes_(max_decoded_body_bytes) {}

void RequestPipeline::Dispatch(Request& request, Reply reply) const {
  if (CorsPolicy::IsPreflight(request)) {
    const auto routes = router_.RoutesFor(request.path());
    if (!routes) {
      request.SetRoute(kUnmatchedRoute, {});
      reply.Fail(Status::NotFound("no route for " + std::string(request.path())));
      return;
    }
    request.SetRoute(routes->pattern, {});
    reply.Send(cors_.Preflight(request, routes->allowed_methods));
    return;
  }

  auto match = router_.Find(request.method(), request.path());
  if (!match.ok()) {
    request.SetRoute(kUnmatchedRoute, {});
    reply.Fail(match.status());
    return;
  }
  request.SetRoute(match->route->pattern, std::move(match->params));

  if (const std::string_view encoding = request.Header("Content-Encoding"); !encoding.empty()) {
    auto decoded =
        DecodeContentEncoding(encoding, std::move(request.body()), max_decoded_body_bytes_);
    if (!decoded.ok()) {
      reply.Fail(decoded.status());
      return;
    }
    request.SetBody(std::move(decoded).value());
  }
  match->route->handler(request, std::move(reply));
}

void RequestPipeline::Finalize(const Request& request, Response& response) const {
  if (!request.request_id().empty()) {
    response.headers.emplace_back("X-Request-Id", request.request_id());
  }
  if (!CorsPolicy::IsPreflight(request))
    cors_.AddResponseHeaders(request.Header("Origin"), response);
}

}  // namespace cdp::http
