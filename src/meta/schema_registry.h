#pragma once

#include <map>
#include <optional>
#include <set>
#include <string>
#include <string_view>
#include <vector>

#include "core/clock.h"
#include "core/result.h"
#include "model/property_type.h"

namespace cdp {

// Where a property sits in an event. The same name in two sections is two
// properties: a "plan" trait and a "plan" event property may differ in type.
enum class SchemaSection {
  kProperties,  // track / page / screen properties
  kTraits,      // identify / group traits (capture's $set and $set_once)
  kContext,     // the flattened context: ip, user_agent, page_url...
};

// "properties" / "traits" / "context": the spelling of storage and the API.
constexpr std::string_view SchemaSectionName(SchemaSection section) {
  switch (section) {
    case SchemaSection::kProperties:
      return "properties";
    case SchemaSection::kTraits:
      return "traits";
    case SchemaSection::kContext:
      return "context";
  }
  return "";
}
std::optional<SchemaSection> ParseSchemaSection(std::string_view name);

// One property as an event carried it.
struct ObservedProperty {
  SchemaSection section = SchemaSection::kProperties;
  std::string name;  // flattened, snake_case; not empty
  PropertyType type = PropertyType::kString;

  friend bool operator==(const ObservedProperty&, const ObservedProperty&) = default;
};

// What one event showed of the schema.
struct SchemaObservation {
  // A track event's name; for the other types the type's name ("identify",
  // "page"...). Not empty.
  std::string event;
  TimePoint at;  // when the event was received (server time)
  // Its non-null properties, in any order. A name may repeat within a section
  // only with the same type (flattening makes names unique); a repeat of
  // another type conflicts with the first.
  std::vector<ObservedProperty> properties;
};

// A property whose registered type differs from the type an event carried.
struct SchemaConflict {
  SchemaSection section = SchemaSection::kProperties;
  std::string name;
  PropertyType registered = PropertyType::kString;
  PropertyType seen = PropertyType::kString;

  friend bool operator==(const SchemaConflict&, const SchemaConflict&) = default;
};

// A registered property as GET /schemas lists it under one event.
struct SchemaEventProperty {
  SchemaSection section = SchemaSection::kProperties;
  std::string name;
  PropertyType type = PropertyType::kString;
  TimePoint first_seen;  // first carried by this event
  TimePoint last_seen;   // last reported carried by this event (see RegisterSchema)

  friend bool operator==(const SchemaEventProperty&, const SchemaEventProperty&) = default;
};

// An event name with every property it has carried.
struct SchemaEvent {
  std::string name;
  TimePoint first_seen;
  TimePoint last_seen;
  std::vector<SchemaEventProperty> properties;  // in SchemaPropertyKey order

  friend bool operator==(const SchemaEvent&, const SchemaEvent&) = default;
};

// (section, name): identifies a registered property within a workspace.
// Ordered by section (properties, traits, context), then name.
struct SchemaPropertyKey {
  SchemaSection section = SchemaSection::kProperties;
  std::string name;

  friend auto operator<=>(const SchemaPropertyKey&, const SchemaPropertyKey&) = default;
};

// Orders anything with `section` and `name` members (SchemaPropertyKey,
// ObservedProperty) as SchemaPropertyKey does, so that looking up an
// observed property in a WorkspaceSchema copies no string.
struct SchemaPropertyKeyLess {
  using is_transparent = void;
  template <typename A, typename B>
  bool operator()(const A& a, const B& b) const {
    if (a.section != b.section) return a.section < b.section;
    return std::string_view(a.name) < std::string_view(b.name);
  }
};

// What a WorkspaceSchema says of an observation.
struct SchemaCheck {
  // Properties registered with another type: those the store would report,
  // as long as the schema is current. A type changes only through
  // ChangePropertyType or DeleteProperty, so a cache kept current (see
  // WorkspaceSchema) can refuse an event with conflicts without asking the
  // store.
  std::vector<SchemaConflict> conflicts;
  // Whether the observation carries an event, a property or an event-property
  // link this schema lacks: only then does it need RegisterSchema.
  bool has_new = false;
};

// A workspace's whole registry in memory, for ingestion to check most events
// without a round trip. Registration only adds, so a cached schema falls
// behind it by being incomplete, never wrong. But a schema fix
// (ChangePropertyType, DeleteProperty) makes a cache wrong both ways: it
// refuses events of the new type, and accepts events of the old one without
// asking the store. So a cache must be dropped when its process fixes the
// schema, and reloaded periodically to see fixes made by other processes;
// until then it is stale. A value; not synchronized.
struct WorkspaceSchema {
  std::map<SchemaPropertyKey, PropertyType, SchemaPropertyKeyLess> properties;
  // Event name -> the properties it has carried.
  std::map<std::string, std::set<SchemaPropertyKey, SchemaPropertyKeyLess>, std::less<>> events;

