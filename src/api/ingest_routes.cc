#include "api/ingest_routes.h"

#include <fmt/format.h>

#include <memory>

#include "api/client_address.h"
#include "auth/credentials.h"
#include "core/json_writer.h"
#include "http/error_response.h"
#include "ingest/request_body.h"

namespace cdp::api {

namespace {

using ingest::IngestFormat;
using ingest::IngestResult;

// What the route decides before the body is read.
struct Endpoint {
  IngestFormat format = IngestFormat::kSegment;
  std::optional<EventType> single_type;
  bool sniff_capture_batch = false;  // POST /batch: capture when it has "api_key"
};

// The key in the request's headers, in the order SDKs use them.
std::string HeaderCredential(const http::Request& request) {
  const std::string_view authorization = request.Header("Authorization");
  if (std::optional<std::string> user = BasicAuthUser(authorization)) return *user;
  if (std::optional<std::string_view> token = BearerToken(authorization)) {
    return std::string(*token);
  }
  return std::string(request.Header("X-Write-Key"));
}

void AddRateHeaders(const IngestResult& result, http::Response& response) {
  if (!result.rate) return;
  const auto reset =
      std::chrono::duration_cast<std::chrono::seconds>(result.rate->reset_at.time_since_epoch());
  response.headers.emplace_back("X-RateLimit-Limit", std::to_string(result.rate->limit_today));
  response.headers.emplace_back("X-RateLimit-Remaining",
                                std::to_string(result.rate->remaining_today));
  response.headers.emplace_back("X-RateLimit-Reset", std::to_string(reset.count()));
}

std::string SuccessBody(const IngestResult& result, IngestFormat format) {
  JsonWriter json;
  json.BeginObject().Key("success").Bool(true);
  // PostHog's SDKs read {"status": 1}.
  if (format == IngestFormat::kCapture) json.Key("status").Int(1);
  json.Key("accepted").Uint(result.accepted).Key("duplicates").Uint(result.duplicates);
  json.Key("rejected").BeginArray();
  for (const ingest::RejectedItem& item : result.rejected) {
    json.BeginObject()
        .Key("index")
        .Uint(item.index)
        .Key("status")
        .Int(item.status.http_status())
        .Key("field")
        .String(item.status.field())
        .Key("error")
        .String(item.status.message())
        .EndObject();
  }
  return std::move(json.EndArray().EndObject()).Take();
}

http::Response IngestResponse(const IngestResult& result, IngestFormat format,
                              std::string_view request_id) {
  http::Response response;
  if (!result.status.ok()) {
    response = http::ErrorResponse(result.status, request_id);
  } else if (!result.batch && !result.rejected.empty()) {
    response = http::ErrorResponse(result.rejected.front().status, request_id);
  } else {
    response = http::Response::Json(200, SuccessBody(result, format));
  }
  AddRateHeaders(result, response);
  return response;
}

http::Handler IngestHandler(const ingest::IngestService& service, Endpoint endpoint,
                            int trusted_proxies) {
  return [&service, endpoint, trusted_proxies](http::Request& request, http::Reply reply) {
    ingest::IngestRequest ingest;
    ingest.format = endpoint.format;
    ingest.single_type = endpoint.single_type;
    ingest.body = std::move(request.body());
    if (endpoint.sniff_capture_batch && ingest::HasTopLevelKey(ingest.body, "api_key")) {
      ingest.format = IngestFormat::kCapture;
    }
    ingest.credential = HeaderCredential(request);
    ingest.client_ip = ClientAddress(request, trusted_proxies);
    ingest.user_agent = std::string(request.Header("User-Agent"));
    const IngestFormat format = ingest.format;
    // The request lives until the reply is sent (see http::Request). The
    // callback must be copyable (std::function), the Reply is not: share it.
    auto shared_reply = std::make_shared<http::Reply>(std::move(reply));
    service.Ingest(std::move(ingest), [&request, format, shared_reply](IngestResult result) {
      if (!result.workspace_id.empty()) request.set_workspace_id(result.workspace_id);
      shared_reply->Send(IngestResponse(result, format, request.request_id()));
    });
  };
}

}  // namespace

std::string IngestMetricsText(const ingest::IngestCounters& counters) {
  std::string text =
      "# HELP cdp_ingest_events_total Events received, by what became of them.\n"
      "# TYPE cdp_ingest_events_total counter\n";
  text += fmt::format("cdp_ingest_events_total{{outcome=\"accepted\"}} {}\n", counters.accepted);
  text += fmt::format("cdp_ingest_events_total{{outcome=\"duplicate\"}} {}\n", counters.duplicates);
  text += fmt::format("cdp_ingest_events_total{{outcome=\"rejected\"}} {}\n", counters.rejected);
  text +=
      "# HELP cdp_ingest_dead_letters_total Events refused by the schema and kept for replay.\n"
      "# TYPE cdp_ingest_dead_letters_total counter\n";
  text += fmt::format("cdp_ingest_dead_letters_total {}\n", counters.dead_lettered);
  text +=
      "# HELP cdp_ingest_refused_requests_total Ingest requests refused as a whole, by status.\n"
      "# TYPE cdp_ingest_refused_requests_total counter\n";
  for (const auto& [status, count] : counters.refused_requests) {
    text += fmt::format("cdp_ingest_refused_requests_total{{status=\"{}\"}} {}\n", status, count);
  }
  return text;
}

void AddIngestRoutes(http::Router& router, const ingest::IngestService& service,
                     IngestRoutesOptions options) {
  const int trusted = options.trusted_proxies;
  for (const EventType type : {EventType::kTrack, EventType::kIdentify, EventType::kPage,
                               EventType::kScreen, EventType::kGroup, EventType::kAlias}) {
    const Endpoint endpoint{IngestFormat::kSegment, type};
    const std::string_view name = EventTypeName(type);
    router.Add("POST", fmt::format("/v1/{}", name), http::RouteAccess::kIngestion,
               IngestHandler(service, endpoint, trusted));
    router.Add("POST", fmt::format("/{}", name), http::RouteAccess::kIngestion,
               IngestHandler(service, endpoint, trusted));
  }
  const Endpoint segment_batch{IngestFormat::kSegment, std::nullopt};
  router.Add("POST", "/v1/batch", http::RouteAccess::kIngestion,
             IngestHandler(service, segment_batch, trusted));
  router.Add("POST", "/v1/import", http::RouteAccess::kIngestion,
             IngestHandler(service, segment_batch, trusted));
  router.Add("POST", "/import", http::RouteAccess::kIngestion,
             IngestHandler(service, segment_batch, trusted));
  router.Add("POST", "/batch", http::RouteAccess::kIngestion,
             IngestHandler(service, {IngestFormat::kSegment, std::nullopt, true}, trusted));
  router.Add("POST", "/capture", http::RouteAccess::kIngestion,
             IngestHandler(service, {IngestFormat::kCapture, std::nullopt}, trusted));
}

}  // namespace cdp::api
