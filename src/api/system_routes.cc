#include "api/system_routes.h"

#include <chrono>
#include <memory>

#include "auth/credentials.h"
#include "core/json_writer.h"
#include "core/secure_compare.h"

namespace cdp::api {

namespace {

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
                               const SystemRoutesOptions& options) {
  const std::string& token = options.metrics_token;
  if (token.empty()) {
    return Status::Forbidden("metrics are disabled: start cdp with CDP_METRICS_TOKEN set");
  }
  const std::optional<std::string_view> offered = BearerToken(request.Header("Authorization"));
  if (!offered || !ConstantTimeEquals(*offered, token)) {
    return Status::Unauthorized("GET /metrics needs Authorization: Bearer <CDP_METRICS_TOKEN>");
  }
  std::string text = metrics.RenderPrometheus();
  for (const auto& render : options.extra_metrics) text += render();
  return http::Response::Text(200, std::move(text), "text/plain; version=0.0.4; charset=utf-8");
}

}  // namespace

void AddSystemRoutes(http::Router& router, const http::HttpMetrics& metrics,
                     SystemRoutesOptions options) {
  router.Add("GET", "/health", http::RouteAccess::kPublic,
             http::Immediate([](http::Request&) -> Result<http::Response> {
               return http::Response::Json(200, R"({"status":"ok"})");
             }));
  auto shared = std::make_shared<const SystemRoutesOptions>(std::move(options));
  router.Add("GET", "/ready", http::RouteAccess::kPublic,
             http::Immediate([shared](http::Request&) { return Ready(shared->readiness_checks); }));
  router.Add("GET", "/metrics", http::RouteAccess::kMetricsToken,
             http::Immediate([shared, &metrics](http::Request& request) {
               return Metrics(request, metrics, *shared);
             }));
}

}  // namespace cdp::api
