#include "http/route_access.h"

namespace cdp::http {

std::string_view RouteAccessName(RouteAccess access) {
  switch (access) {
    case RouteAccess::kPublic:
      return "public";
    case RouteAccess::kIngestion:
      return "ingestion";
    case RouteAccess::kMetricsToken:
      return "metrics_token";
    case RouteAccess::kUser:
      return "user";
    case RouteAccess::kRead:
      return "read";
    case RouteAccess::kBuild:
      return "build";
    case RouteAccess::kAdmin:
      return "admin";
  }
  return "admin";
}

}  // namespace cdp::http
