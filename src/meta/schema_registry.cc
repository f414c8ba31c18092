#include "meta/schema_registry.h"

namespace cdp {

std::optional<SchemaSection> ParseSchemaSection(std::string_view name) {
  for (SchemaSection section :
       {SchemaSection::kProperties, SchemaSection::kTraits, SchemaSection::kContext}) {
    if (SchemaSectionName(section) == name) return section;
  }
  return std::nullopt;
}

SchemaCheck WorkspaceSchema::Check(const SchemaObservation& observation) const {
  SchemaCheck check;
  const auto event = events.find(observation.event);
  check.has_new = event == events.end();
  for (const ObservedProperty& property : observation.properties) {
    const auto registered = properties.find(property);
    if (registered == properties.end()) {
      check.has_new = true;
      continue;
    }
    if (registered->second != property.type) {
      check.conflicts.push_back(
          {property.section, property.name, registered->second, property.type});
    } else if (!check.has_new && !event->second.contains(property)) {
      check.has_new = true;  // a known property, new to this event
    }
  }
  return check;
}

void WorkspaceSchema::Add(const SchemaObservation& observation) {
  auto& links = events[observation.event];
  for (const ObservedProperty& property : observation.properties) {
    SchemaPropertyKey key{property.section, property.name};
    properties.try_emplace(key, property.type);  // a repeat keeps the first type
    links.insert(std::move(key));
  }
}

WorkspaceSchema ToWorkspaceSchema(const std::vector<SchemaEvent>& events) {
  WorkspaceSchema schema;
  for (const SchemaEvent& event : events) {
    auto& links = schema.events[event.name];
    for (const SchemaEventProperty& property : event.properties) {
      schema.properties.try_emplace({property.section, property.name}, property.type);
      links.insert({property.section, property.name});
    }
  }
  return schema;
}

}  // namespace cdp
