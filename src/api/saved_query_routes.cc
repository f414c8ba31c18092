#include "api/saved_query_routes.h"

#include <fmt/format.h>
#include <simdjson.h>

#include <optional>
#include <string>

#include "api/page.h"
#include "core/json_writer.h"
#include "core/parse_integer.h"
#include "core/uuid.h"
#include "query/query_kind.h"
#include "query/request_json.h"

namespace cdp::api {

namespace {

// The fields of a POST or PUT body; nullopt when not given.
struct SavedQueryFields {
  std::optional<std::string> name;
  std::optional<std::string> kind;
  std::optional<std::string> request;  // minified JSON object text
};

std::string KindNames() {
  std::string names;
  for (const query::QueryKind kind : query::kQueryKinds) {
    if (!names.empty()) names += ", ";
    names += query::QueryKindName(kind);
  }
  return names;
}

// Reads a body of saved-query fields; with `require_all` (POST) each is
// required. Bounds (name length, request size) are the store's to check.
Result<SavedQueryFields> ParseSavedQueryFields(std::string_view body, bool require_all) {
  simdjson::dom::parser parser;
  CDP_ASSIGN_OR_RETURN(const query::RequestObject root, query::RequestObject::Parse(parser, body));
  CDP_RETURN_IF_ERROR(root.RejectUnknownKeys({"name", "kind", "request"}));
  if (require_all) {
    for (const std::string_view key : {"name", "kind", "request"}) {
      if (!root.Has(key))
        return Status::BadRequest(fmt::format("{} is required", key), std::string(key));
    }
  }
  SavedQueryFields fields;
  CDP_ASSIGN_OR_RETURN(const std::optional<std::string_view> name, root.OptionalString("name"));
  if (name) fields.name = std::string(*name);
  CDP_ASSIGN_OR_RETURN(const std::optional<std::string_view> kind, root.OptionalString("kind"));
  if (kind) {
    if (!query::ParseQueryKind(*kind)) {
      return query::FieldError("kind", "one of " + KindNames());
    }
    fields.kind = std::string(*kind);
  }
  if (const std::optional<simdjson::dom::element> request = root.Value("request")) {
    if (!request->is_object()) return query::FieldError("request", "a JSON object");
    // Minified: the stored text is compact whatever the client's layout.
    fields.request = simdjson::minify(*request);
  }
  return fields;
}

void WriteSavedQuery(JsonWriter& json, const SavedQuery& query) {
  json.BeginObject()
      .Key("id")
      .String(query.id)
      .Key("name")
      .String(query.name)
      .Key("kind")
      .String(query.kind)
      .Key("request")
      .Raw(query.request)
      .Key("created_at")
      .String(FormatIso8601(query.created_at))
      .Key("updated_at")
      .String(FormatIso8601(query.updated_at))
      .EndObject();
}

http::Response SavedQueryResponse(int status, const SavedQuery& query) {
  JsonWriter json;
  WriteSavedQuery(json, query);
  return http::Response::Json(status, std::move(json).Take());
}

}  // namespace

void AddSavedQueryRoutes(ApiRoutes& routes, const AuditRecorder& audit, QueryLibrary& library,
                         const Clock& clock) {
  routes.Add(
      "POST", "/queries", Permission::kBuild,
      ApiImmediate([&](http::Request& request, const Caller& caller) -> Result<http::Response> {
        const std::string& workspace_id = caller.workspace_id();
        CDP_ASSIGN_OR_RETURN(SavedQueryFields fields,
                             ParseSavedQueryFields(request.body(), /*require_all=*/true));
        SavedQuery query;
        query.id = Uuid::NewV7(clock).ToString();
        query.workspace_id = workspace_id;
        query.name = std::move(*fields.name);
        query.kind = std::move(*fields.kind);
        query.request = std::move(*fields.request);
        query.created_at = clock.Now();
        query.updated_at = query.created_at;
        CDP_RETURN_IF_ERROR(library.CreateSavedQuery(query));
        // As stored: times to the millisecond.
        CDP_ASSIGN_OR_RETURN(const SavedQuery stored,
                             library.GetSavedQuery(workspace_id, query.id));
        return SavedQueryResponse(201, stored);
      }));

  routes.Add(
      "GET", "/queries", Permission::kRead,
      ApiImmediate([&](http::Request& request, const Caller& caller) -> Result<http::Response> {
        const std::string& workspace_id = caller.workspace_id();
        CDP_ASSIGN_OR_RETURN(const PageRequest request_page,
                             ReadPageRequest(request, kMaxQueryLibraryPageSize));
        CDP_ASSIGN_OR_RETURN(
            const SavedQueryPage page,
            library.ListSavedQueries(workspace_id, request_page.cursor, request_page.limit));
        return PageResponse<SavedQuery>(
            page.results, page.next_cursor,
            [](JsonWriter& json, const SavedQuery& item) { WriteSavedQuery(json, item); });
      }));

  routes.Add(
      "GET", "/queries/{id}", Permission::kRead,
      ApiImmediate([&](http::Request& request, const Caller& caller) -> Result<http::Response> {
        const std::string& workspace_id = caller.workspace_id();
        CDP_ASSIGN_OR_RETURN(const SavedQuery query,
                             library.GetSavedQuery(workspace_id, request.PathParam("id")));
        return SavedQueryResponse(200, query);
      }));

  routes.Add(
      "PUT", "/queries/{id}", Permission::kBuild,
      ApiImmediate([&](http::Request& request, const Caller& caller) -> Result<http::Response> {
        const std::string& workspace_id = caller.workspace_id();
        CDP_ASSIGN_OR_RETURN(SavedQueryFields fields,
                             ParseSavedQueryFields(request.body(), /*require_all=*/false));
        SavedQueryChanges changes;
        changes.name = std::move(fields.name);
        changes.kind = std::move(fields.kind);
        changes.request = std::move(fields.request);
        changes.updated_at = clock.Now();
        CDP_ASSIGN_OR_RETURN(
            const SavedQuery query,
            library.UpdateSavedQuery(workspace_id, request.PathParam("id"), changes));
        return SavedQueryResponse(200, query);
      }));

  routes.Add(
      "DELETE", "/queries/{id}", Permission::kBuild,
      ApiImmediate([&](http::Request& request, const Caller& caller) -> Result<http::Response> {
        const std::string& workspace_id = caller.workspace_id();
        const std::string_view id = request.PathParam("id");
        // Read first: the audit entry names what went.
        CDP_ASSIGN_OR_RETURN(const SavedQuery query, library.GetSavedQuery(workspace_id, id));
        CDP_RETURN_IF_ERROR(library.DeleteSavedQuery(workspace_id, id));
        JsonWriter details;
        details.BeginObject()
            .Key("name")
            .String(query.name)
            .Key("kind")
            .String(query.kind)
            .EndObject();
        audit.Record(request, caller, "saved_query.delete", "saved_query", id,
                     std::move(details).Take());
        return http::Response::NoContent();
      }));
}

}  // namespace cdp::api