  // Compares the observation with this schema. Conflicts found are those the
  // store would report; the store may report more (a property another process
  // registered since, or a name repeated in the observation with two types).
  SchemaCheck Check(const SchemaObservation& observation) const;
  // Adds the observation's event, properties and links, as RegisterSchema did.
  // REQUIRES: RegisterSchema accepted it (returned no conflicts).
  void Add(const SchemaObservation& observation);

  friend bool operator==(const WorkspaceSchema&, const WorkspaceSchema&) = default;
};

// The schema GET /schemas lists, as a WorkspaceSchema.
WorkspaceSchema ToWorkspaceSchema(const std::vector<SchemaEvent>& events);

// The registry of each workspace's event names, property types and which
// events carried which properties. A property's scope is (workspace, section,
// name): one type across every event that carries it. Part of the metadata
// store; the SQLite MetaStore implements it too.
//
// Thread safety: all methods are safe to call concurrently from any thread,
// and from several processes sharing a database.
// Errors: BadRequest and NotFound as documented per method; Unavailable when
// the database is busy or unreachable; Internal otherwise.
class SchemaRegistry {
 public:
  SchemaRegistry() = default;
  SchemaRegistry(const SchemaRegistry&) = delete;
  SchemaRegistry& operator=(const SchemaRegistry&) = delete;
  virtual ~SchemaRegistry() = default;

  // Checks one event's observation against the registry and, when nothing
  // conflicts, registers it, atomically:
  //  - every property not yet registered in its section gets the type seen
  //    (the first type sticks; only ChangePropertyType and DeleteProperty
  //    change it);
  //  - the event name and each (event, property) link are recorded, or their
  //    last_seen moved to `observation.at` if that is later (first_seen moved
  //    back if it is earlier).
  // Returns the conflicts, in the observation's order; when there is any,
  // nothing of the observation is registered. Of concurrent first
  // observations of a property with different types, exactly one registers
  // its type and the others get conflicts.
  //
  // last_seen is as fresh as the reports: a caller that checks events
  // against a cached WorkspaceSchema and registers only what is new should
  // report a known event again now and then (e.g. once a minute) to keep it.
  //
  // BadRequest (field "event" or "properties[i].name") for an empty name;
  // NotFound when the workspace does not exist.
  virtual Result<std::vector<SchemaConflict>> RegisterSchema(
      std::string_view workspace_id, const SchemaObservation& observation) = 0;

  // The workspace's registry, for a cache. NotFound when the workspace does
  // not exist.
  virtual Result<WorkspaceSchema> LoadSchema(std::string_view workspace_id) = 0;

  // Every event name with its properties, events by name; see SchemaEvent.
  // NotFound when the workspace does not exist.
  virtual Result<std::vector<SchemaEvent>> ListSchema(std::string_view workspace_id) = 0;

  // Schema fixes, for a user whose events were refused for a type conflict
  // (and dead-lettered), before replaying them. Each is atomic, and the only
  // ways a registered type changes; see WorkspaceSchema for what they mean to
  // a cache.

  // Changes the registered type of a property (the fix when the first type
  // seen was wrong): events carrying the new type are accepted from then on,
  // and those carrying the old one conflict. Returns the type it had. Links to
  // events and first_seen are kept. NotFound (field "name") when the property
  // is not registered in that section; NotFound when the workspace does not exist.
  virtual Result<PropertyType> ChangePropertyType(std::string_view workspace_id,
                                                  SchemaSection section, std::string_view name,
                                                  PropertyType type) = 0;
  // Forgets a property: its type and its links to events. The next event that
  // carries it registers its type afresh. NotFound (field "name") when it is
  // not registered in that section; NotFound when the workspace does not exist.
  virtual Status DeleteProperty(std::string_view workspace_id, SchemaSection section,
                                std::string_view name) = 0;
};

}  // namespace cdp
