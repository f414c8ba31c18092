#include "api/schema_routes.h"

#include <fmt/format.h>
#include <simdjson.h>

#include <map>

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

// How the audit log names a property: "properties.plan", "traits.email".
std::string PropertyTarget(const PropertyPath& path) {
  return std::string(SchemaSectionName(path.section)) + "." + path.name;
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

void AddSchemaRoutes(ApiRoutes& routes, const AuditRecorder& audit, SchemaRegistry& registry,
                     ingest::SchemaGate& gate) {
  routes.Add("GET", "/schemas", Permission::kRead,
             ApiImmediate([&](http::Request&, const Caller& caller) -> Result<http::Response> {
               CDP_ASSIGN_OR_RETURN(const std::vector<SchemaEvent> events,
                                    registry.ListSchema(caller.workspace_id()));
               return http::Response::Json(200, SchemaBody(events));
             }));
  routes.Add(
      "PUT", "/schemas/properties/{section}/{name}", Permission::kAdmin,
      ApiImmediate([&](http::Request& request, const Caller& caller) -> Result<http::Response> {
        const std::string& workspace_id = caller.workspace_id();
        CDP_ASSIGN_OR_RETURN(const PropertyPath path, PropertyPathOf(request));
        CDP_ASSIGN_OR_RETURN(const PropertyType type, RequestedType(request.body()));
        CDP_ASSIGN_OR_RETURN(
            const PropertyType previous,
            registry.ChangePropertyType(workspace_id, path.section, path.name, type));
        gate.Invalidate(workspace_id);
        JsonWriter details;
        details.BeginObject()
            .Key("section")
            .String(SchemaSectionName(path.section))
            .Key("name")
            .String(path.name)
            .Key("from")
            .String(PropertyTypeName(previous))
            .Key("to")
            .String(PropertyTypeName(type))
            .EndObject();
        audit.Record(request, caller, "schema.property.change_type", "property",
                     PropertyTarget(path), std::move(details).Take());
        JsonWriter json;
        json.BeginObject();
        WritePropertyKeys(json, path.section, path.name, type);
        json.Key("previous_type").String(PropertyTypeName(previous)).EndObject();
        return http::Response::Json(200, std::move(json).Take());
      }));
  routes.Add(
      "DELETE", "/schemas/properties/{section}/{name}", Permission::kAdmin,
      ApiImmediate([&](http::Request& request, const Caller& caller) -> Result<http::Response> {
        const std::string& workspace_id = caller.workspace_id();
        CDP_ASSIGN_OR_RETURN(const PropertyPath path, PropertyPathOf(request));
        CDP_RETURN_IF_ERROR(registry.DeleteProperty(workspace_id, path.section, path.name));
        gate.Invalidate(workspace_id);
        JsonWriter details;
        details.BeginObject()
            .Key("section")
            .String(SchemaSectionName(path.section))
            .Key("name")
            .String(path.name)
            .EndObject();
        audit.Record(request, caller, "schema.property.delete", "property", PropertyTarget(path),
                     std::move(details).Take());
        return http::Response::NoContent();
      }));
}

}  // namespace cdp::api
