// The SchemaRegistry part of SqliteMetaStore: tables schema_properties,
// schema_events and schema_event_properties (migration 0002).

#include <fmt/format.h>

#include <algorithm>

#include "meta/sqlite/sqlite_connection.h"
#include "meta/sqlite/sqlite_meta_store.h"
#include "meta/sqlite/sqlite_values.h"

namespace cdp {

namespace {

// The first type sticks: a property already registered keeps its row.
constexpr char kInsertProperty[] =
    "INSERT INTO schema_properties (workspace_id, section, name, type, first_seen) "
    "VALUES (?1, ?2, ?3, ?4, ?5) ON CONFLICT (workspace_id, section, name) DO NOTHING";
constexpr char kSelectPropertyType[] =
    "SELECT type FROM schema_properties WHERE workspace_id = ?1 AND section = ?2 AND name = ?3";
// Schema fixes. Deleting a property deletes its links through their foreign
// key (ON DELETE CASCADE); the events stay.
constexpr char kUpdatePropertyType[] =
    "UPDATE schema_properties SET type = ?4 WHERE workspace_id = ?1 AND section = ?2 AND name = ?3";
constexpr char kDeleteProperty[] =
    "DELETE FROM schema_properties WHERE workspace_id = ?1 AND section = ?2 AND name = ?3";
// Observations may arrive out of order (several threads or processes), so the
// times only ever widen.
constexpr char kUpsertEvent[] =
    "INSERT INTO schema_events (workspace_id, name, first_seen, last_seen) "
    "VALUES (?1, ?2, ?3, ?3) ON CONFLICT (workspace_id, name) DO UPDATE SET "
    "first_seen = min(first_seen, excluded.first_seen), "
    "last_seen = max(last_seen, excluded.last_seen)";
constexpr char kUpsertLink[] =
    "INSERT INTO schema_event_properties (workspace_id, event, section, name, first_seen, "
    "last_seen) VALUES (?1, ?2, ?3, ?4, ?5, ?5) "
    "ON CONFLICT (workspace_id, event, section, name) DO UPDATE SET "
    "first_seen = min(first_seen, excluded.first_seen), "
    "last_seen = max(last_seen, excluded.last_seen)";
// One statement, so one consistent snapshot even while another process
// registers. An event always has its row; a property always has a link.
constexpr char kSelectSchema[] =
    "SELECT e.name, e.first_seen, e.last_seen, l.section, l.name, p.type, l.first_seen, "
    "l.last_seen FROM schema_events e "
    "LEFT JOIN schema_event_properties l ON l.workspace_id = e.workspace_id AND l.event = e.name "
    "LEFT JOIN schema_properties p ON p.workspace_id = l.workspace_id AND p.section = l.section "
    "AND p.name = l.name "
    "WHERE e.workspace_id = ?1 ORDER BY e.name";

Status ValidateObservation(const SchemaObservation& observation) {
  if (observation.event.empty()) return Status::BadRequest("an event needs a name", "event");
  for (size_t i = 0; i < observation.properties.size(); ++i) {
    if (observation.properties[i].name.empty()) {
      return Status::BadRequest("a property needs a name", fmt::format("properties[{}].name", i));
    }
  }
  return Status::Ok();
}

Result<SchemaSection> ReadSection(const SqliteStatement& row, int column, std::string_view name) {
  const std::string text = row.ColumnText(column);
  std::optional<SchemaSection> section = ParseSchemaSection(text);
  if (!section) return Status::Internal(fmt::format("{} is unknown: '{}'", name, text));
  return *section;
}

Result<PropertyType> ReadType(const SqliteStatement& row, int column) {
  const std::string text = row.ColumnText(column);
  std::optional<PropertyType> type = ParsePropertyType(text);
  if (!type) return Status::Internal(fmt::format("schema_properties.type is unknown: '{}'", text));
  return *type;
}

// The type registered for `property`. REQUIRES: it is registered.
Result<PropertyType> RegisteredType(SqliteStatement& select, std::string_view workspace_id,
                                    const ObservedProperty& property) {
  select.Reset();
  CDP_RETURN_IF_ERROR(select.BindText(1, workspace_id));
  CDP_RETURN_IF_ERROR(select.BindText(2, SchemaSectionName(property.section)));
  CDP_RETURN_IF_ERROR(select.BindText(3, property.name));
  CDP_ASSIGN_OR_RETURN(bool found, select.Step());
  if (!found) {
    return Status::Internal(fmt::format("schema property {}.{} vanished while registering",
                                        SchemaSectionName(property.section), property.name));
  }
  return ReadType(select, 0);
}

// Binds a property's key, (workspace_id, section, name), to ?1, ?2 and ?3.
Status BindPropertyKey(SqliteStatement& statement, std::string_view workspace_id,
                       SchemaSection section, std::string_view name) {
  CDP_RETURN_IF_ERROR(statement.BindText(1, workspace_id));
  CDP_RETURN_IF_ERROR(statement.BindText(2, SchemaSectionName(section)));
  return statement.BindText(3, name);
}

// The error of a schema fix that found no such property: `workspace` is
// whether the workspace exists (its NotFound wins, without a field).
Status PropertyNotFound(const Status& workspace, std::string_view workspace_id,
                        SchemaSection section, std::string_view name) {
  if (!workspace.ok()) return workspace;
  return Status::NotFound(fmt::format("property '{}' not found in the {} of workspace {}", name,
                                      SchemaSectionName(section), workspace_id))
      .WithField("name");
}

// Reworded errors of a write naming the workspace.
Status WorkspaceError(const Status& status, std::string_view workspace_id) {
  if (status.code() == ErrorCode::kNotFound) {  // the foreign key
    return Reword(status, fmt::format("workspace {} not found", workspace_id), "workspace_id");
  }
  return status;
}

}  // namespace

Result<std::vector<SchemaConflict>> SqliteMetaStore::RegisterSchema(
    std::string_view workspace_id, const SchemaObservation& observation) {
  CDP_RETURN_IF_ERROR(ValidateObservation(observation));
  const std::string at = FormatIso8601(observation.at);
  std::lock_guard lock(mutex_);
  // The write lock is held from BEGIN, so between inserting and re-reading a
  // property no other process can register it; a failure rolls back.
  CDP_ASSIGN_OR_RETURN(auto transaction, SqliteTransaction::Begin(*connection_));

  CDP_ASSIGN_OR_RETURN(auto insert, connection_->Prepare(kInsertProperty));
  CDP_ASSIGN_OR_RETURN(auto select, connection_->Prepare(kSelectPropertyType));
  CDP_RETURN_IF_ERROR(insert.BindText(1, workspace_id));
  CDP_RETURN_IF_ERROR(insert.BindText(5, at));
  std::vector<SchemaConflict> conflicts;
  for (const ObservedProperty& property : observation.properties) {
    insert.Reset();
    CDP_RETURN_IF_ERROR(insert.BindText(2, SchemaSectionName(property.section)));
    CDP_RETURN_IF_ERROR(insert.BindText(3, property.name));
    CDP_RETURN_IF_ERROR(insert.BindText(4, PropertyTypeName(property.type)));
    if (Status status = insert.Run(); !status.ok()) return WorkspaceError(status, workspace_id);
    if (connection_->Changes() == 1) continue;  // newly registered with this type
    CDP_ASSIGN_OR_RETURN(PropertyType registered, RegisteredType(select, workspace_id, property));
    if (registered != property.type) {
      conflicts.push_back({property.section, property.name, registered, property.type});
    }
  }
  // Returning without committing rolls back the properties this observation
  // registered: an event with a conflict leaves no trace.
  if (!conflicts.empty()) return conflicts;

  CDP_ASSIGN_OR_RETURN(auto event, connection_->Prepare(kUpsertEvent));
  CDP_RETURN_IF_ERROR(event.BindText(1, workspace_id));
  CDP_RETURN_IF_ERROR(event.BindText(2, observation.event));
  CDP_RETURN_IF_ERROR(event.BindText(3, at));
  if (Status status = event.Run(); !status.ok()) return WorkspaceError(status, workspace_id);

  CDP_ASSIGN_OR_RETURN(auto link, connection_->Prepare(kUpsertLink));
  CDP_RETURN_IF_ERROR(link.BindText(1, workspace_id));
  CDP_RETURN_IF_ERROR(link.BindText(2, observation.event));
  CDP_RETURN_IF_ERROR(link.BindText(5, at));
  for (const ObservedProperty& property : observation.properties) {
    link.Reset();
    CDP_RETURN_IF_ERROR(link.BindText(3, SchemaSectionName(property.section)));
    CDP_RETURN_IF_ERROR(link.BindText(4, property.name));
    CDP_RETURN_IF_ERROR(link.Run());
  }
  CDP_RETURN_IF_ERROR(transaction.Commit());
  return conflicts;
}

Result<PropertyType> SqliteMetaStore::ChangePropertyType(std::string_view workspace_id,
                                                         SchemaSection section,
                                                         std::string_view name, PropertyType type) {
  std::lock_guard lock(mutex_);
  // Holding the write lock from BEGIN, the type read is the type replaced.
  CDP_ASSIGN_OR_RETURN(auto transaction, SqliteTransaction::Begin(*connection_));
  CDP_ASSIGN_OR_RETURN(auto select, connection_->Prepare(kSelectPropertyType));
  CDP_RETURN_IF_ERROR(BindPropertyKey(select, workspace_id, section, name));
  CDP_ASSIGN_OR_RETURN(bool found, select.Step());
  if (!found) {
    return PropertyNotFound(CheckWorkspaceExists(workspace_id), workspace_id, section, name);
  }
  CDP_ASSIGN_OR_RETURN(PropertyType previous, ReadType(select, 0));

  CDP_ASSIGN_OR_RETURN(auto update, connection_->Prepare(kUpdatePropertyType));
  CDP_RETURN_IF_ERROR(BindPropertyKey(update, workspace_id, section, name));
  CDP_RETURN_IF_ERROR(update.BindText(4, PropertyTypeName(type)));
  CDP_RETURN_IF_ERROR(update.Run());
  CDP_RETURN_IF_ERROR(transaction.Commit());
  return previous;
}

Status SqliteMetaStore::DeleteProperty(std::string_view workspace_id, SchemaSection section,
                                       std::string_view name) {
  std::lock_guard lock(mutex_);
  // One transaction, so that "not registered" and "no such workspace" are
  // told apart in the same snapshot.
  CDP_ASSIGN_OR_RETURN(auto transaction, SqliteTransaction::Begin(*connection_));
  CDP_ASSIGN_OR_RETURN(auto erase, connection_->Prepare(kDeleteProperty));
  CDP_RETURN_IF_ERROR(BindPropertyKey(erase, workspace_id, section, name));
  CDP_RETURN_IF_ERROR(erase.Run());
  // Changes() counts the property row only, not the links the cascade deleted.
  if (connection_->Changes() == 0) {
    return PropertyNotFound(CheckWorkspaceExists(workspace_id), workspace_id, section, name);
  }
  return transaction.Commit();
}

Result<std::vector<SchemaEvent>> SqliteMetaStore::ReadSchema(std::string_view workspace_id) {
  CDP_ASSIGN_OR_RETURN(auto select, connection_->Prepare(kSelectSchema));
  CDP_RETURN_IF_ERROR(select.BindText(1, workspace_id));
  std::vector<SchemaEvent> events;
  while (true) {
    CDP_ASSIGN_OR_RETURN(bool row, select.Step());
    if (!row) break;
    std::string name = select.ColumnText(0);
    if (events.empty() || events.back().name != name) {
      SchemaEvent event{std::move(name), {}, {}, {}};
      CDP_ASSIGN_OR_RETURN(event.first_seen, ReadTime(select, 1, "schema_events.first_seen"));
      CDP_ASSIGN_OR_RETURN(event.last_seen, ReadTime(select, 2, "schema_events.last_seen"));
      events.push_back(std::move(event));
    }
    if (!select.ColumnOptionalText(3).has_value()) continue;  // an event without properties
    SchemaEventProperty property;
    CDP_ASSIGN_OR_RETURN(property.section,
                         ReadSection(select, 3, "schema_event_properties.section"));
    property.name = select.ColumnText(4);
    CDP_ASSIGN_OR_RETURN(property.type, ReadType(select, 5));
    CDP_ASSIGN_OR_RETURN(property.first_seen,
                         ReadTime(select, 6, "schema_event_properties.first_seen"));
    CDP_ASSIGN_OR_RETURN(property.last_seen,
                         ReadTime(select, 7, "schema_event_properties.last_seen"));
    events.back().properties.push_back(std::move(property));
  }
  // SQL orders sections by their names; SchemaPropertyKey by the enum.
  for (SchemaEvent& event : events) {
    std::sort(event.properties.begin(), event.properties.end(), SchemaPropertyKeyLess());
  }
  if (events.empty()) CDP_RETURN_IF_ERROR(CheckWorkspaceExists(workspace_id));
  return events;
}

Result<WorkspaceSchema> SqliteMetaStore::LoadSchema(std::string_view workspace_id) {
  std::lock_guard lock(mutex_);
  CDP_ASSIGN_OR_RETURN(auto events, ReadSchema(workspace_id));
  return ToWorkspaceSchema(events);
}

Result<std::vector<SchemaEvent>> SqliteMetaStore::ListSchema(std::string_view workspace_id) {
  std::lock_guard lock(mutex_);
  return ReadSchema(workspace_id);
}

}  // namespace cdp
