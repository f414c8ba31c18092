#include "api/api_key_routes.h"

#include <simdjson.h>

#include <string>
#include <utility>
#include <vector>

#include "api/page.h"
#include "auth/api_key_format.h"
#include "core/json_writer.h"
#include "query/request_json.h"

namespace cdp::api {

namespace {

Result<ApiKeySpec> ParseSpec(std::string_view body) {
  simdjson::dom::parser parser;
  CDP_ASSIGN_OR_RETURN(const query::RequestObject root, query::RequestObject::Parse(parser, body));
  CDP_RETURN_IF_ERROR(root.RejectUnknownKeys({"kind", "scope", "name"}));
  ApiKeySpec spec;
  CDP_ASSIGN_OR_RETURN(const std::string_view kind, root.String("kind"));
  if (kind == ApiKeyKindName(ApiKeyKind::kWrite)) {
    spec.kind = ApiKeyKind::kWrite;
  } else if (kind == ApiKeyKindName(ApiKeyKind::kSecret)) {
    spec.kind = ApiKeyKind::kSecret;
  } else {
    return query::FieldError("kind", "one of write, secret");
  }
  CDP_ASSIGN_OR_RETURN(const std::optional<std::string_view> scope, root.OptionalString("scope"));
  if (spec.kind == ApiKeyKind::kWrite) {
    if (scope && *scope != ApiKeyScopeName(ApiKeyScope::kIngest)) {
      return query::FieldError("scope", "ingest for a write key (or absent)");
    }
    spec.scope = ApiKeyScope::kIngest;
  } else {
    // No default: whether a new secret key may administer is said explicitly.
    if (!scope) return Status::BadRequest("scope is required for a secret key", "scope");
    const std::optional<ApiKeyScope> parsed = ParseApiKeyScope(*scope);
    if (!parsed || *parsed == ApiKeyScope::kIngest) {
      return query::FieldError("scope", "one of read, admin for a secret key");
    }
    spec.scope = *parsed;
  }
  CDP_ASSIGN_OR_RETURN(const std::optional<std::string_view> name, root.OptionalString("name"));
  if (name) spec.name = std::string(*name);
  return spec;
}

// The listing fields, without the closing brace (creation adds "key").
void WriteKeyFields(JsonWriter& json, const ApiKey& key) {
  json.Key("id")
      .String(key.id)
      .Key("kind")
      .String(ApiKeyKindName(key.kind))
      .Key("scope")
      .String(ApiKeyScopeName(key.scope))
      .Key("name")
      .String(key.name)
      .Key("masked_key")
      .String(MaskedKey(key.display_prefix))
      .Key("created_by")
      .String(key.created_by)
      .Key("created_at")
      .String(FormatIso8601(key.created_at))
      .Key("revoked_at");
  if (key.revoked_at) {
    json.String(FormatIso8601(*key.revoked_at));
  } else {
    json.Null();
  }
}

// What the audit log keeps of a key: never the key nor its hash.
std::string KeyDetails(const ApiKey& key) {
  JsonWriter json;
  json.BeginObject()
      .Key("kind")
      .String(ApiKeyKindName(key.kind))
      .Key("scope")
      .String(ApiKeyScopeName(key.scope))
      .Key("name")
      .String(key.name)
      .Key("masked_key")
      .String(MaskedKey(key.display_prefix))
      .EndObject();
  return std::move(json).Take();
}

Result<http::Response> CreateKey(http::Request& request, const AuditRecorder& audit,
                                 ApiKeyService& keys, const Caller& caller) {
  CDP_ASSIGN_OR_RETURN(const ApiKeySpec spec, ParseSpec(request.body()));
  const Principal& principal = caller.access.principal;
  const std::string created_by = principal.is_user() ? principal.user_id : std::string();
  CDP_ASSIGN_OR_RETURN(const CreatedApiKey created,
                       keys.Create(caller.workspace_id(), spec, created_by));
  audit.Record(request, caller, "api_key.create", "api_key", created.api_key.id,
               KeyDetails(created.api_key));
  JsonWriter json;
  json.BeginObject();
  WriteKeyFields(json, created.api_key);
  json.Key("key").String(created.key).EndObject();
  http::Response response = http::Response::Json(201, std::move(json).Take());
  response.headers.emplace_back("Cache-Control", "no-store");
  return response;
}

}  // namespace

void AddApiKeyRoutes(ApiRoutes& routes, const AuditRecorder& audit, ApiKeyService& keys) {
  routes.Add("GET", "/api-keys", Permission::kAdmin,
             ApiImmediate([&keys](http::Request&, const Caller& caller) -> Result<http::Response> {
               CDP_ASSIGN_OR_RETURN(const std::vector<ApiKey> list,
                                    keys.List(caller.workspace_id()));
               return PageResponse<ApiKey>(list, "", [](JsonWriter& json, const ApiKey& key) {
                 json.BeginObject();
                 WriteKeyFields(json, key);
                 json.EndObject();
               });
             }));
  routes.Add("POST", "/api-keys", Permission::kAdmin,
             ApiImmediate([&audit, &keys](http::Request& request, const Caller& caller) {
               return CreateKey(request, audit, keys, caller);
             }));
  routes.Add("DELETE", "/api-keys/{id}", Permission::kAdmin,
             ApiImmediate([&audit, &keys](http::Request& request,
                                          const Caller& caller) -> Result<http::Response> {
               CDP_ASSIGN_OR_RETURN(const ApiKey revoked,
                                    keys.Revoke(caller.workspace_id(), request.PathParam("id")));
               audit.Record(request, caller, "api_key.revoke", "api_key", revoked.id,
                            KeyDetails(revoked));
               return http::Response::NoContent();
             }));
}

}  // namespace cdp::api
