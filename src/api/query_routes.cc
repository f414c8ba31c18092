#include "api/query_routes.h"

#include <fmt/format.h>
#include <simdjson.h>

#include <memory>

#include "core/json_writer.h"
#include "query/request_json.h"
#include "query/service/query_answer_json.h"

namespace cdp::api {

namespace {

using query::AsyncJobSnapshot;
using query::QueryAnswer;
using query::QueryKind;

std::string KindNames() {
  std::string names;
  for (const QueryKind kind : query::kQueryKinds) {
    if (!names.empty()) names += ", ";
    names += QueryKindName(kind);
  }
  return names;
}

std::string JobJson(const AsyncJobSnapshot& job) {
  JsonWriter json;
  json.BeginObject()
      .Key("id")
      .String(job.id)
      .Key("kind")
      .String(QueryKindName(job.kind))
      .Key("status")
      .String(query::AsyncJobStatusName(job.status))
      .Key("progress")
      .Double(job.progress)
      .Key("created_at")
      .String(FormatIso8601(job.created_at));
  if (job.started_at) json.Key("started_at").String(FormatIso8601(*job.started_at));
  if (job.finished_at) json.Key("finished_at").String(FormatIso8601(*job.finished_at));
  json.Key("cancel_requested").Bool(job.cancel_requested);
  if (job.answer) {
    json.Key("result");
    query::WriteQueryAnswer(json, job.kind, *job.answer);
  }
  if (!job.error.ok()) {
    // As a dashboard widget's error: the status the query alone would get.
    json.Key("error")
        .BeginObject()
        .Key("code")
        .Int(job.error.http_status())
        .Key("message")
        .String(job.error.message())
        .Key("field");
    if (job.error.field().empty()) {
      json.Null();
    } else {
      json.String(job.error.field());
    }
    json.EndObject();
  }
  return std::move(json.EndObject()).Take();
}

// POST /query/async's body: {"kind": "funnel", "request": {...}}.
struct AsyncQueryRequest {
  QueryKind kind;
  std::string request;  // the analysis's body, as JSON text
};

Result<AsyncQueryRequest> ParseAsyncQueryRequest(std::string_view body,
                                                 const query::QueryService& service) {
  simdjson::dom::parser parser;
  CDP_ASSIGN_OR_RETURN(const query::RequestObject object,
                       query::RequestObject::Parse(parser, body));
  CDP_RETURN_IF_ERROR(object.RejectUnknownKeys({"kind", "request"}));
  CDP_ASSIGN_OR_RETURN(const std::string_view kind_name, object.String("kind"));
  const std::optional<QueryKind> kind = query::ParseQueryKind(kind_name);
  if (!kind) return query::FieldError("kind", "one of " + KindNames());
  if (!service.Supports(*kind)) {
    return Status::BadRequest(
        fmt::format("the {} analysis is not available in this build", kind_name), "kind");
  }
  CDP_ASSIGN_OR_RETURN(const query::RequestObject request, object.Object("request"));
  (void)request;  // checked to be an object; the analysis reads it
  return AsyncQueryRequest{*kind, simdjson::minify(*object.Value("request"))};
}

// Runs one kind's analysis on the pool and answers from there.
ApiHandler RunQueryHandler(query::QueryService& service, QueryKind kind) {
  return [&service, kind](http::Request& request, http::Reply reply, const Caller& caller) {
    // Shared between this handler (which answers a refusal) and the task.
    auto shared_reply = std::make_shared<http::Reply>(std::move(reply));
    const Status submitted = service.Submit(
        caller.workspace_id(), kind, std::move(request.body()),
        [shared_reply, kind](Result<QueryAnswer> outcome) {
          if (outcome.ok()) {
            shared_reply->Send(http::Response::Json(200, query::QueryAnswerJson(kind, *outcome)));
          } else {
            shared_reply->Fail(outcome.status());
          }
        });
    if (!submitted.ok()) shared_reply->Fail(submitted);
  };
}

}  // namespace

void AddQueryRoutes(ApiRoutes& routes, query::QueryService& service) {
  for (const QueryKind kind : query::kQueryKinds) {
    routes.Add("POST", "/query/" + std::string(QueryKindName(kind)), Permission::kRead,
               RunQueryHandler(service, kind));
  }
  routes.Add(
      "POST", "/query/async", Permission::kRead,
      ApiImmediate([&](http::Request& request, const Caller& caller) -> Result<http::Response> {
        const std::string& workspace_id = caller.workspace_id();
        CDP_ASSIGN_OR_RETURN(AsyncQueryRequest parsed,
                             ParseAsyncQueryRequest(request.body(), service));
        CDP_ASSIGN_OR_RETURN(
            const AsyncJobSnapshot job,
            service.StartJob(workspace_id, parsed.kind, std::move(parsed.request)));
        JsonWriter json;
        json.BeginObject()
            .Key("id")
            .String(job.id)
            .Key("kind")
            .String(QueryKindName(job.kind))
            .Key("status")
            .String(query::AsyncJobStatusName(job.status))
            .EndObject();
        http::Response response = http::Response::Json(202, std::move(json).Take());
        response.headers.emplace_back("Location", "/query/async/" + job.id);
        return response;
      }));
  routes.Add(
      "GET", "/query/async/{id}", Permission::kRead,
      ApiImmediate([&](http::Request& request, const Caller& caller) -> Result<http::Response> {
        const std::string& workspace_id = caller.workspace_id();
        CDP_ASSIGN_OR_RETURN(const AsyncJobSnapshot job,
                             service.GetJob(workspace_id, request.PathParam("id")));
        return http::Response::Json(200, JobJson(job));
      }));
  routes.Add(
      "DELETE", "/query/async/{id}", Permission::kRead,
      ApiImmediate([&](http::Request& request, const Caller& caller) -> Result<http::Response> {
        const std::string& workspace_id = caller.workspace_id();
        CDP_ASSIGN_OR_RETURN(const AsyncJobSnapshot job,
                             service.CancelJob(workspace_id, request.PathParam("id")));
        return http::Response::Json(200, JobJson(job));
      }));
}

std::string QueryMetricsText(const query::QueryServiceCounters& counters) {
  return fmt::format(
      "# HELP cdp_query_total Queries answered (cache hits included).\n"
      "# TYPE cdp_query_total counter\n"
      "cdp_query_total {}\n"
      "# HELP cdp_query_cache_hits_total Queries answered from the result cache.\n"
      "# TYPE cdp_query_cache_hits_total counter\n"
      "cdp_query_cache_hits_total {}\n"
      "# HELP cdp_query_failed_total Queries that ended with an error or were cancelled.\n"
      "# TYPE cdp_query_failed_total counter\n"
      "cdp_query_failed_total {}\n"
      "# HELP cdp_query_refused_total Queries refused with 503 because the query queue was "
      "full.\n"
      "# TYPE cdp_query_refused_total counter\n"
      "cdp_query_refused_total {}\n",
      counters.queries, counters.cache_hits, counters.failed, counters.refused);
}

}  // namespace cdp::api
