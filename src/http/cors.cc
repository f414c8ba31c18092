#include "http/cors.h"

#include <algorithm>

#include "http/error_response.h"

namespace cdp::http {

namespace {

// Response headers a browser script may read.
constexpr std::string_view kExposedHeaders = "X-Request-Id, Retry-After, X-RateLimit-Reset";
// Request headers allowed when the preflight does not list any. Cookies need
// no entry: a browser sends them by the credentials mode, not as a header
// the page sets.
constexpr std::string_view kDefaultAllowedHeaders =
    "Content-Type, Content-Encoding, Authorization, X-Write-Key, X-Workspace-Id, X-Request-Id";
// How long a browser may cache a preflight answer (Chrome caps it at 2 h).
constexpr std::string_view kMaxAgeSeconds = "7200";

bool HasAnyOrigin(const std::vector<std::string>& origins) {
  return std::find(origins.begin(), origins.end(), "*") != origins.end();
}

}  // namespace

CorsPolicy CorsPolicy::Open(std::vector<std::string> allowed_origins) {
  return CorsPolicy(/*credentialed=*/false, std::move(allowed_origins));
}

CorsPolicy CorsPolicy::Credentialed(std::vector<std::string> console_origins) {
  std::erase(console_origins, "*");
  return CorsPolicy(/*credentialed=*/true, std::move(console_origins));
}

CorsPolicy::CorsPolicy(bool credentialed, std::vector<std::string> origins)
    : credentialed_(credentialed),
      any_origin_(!credentialed && HasAnyOrigin(origins)),
      origins_(std::move(origins)) {}

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
  if (credentialed_) response.headers.emplace_back("Access-Control-Allow-Credentials", "true");
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
