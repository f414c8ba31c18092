#include "api/profile_routes.h"

#include <simdjson.h>

#include <chrono>
#include <memory>
#include <string>
#include <utility>

#include "api/page.h"
#include "api/profile_json.h"
#include "api/profile_list_request.h"
#include "core/json_writer.h"
#include "query/explorer/events_request.h"
#include "query/request_json.h"

namespace cdp::api {

namespace {

// The timeline reads all time: the widest range a request time can name
// (core/iso8601.h keeps times within these years), so that no event of the
// person is left out whatever its timestamp.
constexpr std::string_view kAllTimeFrom = "1700-01-01T00:00:00Z";
constexpr std::string_view kAllTimeTo = "2200-12-31T23:59:59.999999Z";

// The explorer request of one timeline page. Named by the profile id rather
// than the id the client gave, so that every spelling of one person shares
// the query cache's entry.
std::string TimelineRequest(const std::string& profile_id, const PageRequest& page) {
  JsonWriter json;
  json.BeginObject()
      .Key("person_id")
      .String(profile_id)
      .Key("from")
      .String(kAllTimeFrom)
      .Key("to")
      .String(kAllTimeTo)
      .Key("order")
      .String("newest")
      .Key("limit")
      .Int(page.limit);
  if (!page.cursor.empty()) json.Key("cursor").String(page.cursor);
  return std::move(json.EndObject()).Take();
}

Result<std::string> ParseMergeId(std::string_view body) {
  simdjson::dom::parser parser;
  CDP_ASSIGN_OR_RETURN(const query::RequestObject object,
                       query::RequestObject::Parse(parser, body));
  CDP_RETURN_IF_ERROR(object.RejectUnknownKeys({"merge_id"}));
  CDP_ASSIGN_OR_RETURN(const std::string_view merge_id, object.String("merge_id"));
  if (merge_id.empty()) return query::FieldError("merge_id", "a merge id of the profile");
  return std::string(merge_id);
}

Status Busy() {
  return Status::Unavailable("the query workers are busy: retry shortly", std::chrono::seconds(1));
}

// Runs `work` with `run` (at once when it is empty); a refusal answers 503.
// The reply is shared with the work, which may be dropped unrun and so must
// not be the Reply's only owner.
void RunOrRefuse(const std::function<bool(std::function<void()>)>& run,
                 std::shared_ptr<http::Reply> reply,
                 std::function<Result<http::Response>()> produce) {
  std::function<void()> work = [reply, produce = std::move(produce)] {
    Result<http::Response> response = produce();
    if (response.ok()) {
      reply->Send(std::move(response).value());
    } else {
      reply->Fail(response.status());
    }
  };
  if (!run) {
    work();
  } else if (!run(std::move(work))) {
    reply->Fail(Busy());
  }
}

}  // namespace

void AddProfileRoutes(ApiRoutes& routes, const AuditRecorder& audit,
                      identity::IdentityService& identities, query::QueryRunner& runner,
                      ProfileRoutesOptions options) {
  routes.Add(
      "GET", "/profiles/{id}", Permission::kRead,
      ApiImmediate([&](http::Request& request, const Caller& caller) -> Result<http::Response> {
        const std::string& workspace_id = caller.workspace_id();
        CDP_ASSIGN_OR_RETURN(const identity::ProfileView view,
                             identities.GetProfile(workspace_id, request.PathParam("id")));
        return http::Response::Json(200, ProfileViewJson(view));
      }));

  routes.Add(
      "GET", "/profiles", Permission::kRead,
      [&identities, run = options.run_queries](http::Request& request, http::Reply reply,
                                               const Caller& caller) {
        Result<ProfileListRequest> list = ReadProfileListRequest(request, caller.workspace_id());
        if (!list.ok()) {
          reply.Fail(list.status());
          return;
        }
        RunOrRefuse(run, std::make_shared<http::Reply>(std::move(reply)),
                    [&identities, list = std::move(list).value()]() -> Result<http::Response> {
                      CDP_ASSIGN_OR_RETURN(const ProfilePage page, identities.ListProfiles(list));
                      std::string next_cursor;
                      if (page.has_more && !page.profiles.empty()) {
                        const Profile& last = page.profiles.back();
                        next_cursor = EncodeProfileCursor(last.last_seen, last.person);
                      }
                      return PageResponse<Profile>(page.profiles, next_cursor, &WriteProfile);
                    });
      });

  routes.Add("GET", "/profiles/{id}/events", Permission::kRead,
             [&identities, &runner, run = options.run_queries](
                 http::Request& request, http::Reply reply, const Caller& caller) {
               const std::string& workspace_id = caller.workspace_id();
               Result<PageRequest> page = ReadPageRequest(request, query::EventsRequest::kMaxLimit);
               if (!page.ok()) {
                 reply.Fail(page.status());
                 return;
               }
               // A person no event ever named has no timeline: 404, not an
               // empty page.
               Result<identity::ProfileView> view =
                   identities.GetProfile(workspace_id, request.PathParam("id"));
               if (!view.ok()) {
                 reply.Fail(view.status());
                 return;
               }
               RunOrRefuse(
                   run, std::make_shared<http::Reply>(std::move(reply)),
                   [&runner, workspace_id,
                    body = TimelineRequest(view->profile_id, *page)]() -> Result<http::Response> {
                     CDP_ASSIGN_OR_RETURN(
                         const query::QueryAnswer answer,
                         runner.Run(workspace_id, query::QueryKind::kEvents, body));
                     return http::Response::Json(200, answer.result_json);
                   });
             });

  routes.Add(
      "POST", "/profiles/{id}/unmerge", Permission::kAdmin,
      ApiImmediate([&](http::Request& request, const Caller& caller) -> Result<http::Response> {
        const std::string& workspace_id = caller.workspace_id();
        CDP_ASSIGN_OR_RETURN(const std::string merge_id, ParseMergeId(request.body()));
        CDP_ASSIGN_OR_RETURN(const identity::UnmergeOutcome outcome,
                             identities.Unmerge(workspace_id, request.PathParam("id"), merge_id));
        JsonWriter details;
        details.BeginObject()
            .Key("merge_id")
            .String(merge_id)
            .Key("kept")
            .String(outcome.kept.profile_id)
            .Key("split_off")
            .String(outcome.split_off.profile_id)
            .EndObject();
        audit.Record(request, caller, "profile.unmerge", "profile", outcome.kept.profile_id,
                     std::move(details).Take());
        return http::Response::Json(200, UnmergeOutcomeJson(outcome));
      }));
}

}  // namespace cdp::api
