#include "http/pipeline.h"

#include "http/gzip.h"

namespace cdp::http {

namespace {
// Route label for requests that matched no route (bounded metric cardinality).
constexpr std::string_view kUnmatchedRoute = "(unmatched)";
}  // namespace

RequestPipeline::RequestPipeline(const Router& router, CorsPolicy ingestion, CorsPolicy api,
                                 size_t max_decoded_body_bytes)
    : router_(router),
      ingestion_cors_(std::move(ingestion)),
      api_cors_(std::move(api)),
      max_decoded_body_bytes_(max_decoded_body_bytes) {}

void RequestPipeline::Dispatch(Request& request, Reply reply) const {
  if (CorsPolicy::IsPreflight(request)) {
    const auto routes = router_.RoutesFor(request.path());
    if (!routes) {
      request.SetRoute(kUnmatchedRoute, {});
      reply.Fail(Status::NotFound("no route for " + std::string(request.path())));
      return;
    }
    request.SetRoute(routes->pattern, {});
    const CorsPolicy& policy = routes->ingestion ? ingestion_cors_ : api_cors_;
    reply.Send(policy.Preflight(request, routes->allowed_methods));
    return;
  }

  auto match = router_.Find(request.method(), request.path());
  if (!match.ok()) {
    request.SetRoute(kUnmatchedRoute, {});
    reply.Fail(match.status());
    return;
  }
  request.SetRoute(match->route->pattern, std::move(match->params), match->route->access);

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

const CorsPolicy& RequestPipeline::PolicyFor(const Request& request) const {
  if (request.access() == RouteAccess::kIngestion) return ingestion_cors_;
  // A wrong method on an ingestion path (405) still answers an SDK's page
  // readably; an unknown path is the API's.
  if (request.route() == kUnmatchedRoute) {
    if (const auto routes = router_.RoutesFor(request.path()); routes && routes->ingestion) {
      return ingestion_cors_;
    }
  }
  return api_cors_;
}

void RequestPipeline::Finalize(const Request& request, Response& response) const {
  if (!request.request_id().empty()) {
    response.headers.emplace_back("X-Request-Id", request.request_id());
  }
  // A preflight's answer carries its own CORS headers.
  if (CorsPolicy::IsPreflight(request)) return;
  PolicyFor(request).AddResponseHeaders(request.Header("Origin"), response);
}

}  // namespace cdp::http
