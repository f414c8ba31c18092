#include "api/system_routes.h"

#include <cctype>
#include <chrono>
#include <memory>

#include "core/json_writer.h"
#include "core/secure_compare.h"

namespace cdp::api {

namespace {

// The token of an `Authorization: Bearer <token>` header (the scheme name is
// case-insensitive), or "" when the header is absent or another scheme.
std::string_view BearerToken(std::string_view authorization) {
  constexpr std::string_view kScheme = "bearer ";
  if (authorization.size() <= kScheme.size()) return {};
  for (size_t i = 0; i < kScheme.size(); ++i) {
    if (std::tolower(static_cast<unsigned char>(authorization[i])) != kScheme[i]) return {};
  }
  return authorization.substr(kScheme.size());
}

Result<http::Response> Ready(const std::vector<ReadinessCheck>& checks) {
  JsonWriter body;
  body.BeginObject().Key("status").String("ready").Key("checks").BeginObject();
  for (const auto& [name, check] : checks) {
    if (Status status = check(); !status.ok()) {
      return Status::Unavailable(name + " is not available", std::chrono::seconds(5))
          .WithCause(status.ToString());
    }
    body.Key(name).String("ok");
  }
  body.EndObject().EndObject();
  return http::Response::Json(200, std::move(body).Take());
}

Result<http::Response> Metrics(const http::Request& request, const http::HttpMetrics& metrics,
                               const std::string& token) {
  if (token.empty()) {
    return Status::Forbidden("metrics are disabled: start cdp with CDP_METRICS_TOKEN set");
  }
  const std::string_view offered = BearerToken(request.Header("Authorization"));
  if (offered.empty() || !ConstantTimeEquals(offered, token)) {
    return Status::Unauthorized("GET /metrics needs Authorization: Bearer <CDP_METRICS_TOKEN>");
  }
  return http::Response::Text(200, metrics.RenderPrometheus(),
                              "text/plain; version=0.0.4; charset=utf-8");
}

}  // namespace

void AddSystemRoutes(http::Router& router, const http::HttpMetrics& metrics,
                     SystemRoutesOptions options) {
  router.Add("GET", "/health", http::Immediate([](http::Request&) -> Result<http::Response> {
               return http::Response::Json(200, R"({"status":"ok"})");
             }));
  auto shared = std::make_shared<const SystemRoutesOptions>(std::move(options));
  router.Add("GET", "/ready",
             http::Immediate([shared](http::Request&) { return Ready(shared->readiness_checks); }));
  router.Add("GET", "/metrics", http::Immediate([shared, &metrics](http::Request& request) {
               return Metrics(request, metrics, shared->metrics_token);
             }));
}

}  // namespace cdp::api
