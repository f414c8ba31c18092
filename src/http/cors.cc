#include "http/cors.h"

#include <algorithm>

#include "http/error_response.h"

namespace cdp::http {

namespace {

// Response headers a browser script may read.
constexpr std::string_view kExposedHeaders = "X-Request-Id, Retry-After, X-RateLimit-Reset";
// Request headers allowed when the preflight does not list any.
constexpr std::string_view kDefaultAllowedHeaders =
    "Content-Type, Content-Encoding, Authorization, X-Write-Key, X-Workspace-Id, X-Request-Id";
// How long a browser may cache a preflight answer (Chrome caps it at 2 h).
constexpr std::string_view kMaxAgeSeconds = "7200";

}  // namespace

CorsPolicy::CorsPolicy(std::vector<std::string> allowed_origins)
    : any_origin_(std::find(allowed_origins.begin(), allowed_origins.end(), "*") !=
                  allowed_origins.end()),
      origins_(std::move(allowed_origins)) {}

bool CorsPolicy::IsAllowed(std::string_view origin) const {
  if (origin.empty()) return false;
  if (any_origin_) return true;
  return std::find(origins_.begin(), origins_.end(), origin) != origins_.end();
}

bool CorsPolicy::IsPreflight(const Request& request) {
  return request.method() == "OPTIONS" && !request.Header("Access-Control-Request-Method").empty();
}

void CorsPolicy::AddResponseHeaders(std::string_view origin, Response& response) const {
  if (!IsAllowed(origin)) return;
  response.headers.emplace_back("Access-Control-Allow-Origin", std::string(origin));
  response.headers.emplace_back("Vary", "Origin");
  response.headers.emplace_back("Access-Control-Expose-Headers", std::string(kExposedHeaders));
  if (!any_origin_) response.headers.emplace_back("Access-Control-Allow-Credentials", "true");
}

Response CorsPolicy::Preflight(const Request& request, std::string_view allowed_methods) const {
  const std::string_view origin = request.Header("Origin");
  if (!IsAllowed(origin)) {
    return ErrorResponse(
        Status::Forbidden("origin '" + std::string(origin) + "' may not call this API"),
        request.request_id());
  }
  Response response = Response::NoContent();
  AddResponseHeaders(origin, response);
  response.headers.emplace_back("Access-Control-Allow-Methods", std::string(allowed_methods));
  const std::string_view requested = request.Header("Access-Control-Request-Headers");
  response.headers.emplace_back(
      "Access-Control-Allow-Headers",
      std::string(requested.empty() ? kDefaultAllowedHeaders : requested));
  response.headers.emplace_back("Access-Control-Max-Age", std::string(kMaxAgeSeconds));
  return response;
}

}  // namespace cdp::http
