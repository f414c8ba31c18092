#pragma once

#include <string_view>

namespace cdp::http {

// Who may call a route. The router records it with the route: the API's
// guard enforces it (src/api/api_routes.h), the pipeline picks the CORS
// policy by it, the OpenAPI document and the access tests walk it.
enum class RouteAccess {
  kPublic,        // anyone: health checks, login
  kIngestion,     // a write key; browsers of any allowed origin, no cookies
  kMetricsToken,  // the server's CDP_METRICS_TOKEN (Prometheus)
  kUser,          // a signed-in user (session), no workspace: me, logout
  kRead,          // a workspace member or secret key with that permission
  kBuild,
  kAdmin,
};

// "public", "ingestion", "metrics_token", "user", "read", "build", "admin".
std::string_view RouteAccessName(RouteAccess access);

}  // namespace cdp::http
