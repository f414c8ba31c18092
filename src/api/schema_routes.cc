#include "api/schema_routes.h"

#include <fmt/format.h>
#include <simdjson.h>

#include <map>

#include "api/api_auth.h"
#include "core/json_writer.h"

namespace cdp::api {

namespace {

struct PropertyPath {
  SchemaSection section;
  std::string name;
};

Result<PropertyPath> PropertyPathOf(const http::Request& request) {
  const std::optional<SchemaSection> section = ParseSchemaSection(request.PathParam("section"));
  if (!section) {
    return Status::BadRequest(
        fmt::format("unknown section '{}'; expected properties, traits or context",
                    request.PathParam("section")),
        "section");
  }
  return PropertyPath{*section, std::string(request.PathParam("name"))};
}

Result<PropertyType> RequestedType(std::string_view body) {
  simdjson::dom::parser parser;
  simdjson::dom::element root;
  if (parser.parse(body).get(root) != simdjson::SUCCESS || !root.is_object()) {
    return Status::BadRequest("the body must be a JSON object such as {\"type\": \"number\"}");
  }
  std::string_view name;
  if (root["type"].get_string().get(name) != simdjson::SUCCESS) {
    return Status::BadRequest("type is required: string, number, boolean or timestamp", "type");
  }
  const std::optional<PropertyType> type = ParsePropertyType(name);
  if (!type) {
    return Status::BadRequest(
        fmt::format("unknown type '{}'; expected string, number, boolean or timestamp", name),
        "type");
  }
  return *type;
}

// "section", "name" and "type" of a property, inside an open object.
void WritePropertyKeys(JsonWriter& json, SchemaSection section, std::string_view name,
                       PropertyType type) {
  json.Key("section")
      .String(SchemaSectionName(section))
      .Key("name")
      .String(name)
      .Key("type")
      .String(PropertyTypeName(type));
}

std::string SchemaBody(const std::vector<SchemaEvent>& events) {
  JsonWriter json;
  json.BeginObject().Key("events").BeginArray();
  std::map<SchemaPropertyKey, PropertyType> properties;
  for (const SchemaEvent& event : events) {
    json.BeginObject()
        .Key("name")
        .String(event.name)
        .Key("first_seen")
        .String(FormatIso8601(event.first_seen))
        .Key("last_seen")
        .String(FormatIso8601(event.last_seen))
        .Key("properties")
        .BeginArray();
    for (const SchemaEventProperty& property : event.properties) {
      properties.emplace(SchemaPropertyKey{property.section, property.name}, property.type);
      json.BeginObject();
      WritePropertyKeys(json, property.section, property.name, property.type);
      json.Key("first_seen")
          .String(FormatIso8601(property.first_seen))
          .Key("last_seen")
          .String(FormatIso8601(property.last_seen))
          .EndObject();
    }
    json.EndArray().EndObject();
  }
  json.EndArray().Key("properties").BeginArray();
  for (const auto& [key, type] : properties) {
    json.BeginObject();
    WritePropertyKeys(json, key.section, key.name, type);
    json.EndObject();
  }
  return std::move(json.EndArray().EndObject()).Take();
}

}  // namespace

void AddSchemaRoutes(http::Router& router, SchemaRegistry& registry, ingest::SchemaGate& gate,
                     const SecretKeyAuthenticator& secret_keys) {
  router.Add("GET", "/schemas",
             http::Immediate([&](http::Request& request) -> Result<http::Response> {
               CDP_ASSIGN_OR_RETURN(const std::string workspace_id,
                                    AuthenticateApiRequest(request, secret_keys));
               CDP_ASSIGN_OR_RETURN(const std::vector<SchemaEvent> events,
                                    registry.ListSchema(workspace_id));
               return http::Response::Json(200, SchemaBody(events));
             }));
  router.Add("PUT", "/schemas/properties/{section}/{name}",
             http::Immediate([&](http::Request& request) -> Result<http::Response> {
               CDP_ASSIGN_OR_RETURN(const std::string workspace_id,
                                    AuthenticateApiRequest(request, secret_keys));
               CDP_ASSIGN_OR_RETURN(const PropertyPath path, PropertyPathOf(request));
               CDP_ASSIGN_OR_RETURN(const PropertyType type, RequestedType(request.body()));
               CDP_ASSIGN_OR_RETURN(
                   const PropertyType previous,
                   registry.ChangePropertyType(workspace_id, path.section, path.name, type));
               gate.Invalidate(workspace_id);
               JsonWriter json;
               json.BeginObject();
               WritePropertyKeys(json, path.section, path.name, type);
               json.Key("previous_type").String(PropertyTypeName(previous)).EndObject();
               return http::Response::Json(200, std::move(json).Take());
             }));
  router.Add("DELETE", "/schemas/properties/{section}/{name}",
             http::Immediate([&](http::Request& request) -> Result<http::Response> {
               CDP_ASSIGN_OR_RETURN(const std::string workspace_id,
                                    AuthenticateApiRequest(request, secret_keys));
               CDP_ASSIGN_OR_RETURN(const PropertyPath path, PropertyPathOf(request));
               CDP_RETURN_IF_ERROR(registry.DeleteProperty(workspace_id, path.section, path.name));
               gate.Invalidate(workspace_id);
               return http::Response::NoContent();
             }));
}

}  // namespace cdp::api
