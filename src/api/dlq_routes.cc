#include "api/dlq_routes.h"

#include <fmt/format.h>
#include <simdjson.h>

#include <map>

#include "api/page.h"
#include "core/json_writer.h"

namespace cdp::api {

namespace {

void WriteReason(JsonWriter& json, const DeadLetterReason& reason) {
  json.BeginObject().Key("error").String(reason.message);
  if (!reason.field.empty()) json.Key("field").String(reason.field);
  json.EndObject();
}

// The event is the payload as the log stores it (see ingest/event_codec.h).
void WriteDeadLetter(JsonWriter& json, const DeadLetter& letter) {
  json.Key("id").String(letter.id);
  json.Key("received_at").String(FormatIso8601(letter.received_at));
  json.Key("status").String(DeadLetterStatusName(letter.status));
  json.Key("reason");
  WriteReason(json, letter.reason);
  json.Key("event").Raw(letter.payload);
}

// The ids a replay request names: {"ids": [...]} or {"all": true}.
struct ReplayRequest {
  std::vector<std::string> ids;
  bool all = false;
};

Result<ReplayRequest> ParseReplayRequest(std::string_view body) {
  simdjson::dom::parser parser;
  simdjson::dom::object root;
  if (parser.parse(body).get(root) != simdjson::SUCCESS) {
    return Status::BadRequest(R"(the body must be a JSON object: {"ids": [...]} or {"all": true})");
  }
  ReplayRequest request;
  bool all = false;
  if (auto value = root["all"]; value.error() == simdjson::SUCCESS) {
    if (value.get_bool().get(all) != simdjson::SUCCESS) {
      return Status::BadRequest("all must be true or false", "all");
    }
  }
  simdjson::dom::array ids;
  const bool has_ids = root["ids"].get_array().get(ids) == simdjson::SUCCESS;
  if (all == has_ids) {
    return Status::BadRequest(R"(give either "ids" (an array of dead-letter ids) or "all": true)",
                              "ids");
  }
  request.all = all;
  if (has_ids) {
    if (ids.size() == 0 || ids.size() > ingest::kMaxReplayIds) {
      return Status::BadRequest(
          fmt::format("ids must hold 1 to {} dead-letter ids", ingest::kMaxReplayIds), "ids");
    }
    size_t index = 0;
    for (simdjson::dom::element id : ids) {
      std::string_view text;
      if (id.get_string().get(text) != simdjson::SUCCESS || text.empty()) {
        return Status::BadRequest("each id must be a non-empty string",
                                  fmt::format("ids[{}]", index));
      }
      request.ids.emplace_back(text);
      ++index;
    }
  }
  return request;
}

// How many replayed ids an audit entry lists; the counts cover them all.
constexpr size_t kMaxAuditedIds = 100;

// The audit details of a replay: what was asked and what came of it, by
// outcome, with the ids (never the events: they are customer data).
std::string ReplayAuditDetails(const ReplayRequest& replay,
                               const std::vector<ingest::ReplayItemResult>& results) {
  std::map<std::string_view, uint64_t> outcomes;
  for (const ingest::ReplayItemResult& result : results) {
    ++outcomes[ingest::ReplayVerdictName(result.verdict)];
  }
  JsonWriter json;
  json.BeginObject().Key("all").Bool(replay.all).Key("requested").Uint(results.size());
  json.Key("outcomes").BeginObject();
  for (const auto& [outcome, count] : outcomes) json.Key(outcome).Uint(count);
  json.EndObject().Key("ids").BeginArray();
  for (size_t i = 0; i < results.size() && i < kMaxAuditedIds; ++i) json.String(results[i].id);
  json.EndArray().Key("ids_truncated").Bool(results.size() > kMaxAuditedIds);
  return std::move(json.EndObject()).Take();
}

}  // namespace

void AddDeadLetterRoutes(ApiRoutes& routes, const AuditRecorder& audit,
                         DeadLetterStore& dead_letters, ingest::DeadLetterReplayer& replayer) {
  routes.Add(
      "GET", "/dlq", Permission::kRead,
      ApiImmediate([&](http::Request& request, const Caller& caller) -> Result<http::Response> {
        const std::string& workspace_id = caller.workspace_id();
        CDP_ASSIGN_OR_RETURN(const PageRequest request_page,
                             ReadPageRequest(request, kMaxDeadLetterPageSize));
        CDP_ASSIGN_OR_RETURN(
            const DeadLetterPage page,
            dead_letters.ListDeadLetters(workspace_id, request_page.cursor, request_page.limit));
        return PageResponse<DeadLetter>(page.results, page.next_cursor,
                                        [](JsonWriter& json, const DeadLetter& item) {
                                          json.BeginObject();
                                          WriteDeadLetter(json, item);
                                          json.EndObject();
                                        });
      }));

  routes.Add(
      "GET", "/dlq/{id}", Permission::kRead,
      ApiImmediate([&](http::Request& request, const Caller& caller) -> Result<http::Response> {
        const std::string& workspace_id = caller.workspace_id();
        const std::string_view id = request.PathParam("id");
        CDP_ASSIGN_OR_RETURN(const DeadLetter letter, dead_letters.GetDeadLetter(workspace_id, id));
        CDP_ASSIGN_OR_RETURN(const std::vector<ReplayAttempt> attempts,
                             dead_letters.ListReplayAttempts(workspace_id, id));
        JsonWriter json;
        json.BeginObject();
        WriteDeadLetter(json, letter);
        json.Key("replays").BeginArray();
        for (const ReplayAttempt& attempt : attempts) {
          json.BeginObject()
              .Key("id")
              .String(attempt.id)
              .Key("at")
              .String(FormatIso8601(attempt.at))
              .Key("outcome")
              .String(ReplayOutcomeName(attempt.outcome));
          if (attempt.outcome == ReplayOutcome::kRejected) {
            json.Key("reason");
            WriteReason(json, attempt.reason);
          }
          json.EndObject();
        }
        return http::Response::Json(200, std::move(json.EndArray().EndObject()).Take());
      }));

  routes.Add(
      "POST", "/dlq/replay", Permission::kAdmin,
      ApiImmediate([&](http::Request& request, const Caller& caller) -> Result<http::Response> {
        const std::string& workspace_id = caller.workspace_id();
        CDP_ASSIGN_OR_RETURN(ReplayRequest replay, ParseReplayRequest(request.body()));
        if (replay.all) {
          CDP_ASSIGN_OR_RETURN(replay.ids,
                               replayer.PendingIds(workspace_id, ingest::kMaxReplayIds));
        }
        CDP_ASSIGN_OR_RETURN(const std::vector<ingest::ReplayItemResult> results,
                             replayer.Replay(workspace_id, replay.ids));
        audit.Record(request, caller, "dead_letter.replay", "dead_letter",
                     results.size() == 1 ? results.front().id : std::string(),
                     ReplayAuditDetails(replay, results));
        JsonWriter json;
        json.BeginObject().Key("results").BeginArray();
        for (const ingest::ReplayItemResult& result : results) {
          json.BeginObject().Key("id").String(result.id).Key("outcome").String(
              ingest::ReplayVerdictName(result.verdict));
          if (result.verdict == ingest::ReplayVerdict::kRejected) {
            json.Key("reason");
            WriteReason(json, result.reason);
          }
          json.EndObject();
        }
        return http::Response::Json(200, std::move(json.EndArray().EndObject()).Take());
      }));
}

}  // namespace cdp::api
