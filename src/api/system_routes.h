#pragma once

#include <functional>
#include <string>
#include <vector>

#include "core/status.h"
#include "http/metrics.h"
#include "http/router.h"

namespace cdp::api {

// One dependency that must answer before the server is ready (a backend).
struct ReadinessCheck {
  std::string name;               // "meta"
  std::function<Status()> check;  // cheap: called on every GET /ready
};

struct SystemRoutesOptions {
  std::vector<ReadinessCheck> readiness_checks;
  // Bearer token GET /metrics requires; empty disables the endpoint (403).
  std::string metrics_token;
  // More Prometheus text appended to GET /metrics (each ends with a newline).
  std::vector<std::function<std::string()>> extra_metrics;
};

// Adds the operational endpoints:
//   GET /health   liveness: 200 while the process serves HTTP (no auth);
//   GET /ready    readiness: 200 when every backend answers, else 503 (no auth);
//   GET /metrics  Prometheus text format (bearer token).
// `metrics` must outlive the router.
void AddSystemRoutes(http::Router& router, const http::HttpMetrics& metrics,
                     SystemRoutesOptions options);

}  // namespace cdp::api
